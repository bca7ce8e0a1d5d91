import type { ExportSet } from '../../store/export-queries.js';
import { printable } from '../printable.js';
import { triageCounts } from './triage-counts.js';

// A shortlist a spreadsheet opens: one row per repo (RFC 4180 quoting). Cells that a
// spreadsheet would run as a formula (=, +, -, @ first) get a leading apostrophe.

function cell(value: string | number | boolean | null): string {
  // Control characters from a repo's names are shown escaped (a spreadsheet or a terminal would act on them).
  let text = value === null ? '' : printable(String(value));
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS = [
  'repo', 'verdict', 'reasons', 'head_commit', 'scanned_at', 'history_scanned', 'source',
  'findings_open', 'findings_false_positive', 'findings_accepted_risk', 'findings_revoked', 'findings_suppressed',
] as const;

export function renderCsv(set: ExportSet): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const repo of set.repos) {
    const c = triageCounts(repo);
    lines.push([
      repo.name, repo.verdict, repo.reasons.join('; '), repo.headCommit, repo.scannedAt, repo.historyScanned, repo.source,
      c.open, c.falsePositive, c.acceptedRisk, c.revoked, c.suppressed,
    ].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
