import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Finding } from '../detect/rule-types.js';
import { openFolder } from '../fetch/folder-reader.js';
import { rmSync } from 'node:fs';
import { clonePathFor } from '../fetch/clone-cache.js';
import { openGitHead } from '../fetch/git-head-reader.js';
import { localHeadCommit, remoteHeadCommit } from '../fetch/head-lookup.js';
import { shallowFetch, type FetchOptions } from '../fetch/shallow-clone.js';
import { compareFindings, fixedReason, type PreviousResult } from '../triage/compare-scans.js';
import type { RepoSnapshot } from '../fetch/repo-files.js';
import { applyRepoConfig, parseRepoConfig, REPO_CONFIG_PATH } from '../triage/repo-config.js';
import { DEFAULT_POLICY, isPlainFolder, triage, type NotScannedFile, type TriagePolicy } from '../triage/verdict.js';
import type { DetectionEngine } from './detection-engine.js';
import { scanHistory } from './history-scan.js';
import { ScanEventStream, type RepoResult, type ScanInfo, type ScanReporter, type ScanSummary } from './events.js';
import type { RepoTarget, SkippedRepo } from './repo-target.js';

// The orchestrator: repos in, one event stream out. It reads each repo, hands
// every file to the pure detector, triages, and tells the reporters. A repo that
// fails becomes verdict error; it never stops the others.

export interface ScanOptions {
  targets: RepoTarget[];
  /** Where files are scanned: in this thread or on a worker pool. */
  detection: DetectionEngine;
  policy?: TriagePolicy;
  reporters: ScanReporter[];
  /** Repos read at once. */
  concurrency: number;
  /** Globs of paths not read at all. */
  excludePaths: string[];
  command: string;
  /** See ScanInfo.resumeKey. */
  resumeKey?: string;
  /** See ScanInfo.detectionDigest. Without it nothing is carried forward: every repo is scanned. */
  detectionDigest?: string;
  /** Repos a source listed but that are not scanned (forks, archived): reported, not scanned. */
  skipped?: SkippedRepo[];
  /** For remote repos: how to fetch, where clones go, and whether they stay after the scan. */
  remote?: { fetch: FetchOptions; cacheDir: string; keepClones: boolean };
  /** Each repo's last recorded result, to compare with (and to skip repos whose HEAD has not moved). */
  previous?: PreviousResults;
  /** Fetch and scan even when HEAD has not moved since the last scan. */
  force?: boolean;
  /** Also scan every blob of every ref's history (git repos), once each. */
  history?: boolean;
  /** Continue an interrupted scan: its id, and the results it recorded (by repo key), which are reported, not rescanned. */
  resume?: { id: string; startedAt: string; recorded: ReadonlyMap<string, Omit<RepoResult, 'repo'>> };
  /** Aborted (SIGINT): no new repo is started; the ones in hand finish and are reported. */
  signal?: AbortSignal;
}

export interface PreviousResults {
  lookup(repoKey: string): Promise<PreviousResult | undefined>;
}

/** HEAD's commit without fetching or reading anything else; undefined when it cannot be told cheaply. */
async function currentHead(target: RepoTarget, options: ScanOptions): Promise<string | undefined> {
  if (target.kind === 'git-remote') {
    if (!options.remote || !target.cloneUrl) return undefined;
    return remoteHeadCommit(target.cloneUrl, options.remote.fetch.http, options.remote.fetch.token);
  }
  if (target.kind === 'folder' || target.gitdir === undefined) return undefined;
  return localHeadCommit(target.gitdir);
}

/** The last result again, re-triaged under today's policy and decisions: HEAD has not moved, so nothing was fetched or scanned. */
function carryForward(target: RepoTarget, previous: PreviousResult, policy: TriagePolicy): RepoResult {
  const outcome = triage(
    { findings: previous.findings, notScanned: previous.notScanned, historyScanned: previous.historyScanned, empty: previous.empty },
    policy,
  );
  outcome.reasons.push(...previous.extraReasons);
  outcome.reasons.push(`unchanged since the last scan (HEAD ${previous.headCommit?.slice(0, 12)}): not fetched or scanned again (--force to rescan)`);
  return {
    repo: target, headCommit: previous.headCommit, ...outcome, historyScanned: previous.historyScanned,
    findings: previous.findings, notScanned: previous.notScanned, filesScanned: 0, bytesScanned: 0, durationMs: 0,
    empty: previous.empty, extraReasons: previous.extraReasons, unchangedSince: previous.scanId,
  };
}

