import type { RepoResult, ScanReporter } from '../../scan/events.js';
import type { RepoTarget } from '../../scan/repo-target.js';

// The live figures of a scan, kept from the event stream. Each hook is a few
// counter updates, so it costs the scan nothing; the view reads a snapshot
// when it draws (a few times a second), never on each event.

export interface RepoFailure {
  name: string;
  reason: string;
}

export interface ProgressSnapshot {
  /** Repos queued (the whole run). */
  total: number;
  /** Repos finished or failed. */
  done: number;
  keepOpen: number;
  reviewNeeded: number;
  error: number;
  /** Repos a source listed but that are not scanned (forks, archived). */
  skipped: number;
  /** Repos whose HEAD had not moved: nothing fetched or scanned. */
  unchanged: number;
  findings: number;
  bytes: number;
  /** Repos being fetched or scanned now, oldest first, with when each started. */
  inFlight: { name: string; startedAt: number }[];
  /** Every failure so far, in the order they happened. */
  failures: RepoFailure[];
  elapsedMs: number;
  /** Repos finished per minute so far (0 until one is). */
  reposPerMinute: number;
  bytesPerSecond: number;
  /** Time left at the rate so far; undefined until a repo is done. */
  etaMs: number | undefined;
  finished: boolean;
}

export class ProgressTracker implements ScanReporter {
  private total = 0;
  private done = 0;
  private keepOpen = 0;
  private reviewNeeded = 0;
  private error = 0;
  private skipped = 0;
  private unchanged = 0;
  private findings = 0;
  private bytes = 0;
  private readonly inFlight = new Map<string, { name: string; startedAt: number }>();
  private readonly failures: RepoFailure[] = [];
  private startedAt: number;
  private endedAt: number | undefined;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  onScanStart(): void {
    this.startedAt = this.now();
  }
  onRepoSkipped(): void {
    this.skipped++;
  }
  onRepoQueued(): void {
    this.total++;
  }
  onRepoStarted(repo: RepoTarget): void {
    this.inFlight.set(repo.key, { name: repo.name, startedAt: this.now() });
  }
  onFinding(): void {
    this.findings++;
  }
  onRepoFinished(result: RepoResult): void {
    this.ended(result);
    if (result.verdict === 'keep-open') this.keepOpen++;
    else this.reviewNeeded++;
  }
  onRepoFailed(result: RepoResult): void {
    this.ended(result);
    this.error++;
    this.failures.push({ name: result.repo.name, reason: result.error ?? result.reasons[0] ?? 'failed' });
  }
  onScanEnd(): void {
    this.endedAt = this.now();
  }

  private ended(result: RepoResult): void {
    this.done++;
    this.bytes += result.bytesScanned;
    this.inFlight.delete(result.repo.key);
    if (result.unchangedSince) {
      this.unchanged++;
      // Findings carried forward from an earlier scan were not emitted as events: count them here.
      this.findings += result.findings.length;
    }
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(1, (this.endedAt ?? this.now()) - this.startedAt);
    const perMs = this.done / elapsedMs;
    return {
      total: this.total, done: this.done, keepOpen: this.keepOpen, reviewNeeded: this.reviewNeeded, error: this.error,
      skipped: this.skipped, unchanged: this.unchanged, findings: this.findings, bytes: this.bytes,
      inFlight: [...this.inFlight.values()],
      failures: [...this.failures],
      elapsedMs,
      reposPerMinute: perMs * 60_000,
      bytesPerSecond: (this.bytes / elapsedMs) * 1000,
      etaMs: this.done > 0 ? (this.total - this.done) / perMs : undefined,
      finished: this.endedAt !== undefined,
    };
  }
}
