import type { ExportRepo } from '../../store/export-queries.js';

/** How a repo's findings stand: open, decided (false-positive, accepted-risk, revoked), or suppressed by the repo itself. */
export function triageCounts(repo: ExportRepo): { open: number; falsePositive: number; acceptedRisk: number; revoked: number; suppressed: number } {
  const counts = { open: 0, falsePositive: 0, acceptedRisk: 0, revoked: 0, suppressed: 0 };
  for (const f of repo.findings) {
    if (f.triage === 'false-positive') counts.falsePositive++;
    else if (f.triage === 'accepted-risk') counts.acceptedRisk++;
    else if (f.triage === 'revoked') counts.revoked++;
    else if (f.suppressedBy) counts.suppressed++;
    else counts.open++;
  }
  return counts;
}
