import type { RepoResult, ScanReporter, ScanSummary } from '../scan/events.js';
import type { SkippedRepo } from '../scan/repo-target.js';
import { verdictLabel } from '../triage/verdict.js';
import { printable, printablePath } from './printable.js';

// The default, human-readable output: one row per repo, then the findings with
// redacted values only. Names, paths and reasons come from untrusted repos: they
// are printed escaped (see printable.ts), one report line per line.

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

export function renderTable(results: readonly RepoResult[], summary: ScanSummary, skipped: readonly SkippedRepo[] = []): string {
  const sorted = [...results].sort((a, b) => a.repo.name.localeCompare(b.repo.name) || a.repo.key.localeCompare(b.repo.key));
  const name = (r: RepoResult) => printablePath(r.repo.name);
  const nameWidth = Math.min(40, Math.max(4, ...sorted.map((r) => name(r).length)));
  const label = (r: RepoResult) => verdictLabel(r.verdict, r.historyScanned, r.headCommit);
  const verdictWidth = Math.max(13, ...sorted.map((r) => label(r).length));
  const lines: string[] = [];
  lines.push(`${pad('REPO', nameWidth)}  ${pad('VERDICT', verdictWidth)}  ${pad('FINDINGS', 8)}  REASONS`);
  for (const r of sorted) {
    const [first = '', ...rest] = r.reasons.map(printable);
    lines.push(`${pad(name(r), nameWidth)}  ${pad(label(r), verdictWidth)}  ${pad(String(r.findings.length), 8)}  ${first}`);
    for (const reason of rest) lines.push(`${' '.repeat(nameWidth + 2 + verdictWidth + 2 + 8 + 2)}${reason}`);
  }
  const withFindings = sorted.filter((r) => r.findings.length > 0);
  if (withFindings.length > 0) {
    lines.push('', 'FINDINGS (values redacted)');
    for (const r of withFindings) {
      for (const f of r.findings) {
        const where = f.inHistoryOnly ? `  (history only, first seen in ${f.commit?.slice(0, 12) ?? 'unknown'})` : '';
        lines.push(`  ${name(r)}  ${printablePath(f.path)}:${f.line}:${f.column}  ${printable(f.ruleId)}  ${f.severity}  ${printable(f.redacted)}${where}`);
      }
    }
  }
  const changed = sorted.filter((r) => r.changes && (r.changes.fixed.length + r.changes.new.length + r.changes.moved.length > 0));
  if (changed.length > 0) {
    lines.push('', 'CHANGES SINCE THE LAST SCAN');
    for (const r of changed) {
      const c = r.changes!;
      lines.push(`  ${name(r)}: ${c.fixed.length} fixed, ${c.new.length} new, ${c.moved.length} moved, ${c.stillPresent.length} still present`);
      const afterFix = r.historyScanned ? 'gone from history too; revoke it if it was ever public' : 'still in git history: revoke it';
      for (const f of c.fixed) lines.push(`    fixed  ${printable(f.ruleId)} in ${printablePath(f.path)}:${f.line} (${afterFix})`);
      for (const f of c.new) lines.push(`    new    ${printable(f.ruleId)} in ${printablePath(f.path)}:${f.line}`);
      for (const f of c.moved) lines.push(`    moved  ${printable(f.ruleId)} ${printablePath(f.from.path)}:${f.from.line} -> ${printablePath(f.path)}:${f.line}`);
    }
  }
  if (skipped.length > 0) {
    lines.push('', `SKIPPED (listed, not scanned)`);
    for (const s of [...skipped].sort((a, b) => a.name.localeCompare(b.name))) lines.push(`  ${printablePath(s.name)}  ${printable(s.reason)}`);
  }
  lines.push(
    '',
    `${summary.repos} repo${summary.repos === 1 ? '' : 's'}: ${summary.keepOpen} keep-open, ${summary.reviewNeeded} review-needed, ` +
      `${summary.error} error; ${summary.findings} finding${summary.findings === 1 ? '' : 's'}` +
      (summary.skipped > 0 ? `; ${summary.skipped} skipped` : '') +
      (summary.unchanged > 0 ? `; ${summary.unchanged} unchanged since the last scan (not fetched)` : ''),
  );
  return lines.join('\n') + '\n';
}

export class TableReporter implements ScanReporter {
  private readonly results: RepoResult[] = [];
  private readonly skipped: SkippedRepo[] = [];
  private summary: ScanSummary | undefined;

  onRepoSkipped(repo: SkippedRepo): void {
    this.skipped.push(repo);
  }
  onRepoFinished(result: RepoResult): void {
    this.results.push(result);
  }
  onRepoFailed(result: RepoResult): void {
    this.results.push(result);
  }
  onScanEnd(_scan: unknown, summary: ScanSummary): void {
    this.summary = summary;
  }
  render(): string {
    if (!this.summary) throw new Error('table rendered before the scan ended');
    return renderTable(this.results, this.summary, this.skipped);
  }
}
