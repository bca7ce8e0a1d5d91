import type { RepoResult, ScanInfo, ScanReporter, ScanSummary } from '../scan/events.js';
import type { RepoTarget, SkippedRepo } from '../scan/repo-target.js';
import type { ScanStore } from '../store/scan-store.js';

// Writes the event stream into the database: the scan when it starts, each repo's
// whole result in one transaction when it ends, the scan's end last. An interrupted
// scan is left unfinished, so running the same command again resumes it.

export class StoreReporter implements ScanReporter {
  private scanId: string | undefined;
  constructor(private readonly store: ScanStore) {}

  async onScanStart(scan: ScanInfo): Promise<void> {
    this.scanId = scan.id;
    if (scan.resumed) await this.store.claimScan(scan.id);
    else await this.store.startScan({ id: scan.id, startedAt: scan.startedAt, command: scan.command, ...(scan.resumeKey ? { resumeKey: scan.resumeKey } : {}), ...(scan.detectionDigest ? { detectionDigest: scan.detectionDigest } : {}) });
  }
  async onRepoSkipped(repo: SkippedRepo): Promise<void> {
    if (!this.scanId) throw new Error('skipped repo before the scan started');
    await this.store.recordSkipped(this.scanId, { key: repo.key, name: repo.name, source: repo.source, cloneUrl: repo.source, ...(repo.metadata ? { metadata: repo.metadata } : {}) }, repo.reason);
  }
  onRepoFinished(result: RepoResult): Promise<void> {
    return this.record(result);
  }
  onRepoFailed(result: RepoResult): Promise<void> {
    return this.record(result);
  }
  async onScanEnd(scan: ScanInfo, summary: ScanSummary): Promise<void> {
    if (summary.interrupted) return;
    await this.store.finishScan(scan.id, scan.finishedAt ?? new Date().toISOString());
  }

  private async record(result: RepoResult): Promise<void> {
    if (!this.scanId) throw new Error('repo result before the scan started');
    if (result.alreadyRecorded) return;
    await this.store.recordRepoScan(
      this.scanId,
      repoRecord(result.repo),
      {
        headCommit: result.headCommit, verdict: result.verdict, reasons: result.reasons, historyScanned: result.historyScanned,
        filesScanned: result.filesScanned, bytesScanned: result.bytesScanned, durationMs: result.durationMs,
        ...(result.error !== undefined ? { error: result.error } : {}),
        findings: result.findings, notScanned: result.notScanned, empty: result.empty ?? false, extraReasons: result.extraReasons ?? [],
        ...(result.unchangedSince ? { carriedFrom: result.unchangedSince } : {}),
        ...(result.changes ? { changes: result.changes } : {}),
      },
    );
  }
}

function repoRecord(repo: RepoTarget) {
  return {
    key: repo.key, name: repo.name, source: repo.source,
    ...(repo.cloneUrl ? { cloneUrl: repo.cloneUrl } : {}),
    ...(repo.metadata ? { metadata: repo.metadata } : {}),
  };
}