/** A repo ready to read, and what to do once it has been read. */
interface OpenedRepo {
  snapshot: RepoSnapshot;
  /** The git directory, for a history scan (none for a plain folder). */
  gitdir?: string;
  /** Why the fetched history is not all the server offers (refs left out): history is then incomplete. */
  historyGaps?: string[];
  release: () => void;
}

async function openRepo(target: RepoTarget, options: ScanOptions): Promise<OpenedRepo> {
  const { excludePaths } = options;
  if (target.kind === 'folder') return { snapshot: openFolder(target.source, { excludePaths }), release: () => {} };
  if (target.kind === 'git-remote') {
    if (!options.remote || !target.cloneUrl) throw new Error(`no way to fetch ${target.source}`);
    const { fetch, cacheDir, keepClones } = options.remote;
    const gitdir = clonePathFor(cacheDir, target.key);
    const fetched = await shallowFetch(target.cloneUrl, gitdir, { ...fetch, history: options.history === true });
    const historyGaps: string[] = [];
    const other = fetched.otherRefs;
    if (other && other.fetched < other.offered) {
      historyGaps.push(`history incomplete: the server offers ${other.offered} refs beyond branches and tags (pull requests and the like); only the first ${other.fetched} were fetched and scanned`);
    }
    const release = () => {
      if (!keepClones) rmSync(gitdir, { recursive: true, force: true });
    };
    try {
      return { snapshot: await openGitHead(gitdir, { excludePaths }), gitdir, release, historyGaps };
    } catch (error) {
      release();
      throw error;
    }
  }
  if (target.gitdir === undefined) throw new Error(`no git directory for ${target.source}`);
  return { snapshot: await openGitHead(target.gitdir, { excludePaths }), gitdir: target.gitdir, release: () => {} };
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? 'unknown error';
}

async function scanRepo(target: RepoTarget, options: ScanOptions, events: ScanEventStream): Promise<RepoResult> {
  const started = performance.now();
  const findings: Finding[] = [];
  const notScanned: NotScannedFile[] = [];
  let headCommit: string | null = null;
  let filesScanned = 0;
  let bytesScanned = 0;
  let repoConfigText: string | undefined;
  let historyScanned = false;
  const policy = options.policy ?? DEFAULT_POLICY;
  let opened: OpenedRepo | undefined;
  try {
    opened = await openRepo(target, options);
    const { snapshot } = opened;
    headCommit = snapshot.headCommit;
    for await (const entry of snapshot.entries()) {
      if (entry.type === 'not-scanned') {
        notScanned.push({ path: entry.path, reason: entry.reason });
        continue;
      }
      const result = await options.detection.scan(entry.path, entry.bytes);
      if (result.skipped === 'excluded-path') {
        notScanned.push({ path: entry.path, reason: 'excluded-path' });
        continue;
      }
      filesScanned++;
      bytesScanned += entry.bytes.length;
      if (entry.path === REPO_CONFIG_PATH) repoConfigText = Buffer.from(entry.bytes).toString('utf8');
      for (const finding of result.findings) {
        findings.push(finding);
        await events.emit('onFinding', target, finding);
      }
    }
    const configReasons: string[] = [];
    if (options.history && opened.gitdir !== undefined && !snapshot.empty) {
      const history = await scanHistory(opened.gitdir, findings, options.detection, options.excludePaths);
      for (const finding of history.findings) {
        findings.push(finding);
        await events.emit('onFinding', target, finding);
      }
      notScanned.push(...history.notScanned);
      filesScanned += history.filesScanned;
      bytesScanned += history.bytesScanned;
      const gaps = opened.historyGaps ?? [];
      historyScanned = history.complete && gaps.length === 0;
      configReasons.push(...history.reasons, ...gaps);
    } else if (options.history && snapshot.empty) {
      historyScanned = true; // no commits: no history to hold anything
    }
    if (repoConfigText !== undefined && !policy.strict) {
      const { config, problem } = parseRepoConfig(repoConfigText);
      if (problem) configReasons.push(problem);
      applyRepoConfig(findings, config);
    }
    const empty = snapshot.empty ?? false;
    const outcome = triage({ findings, notScanned, historyScanned, empty, notGit: isPlainFolder(headCommit, empty) }, policy);
    outcome.reasons.push(...configReasons);
    return {
      repo: target, headCommit, ...outcome, historyScanned, findings, notScanned,
      filesScanned, bytesScanned, durationMs: performance.now() - started, empty, extraReasons: configReasons,
    };
  } catch (error) {
    const message = errorMessage(error);
    const outcome = triage({ findings, notScanned, historyScanned: false, error: message }, policy);
    // Findings from a partial read are kept: they are real, but the verdict stays error.
    return {
      repo: target, headCommit, ...outcome, historyScanned: false, findings, notScanned,
      filesScanned, bytesScanned, durationMs: performance.now() - started, error: message,
    };
  } finally {
    opened?.release();
  }
}

