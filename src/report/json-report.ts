import type { Finding } from '../detect/rule-types.js';
import type { RepoResult, ScanInfo, ScanReporter } from '../scan/events.js';
import type { SkippedRepo } from '../scan/repo-target.js';
import type { RepoChanges } from '../triage/compare-scans.js';
import { safeJson } from './printable.js';

// The JSON contract of ../shared/README.md, version 1. Users script against it:
// add fields freely, never rename or drop one.

export interface JsonRepo {
  name: string;
  source: string;
  headCommit: string | null;
  verdict: string;
  reasons: string[];
  historyScanned: boolean;
  /** Added to v1: set when HEAD had not moved since the scan named here (nothing fetched or scanned). */
  unchangedSince?: string;
  /** Added to v1: against the repo's last recorded result, when there was one. */
  changes?: RepoChanges;
}

export interface JsonFinding {
  repo: string;
  path: string;
  line: number;
  column: number;
  ruleId: string;
  category: string;
  severity: string;
  fingerprint: string;
  redacted: string;
  commit: string | null;
  inHistoryOnly: boolean;
  /** Added to v1: the rule's title, how sure the match is, and the repo's own suppression if any. */
  title: string;
  confidence: string;
  suppressedBy: { marker: string; line: number } | null;
  /** Added to v1 (exports): the recorded triage decision, open when none. */
  triage?: string;
}

export interface JsonReport {
  version: 1;
  scan: { id: string; startedAt: string; finishedAt: string | null };
  repos: JsonRepo[];
  findings: JsonFinding[];
  /** Added to v1: repos a source listed but that were not scanned (forks, archived), with the reason. */
  skipped: { name: string; source: string; reason: string }[];
}

/** `headCommit` stands in for the commit when the scan was HEAD-only (the finding is in HEAD's tree). */
export function jsonFinding(repo: string, headCommit: string | null, f: Finding): JsonFinding {
  return {
    repo, path: f.path, line: f.line, column: f.column, ruleId: f.ruleId, category: f.category, severity: f.severity,
    fingerprint: f.fingerprint, redacted: f.redacted, commit: f.commit ?? headCommit, inHistoryOnly: f.inHistoryOnly === true,
    title: f.title, confidence: f.confidence, suppressedBy: f.suppressedBy ?? null,
  };
}

export function buildJsonReport(scan: ScanInfo, results: readonly RepoResult[], skipped: readonly SkippedRepo[] = []): JsonReport {
  const sorted = [...results].sort((a, b) => a.repo.name.localeCompare(b.repo.name) || a.repo.key.localeCompare(b.repo.key));
  return {
    version: 1,
    scan: { id: scan.id, startedAt: scan.startedAt, finishedAt: scan.finishedAt ?? null },
    repos: sorted.map((r) => ({
      name: r.repo.name, source: r.repo.source, headCommit: r.headCommit, verdict: r.verdict, reasons: r.reasons,
      historyScanned: r.historyScanned,
      ...(r.unchangedSince ? { unchangedSince: r.unchangedSince } : {}),
      ...(r.changes ? { changes: r.changes } : {}),
    })),
    findings: sorted.flatMap((r) => r.findings.map((f) => jsonFinding(r.repo.name, r.headCommit, f))),
    skipped: [...skipped].sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ name: s.name, source: s.source, reason: s.reason })),
  };
}

/** Collects results from the event stream and renders the JSON document at the end. */
export class JsonReporter implements ScanReporter {
  private readonly results: RepoResult[] = [];
  private readonly skipped: SkippedRepo[] = [];
  private scan: ScanInfo | undefined;

  onScanStart(scan: ScanInfo): void {
    this.scan = scan;
  }
  onRepoSkipped(repo: SkippedRepo): void {
    this.skipped.push(repo);
  }
  onRepoFinished(result: RepoResult): void {
    this.results.push(result);
  }
  onRepoFailed(result: RepoResult): void {
    this.results.push(result);
  }
  render(): string {
    if (!this.scan) throw new Error('JSON report rendered before the scan started');
    return safeJson(JSON.stringify(buildJsonReport(this.scan, this.results, this.skipped), null, 2)) + '\n';
  }
}
