import type { ExportSet } from '../../store/export-queries.js';
import type { JsonReport } from '../json-report.js';
import { safeJson } from '../printable.js';

/** The JSON contract (version 1) from the latest recorded results. */
export function renderJsonExport(set: ExportSet): string {
  const report: JsonReport = {
    version: 1,
    scan: set.latestScan ? { id: set.latestScan.id, startedAt: set.latestScan.startedAt, finishedAt: set.latestScan.finishedAt } : { id: '', startedAt: '', finishedAt: null },
    repos: set.repos.map((r) => ({ name: r.name, source: r.source, headCommit: r.headCommit, verdict: r.verdict, reasons: r.reasons, historyScanned: r.historyScanned })),
    findings: set.repos.flatMap((r) =>
      r.findings.map((f) => ({
        repo: r.name, path: f.path, line: f.line, column: f.column, ruleId: f.ruleId, category: f.category, severity: f.severity,
        fingerprint: f.fingerprint, redacted: f.redacted, commit: f.commit, inHistoryOnly: f.inHistoryOnly, title: f.title,
        confidence: f.confidence, suppressedBy: f.suppressedBy, triage: f.triage,
      })),
    ),
    skipped: [],
  };
  return safeJson(JSON.stringify(report, null, 2)) + '\n';
}
