import type { Finding } from '../detect/rule-types.js';
import type { RepoChanges } from '../triage/compare-scans.js';
import type { NotScannedFile, Verdict } from '../triage/verdict.js';
import type { RepoTarget, SkippedRepo } from './repo-target.js';

// The one event stream of a scan. Reporters (table, JSON, database, progress UI)
// are plain objects of optional hooks, as Vitest's reporters are; the scan awaits
// each hook so that, e.g., the database has a repo's results before the scan ends.

export interface ScanInfo {
  id: string;
  startedAt: string;
  finishedAt?: string;
  /** The command line that started it (without secrets), for the record. */
  command: string;
  /** What the scan covers (repos and result-changing options), so an interrupted run can be found and resumed. */
  resumeKey?: string;
  /** See detection-digest.ts: carried-forward results must have been made with the same. */
  detectionDigest?: string;
  /** Set when this run resumes an interrupted scan (same id; repos already recorded are not scanned again). */
  resumed?: boolean;
}

export interface RepoResult {
  repo: RepoTarget;
  headCommit: string | null;
  verdict: Verdict;
  reasons: string[];
  historyScanned: boolean;
  findings: Finding[];
  notScanned: NotScannedFile[];
  filesScanned: number;
  bytesScanned: number;
  durationMs: number;
  error?: string;
  /** The repo has no commits. */
  empty?: boolean;
  /** Reasons that do not come from findings (a broken .keepopen.yaml). */
  extraReasons?: string[];
  /** Set when HEAD had not moved: the id of the scan whose results were carried forward (nothing fetched or scanned). */
  unchangedSince?: string;
  /** Against the repo's last recorded result, when there was one. */
  changes?: RepoChanges;
  /** Recorded by the interrupted run this one resumes: reported again, not scanned or written again. */
  alreadyRecorded?: boolean;
}

export interface ScanSummary {
  repos: number;
  skipped: number;
  /** Repos whose HEAD had not moved, so nothing was fetched or scanned. */
  unchanged: number;
  keepOpen: number;
  reviewNeeded: number;
  error: number;
  findings: number;
  /** Repos whose results came from the interrupted run this one resumed. */
  resumed?: number;
  /** Stopped early (SIGINT): the repos in hand were finished and written; the rest were not started. */
  interrupted?: boolean;
}

type Awaitable = void | Promise<void>;

export interface ScanReporter {
  onScanStart?(scan: ScanInfo): Awaitable;
  /** A repo a source listed but that is not scanned (a fork, archived), with the reason. */
  onRepoSkipped?(repo: SkippedRepo): Awaitable;
  onRepoQueued?(repo: RepoTarget): Awaitable;
  onRepoStarted?(repo: RepoTarget): Awaitable;
  onFinding?(repo: RepoTarget, finding: Finding): Awaitable;
  /** The repo was scanned completely (keep-open or review-needed). */
  onRepoFinished?(result: RepoResult): Awaitable;
  /** The repo's scan did not complete; its result has verdict error. */
  onRepoFailed?(result: RepoResult): Awaitable;
  onScanEnd?(scan: ScanInfo, summary: ScanSummary): Awaitable;
}

type HookName = keyof ScanReporter;
type HookArgs<K extends HookName> = Parameters<NonNullable<ScanReporter[K]>>;

/** Fans each event out to every reporter, in order, awaiting each. */
export class ScanEventStream {
  constructor(private readonly reporters: readonly ScanReporter[]) {}

  async emit<K extends HookName>(hook: K, ...args: HookArgs<K>): Promise<void> {
    for (const reporter of this.reporters) {
      const fn = reporter[hook] as ((...a: HookArgs<K>) => Awaitable) | undefined;
      if (fn) await fn.apply(reporter, args);
    }
  }
}
