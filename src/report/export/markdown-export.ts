import type { ExportSet } from '../../store/export-queries.js';
import { triageCounts } from './triage-counts.js';
import { verdictLabel } from '../../triage/verdict.js';
import { printable } from '../printable.js';

// A shortlist to paste into a decision paper: a summary, then one table row per repo.

/** One table cell: no line breaks, pipes or HTML from a repo's names survive as markup; controls are shown escaped. */
function escape(text: string): string {
  return printable(text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

export function renderMarkdown(set: ExportSet, verdict?: string): string {
  const counts = new Map<string, number>();
  for (const r of set.repos) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const title = verdict === 'keep-open' ? 'Keep-open shortlist' : verdict ? `Repositories: ${verdict}` : 'Repository triage';
  const lines = [
    `# ${title}`,
    '',
    `${set.repos.length} repositor${set.repos.length === 1 ? 'y' : 'ies'}` +
      (counts.size > 0 ? ` (${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')})` : '') +
      `, from keepopen results as of ${set.latestScan?.finishedAt ?? set.latestScan?.startedAt ?? 'no scan'}.`,
    '',
    '| Repository | Verdict | Reasons | HEAD commit | Scanned at | Findings (open / triaged / suppressed) |',
    '|---|---|---|---|---|---|',
  ];
  for (const repo of set.repos) {
    const c = triageCounts(repo);
    const reasons = repo.reasons.length > 0 ? repo.reasons.map(escape).join('<br>') : '';
    lines.push(
      `| ${escape(repo.name)} | ${verdictLabel(repo.verdict, repo.historyScanned, repo.headCommit)} | ${reasons} | ${repo.headCommit ? `\`${repo.headCommit.slice(0, 12)}\`` : ''} | ${repo.scannedAt} | ` +
        `${c.open} / ${c.falsePositive + c.acceptedRisk + c.revoked} / ${c.suppressed} |`,
    );
  }
  lines.push('', 'A keep-open (HEAD only) verdict did not scan history: a secret removed at HEAD may still be in it (scan with --history).');
  return lines.join('\n') + '\n';
}
