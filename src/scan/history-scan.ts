import type { Finding } from '../detect/rule-types.js';
import { historyOnlyBlobs, indexHistory, type HistoryIndex } from '../fetch/git-history-reader.js';
import type { NotScannedFile } from '../triage/verdict.js';
import type { DetectionEngine } from './detection-engine.js';

// The history half of a --history scan: HEAD has been scanned already; this scans
// every blob that only history holds, once, and ties each finding to the first
// commit and path where its blob appeared. A secret also found at HEAD is HEAD's
// finding; the rest are "in history only".

export interface HistoryScanResult {
  /** Findings whose secret is no longer at HEAD, one place per secret (its first appearance). */
  findings: Finding[];
  notScanned: NotScannedFile[];
  filesScanned: number;
  bytesScanned: number;
  commits: number;
  /** False when the walk could not reach every commit (a shallow local repo). */
  complete: boolean;
  /** Reasons to add to the verdict (why history is incomplete). */
  reasons: string[];
}

export async function scanHistory(
  gitdir: string,
  headFindings: Finding[],
  detection: DetectionEngine,
  excludePaths: string[],
): Promise<HistoryScanResult> {
  const index = await indexHistory(gitdir);
  try {
    return await scanIndexedHistory(index, headFindings, detection, excludePaths);
  } finally {
    index.store.close();
  }
}

async function scanIndexedHistory(
  index: HistoryIndex,
  headFindings: Finding[],
  detection: DetectionEngine,
  excludePaths: string[],
): Promise<HistoryScanResult> {
  // HEAD's findings learn the commit that introduced their blob.
  for (const f of headFindings) {
    const oid = index.headBlobs.get(f.path);
    const first = oid !== undefined ? index.firstSeen.get(oid) : undefined;
    if (first) f.commit = first.commit;
  }
  const atHead = new Set(headFindings.map((f) => f.fingerprint));
  // The first blob (oldest commit) where each secret shows up; its findings there are the ones reported.
  const firstBlobOf = new Map<string, string>();
  const findings: Finding[] = [];
  const notScanned: NotScannedFile[] = [];
  let filesScanned = 0;
  let bytesScanned = 0;
  for await (const entry of historyOnlyBlobs(index, { excludePaths })) {
    if (entry.type === 'not-scanned') {
      if (entry.reason !== 'excluded-path') notScanned.push({ path: `${entry.path} (history, ${entry.commit.slice(0, 12)})`, reason: entry.reason });
      continue;
    }
    const result = await detection.scan(entry.path, entry.bytes);
    if (result.skipped === 'excluded-path') continue;
    filesScanned++;
    bytesScanned += entry.bytes.length;
    for (const f of result.findings) {
      if (atHead.has(f.fingerprint)) continue;
      const first = firstBlobOf.get(f.fingerprint);
      if (first !== undefined && first !== entry.oid) continue;
      firstBlobOf.set(f.fingerprint, entry.oid);
      findings.push({ ...f, commit: entry.commit, inHistoryOnly: true });
    }
  }
  const reasons: string[] = [];
  if (index.shallow) {
    reasons.push('history incomplete: the repository is a shallow clone, so commits before its boundary were not scanned (fetch the full history)');
  }
  return { findings, notScanned, filesScanned, bytesScanned, commits: index.commits, complete: !index.shallow, reasons };
}