function count(summary: ScanSummary, result: RepoResult): void {
  summary.repos++;
  if (result.unchangedSince) summary.unchanged++;
  summary.findings += result.findings.length;
  if (result.verdict === 'keep-open') summary.keepOpen++;
  else if (result.verdict === 'review-needed') summary.reviewNeeded++;
  else summary.error++;
}

export async function runScan(options: ScanOptions): Promise<{ scan: ScanInfo; summary: ScanSummary }> {
  const events = new ScanEventStream(options.reporters);
  const { resume, signal } = options;
  const scan: ScanInfo = resume
    ? { id: resume.id, startedAt: resume.startedAt, command: options.command, resumed: true }
    : { id: randomUUID(), startedAt: new Date().toISOString(), command: options.command, ...(options.resumeKey ? { resumeKey: options.resumeKey } : {}),
        ...(options.detectionDigest ? { detectionDigest: options.detectionDigest } : {}) };
  const summary: ScanSummary = { repos: 0, skipped: options.skipped?.length ?? 0, unchanged: 0, keepOpen: 0, reviewNeeded: 0, error: 0, findings: 0 };
  await events.emit('onScanStart', scan);
  for (const skipped of options.skipped ?? []) await events.emit('onRepoSkipped', skipped);
  for (const target of options.targets) await events.emit('onRepoQueued', target);

  // What the interrupted run finished is reported again as it was recorded, not rescanned.
  const pending: RepoTarget[] = [];
  for (const target of options.targets) {
    const recorded = resume?.recorded.get(target.key);
    if (!recorded) {
      pending.push(target);
      continue;
    }
    const result: RepoResult = { ...recorded, repo: target, alreadyRecorded: true };
    count(summary, result);
    await events.emit(result.verdict === 'error' ? 'onRepoFailed' : 'onRepoFinished', result);
  }
  if (resume) summary.resumed = summary.repos;

  // A reporter that cannot record (the database's disk is full) stops the scan: nothing
  // more is started, the repos in hand finish, and the failure is thrown at the end.
  // SIGINT (the signal) stops the scan the same way, without the failure.
  let fatal: { error: unknown } | undefined;
  const queue = new PQueue({ concurrency: Math.max(1, options.concurrency) });
  await Promise.all(
    pending.map((target) =>
      queue.add(async () => {
        if (fatal || signal?.aborted) return;
        try {
          count(summary, await scanAndReport(target, options, events));
        } catch (error) {
          fatal ??= { error };
        }
      }),
    ),
  );
  if (fatal) throw fatal.error;
  // An interrupted scan stays unfinished in the record, so the same command resumes it.
  if (summary.repos < options.targets.length) summary.interrupted = true;
  else scan.finishedAt = new Date().toISOString();
  await events.emit('onScanEnd', scan, summary);
  return { scan, summary };
}

/** One repo: carried forward when HEAD has not moved, else scanned; compared with its last result; reported. */
async function scanAndReport(target: RepoTarget, options: ScanOptions, events: ScanEventStream): Promise<RepoResult> {
  await events.emit('onRepoStarted', target);
  const previous = await options.previous?.lookup(target.key);
  let result: RepoResult | undefined;
  // A history scan always fetches: HEAD standing still says nothing about the other refs.
  // And only a result made by the same rules and code: a new rule or a new keepopen must look again.
  const sameDetection = options.detectionDigest !== undefined && previous?.detectionDigest === options.detectionDigest;
  if (previous && sameDetection && !options.force && !options.history && previous.headCommit !== null && previous.verdict !== 'error') {
    // A failed lookup just means a full fetch, which will say what is wrong.
    const head = await currentHead(target, options).catch(() => undefined);
    if (head === previous.headCommit) result = carryForward(target, previous, options.policy ?? DEFAULT_POLICY);
  }
  result ??= await scanRepo(target, options, events);
  if (previous && result.verdict !== 'error') {
    // A HEAD-only scan cannot see history: what the last scan found only there is not "fixed".
    const comparable = result.historyScanned ? previous.findings : previous.findings.filter((f) => !f.inHistoryOnly);
    result.changes = compareFindings(comparable, result.findings);
    const fixed = fixedReason(result.changes.fixed, result.historyScanned);
    if (fixed) result.reasons.push(fixed);
  }
  await events.emit(result.verdict === 'error' ? 'onRepoFailed' : 'onRepoFinished', result);
  return result;
}
