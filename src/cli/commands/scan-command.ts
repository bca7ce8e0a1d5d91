import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Detector, DEFAULT_VENDORED_GLOBS } from '../../detect/detector.js';
import { defaultCacheDir, prepareCacheDir } from '../../fetch/clone-cache.js';
import { createGitHttpClient } from '../../fetch/git-http-client.js';
import { JsonReporter } from '../../report/json-report.js';
import { StoreReporter } from '../../report/store-reporter.js';
import { TableReporter } from '../../report/table-report.js';
import { loadRules } from '../../rules/load-rule-dirs.js';
import { detectionDigest } from '../../scan/detection-digest.js';
import { inProcessEngine, WorkerPoolEngine, type DetectionEngine } from '../../scan/detection-engine.js';
import type { RepoResult, ScanReporter } from '../../scan/events.js';
import type { RepoTarget, SkippedRepo } from '../../scan/repo-target.js';
import { runScan, type ScanOptions } from '../../scan/run-scan.js';
import { resolveSources } from '../../sources/resolve-sources.js';
import { inShard, parseShard } from '../../sources/shard.js';
import { ScanStore } from '../../store/scan-store.js';
import { triageDecisions } from '../../store/triage-store.js';
import { DEFAULT_POLICY, type Verdict } from '../../triage/verdict.js';
import { loadPolicyConfig, organisationHostnameRule, type PolicyConfig } from '../../config/policy-config.js';
import type { RuleSpec } from '../../detect/rule-types.js';
import { chooseProgressReporter } from '../../ui/progress/choose-progress-reporter.js';
import { UsageError } from '../../usage-error.js';

/** Options shared by `scan` and `recheck`: how to fetch, detect, triage and report. */
export interface RunOptions {
  db: string;
  format: 'table' | 'json';
  output?: string;
  concurrency: number;
  rules: string[];
  failOnReview: boolean;
  quiet: boolean;
  /** false with --no-progress: plain line logs even on a terminal. */
  progress?: boolean;
  strict: boolean;
  exclude: string[];
  includeVendored: boolean;
  cacheDir?: string;
  keepClones: boolean;
  /** Seconds without data before a network request is abandoned. */
  timeout: number;
  /** Detection threads (0: detect in the main thread). */
  workers: number;
  /** Fetch and scan even when HEAD has not moved since the last scan. */
  force: boolean;
  /** Scan every branch's and tag's history too, not just HEAD. */
  history: boolean;
  /** The central policy file (default: keepopen.config.* in the working folder). */
  config?: string;
  /** false with --no-resume: start afresh even when the same command was interrupted. */
  resume?: boolean;
}

export interface ScanCommandOptions extends RunOptions {
  org: string[];
  repos: string[];
  includeForks: boolean;
  includeArchived: boolean;
  /** I/N: scan only this deterministic part of the repo list. */
  shard?: string;
}

const githubToken = () => process.env.GITHUB_TOKEN || undefined;

/** `keepopen scan PATH... --org --repos`: returns the process exit code. */
export async function scanCommand(paths: string[], options: ScanCommandOptions, command: string): Promise<number> {
  const shard = options.shard !== undefined ? parseShard(options.shard) : undefined;
  const policy = loadPolicyConfig(options.config);
  // A broken rule file is a usage error before anything is fetched.
  loadRules([...options.rules, ...policy.ruleFolders], configRuleSpecs(policy));
  const remoteAsked = options.org.length > 0 || options.repos.length > 0;
  const token = githubToken();
  const sources = await resolveSources({
    paths: paths.length > 0 || remoteAsked ? paths : ['.'],
    orgs: options.org,
    repoLists: options.repos,
    serverUrl: process.env.GITHUB_SERVER_URL || 'https://github.com',
    github: {
      apiUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
      ...(token ? { token } : {}),
      includeForks: options.includeForks,
      includeArchived: options.includeArchived,
      // --timeout bounds every wait on a server: the API's answers as well as the git server's.
      requestTimeoutMs: options.timeout * 1000,
      onWait: (line) => {
        if (!options.quiet) process.stderr.write(`${line}\n`);
      },
    },
  });
  if (sources.targets.length === 0) {
    // Nothing can be scanned: the problems are the error (one line each), exit 2.
    throw new UsageError(sources.problems.length > 0 ? sources.problems.join('\nkeepopen: ') : 'nothing to scan: give a git repo, a folder of repos, --org or --repos');
  }
  // Some sources failed but others gave repos: the scan goes on, the problems are shown (even with --quiet).
  for (const problem of sources.problems) process.stderr.write(`keepopen: ${problem}\n`);
  if (shard) {
    const targets = sources.targets.filter((t) => inShard(t.key, shard));
    const skipped = sources.skipped.filter((s) => inShard(s.key, shard));
    if (!options.quiet) process.stderr.write(`keepopen: shard ${shard.index}/${shard.count}: ${targets.length} of ${sources.targets.length} repos\n`);
    // An empty shard is a finished shard (a small org split many ways), not an error.
    return runAndReport(targets, skipped, options, command);
  }
  return runAndReport(sources.targets, sources.skipped, options, command);
}

/** Scans repos (comparing each with its last recorded result), records everything, and writes the report. */
/** Rules made from the policy file rather than rule files (the organisation's DNS suffixes). */
function configRuleSpecs(policy: PolicyConfig): RuleSpec[] {
  const rule = organisationHostnameRule(policy.hostnameSuffixes);
  return rule ? [rule] : [];
}

/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
const EXIT_INTERRUPTED = 130;

/**
 * What a scan covers, as a digest: its repos and the options that change results. Output
 * options (--format, --quiet, --output) are left out: they do not change what is recorded.
 */
function resumeKeyOf(targets: readonly RepoTarget[], options: RunOptions, digest: string): string {
  const identity = {
    repos: targets.map((t) => t.key).sort(),
    // The rules, keepopen's own code and the excluded paths (--rules, --exclude, --include-vendored,
    // the config's rule folders): upgraded or changed since the interruption, the scan starts afresh.
    detection: digest,
    history: options.history, strict: options.strict, config: options.config ?? null, force: options.force,
  };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The interrupted scan of the same repos and options, if there is one to resume, with what it recorded. */
async function resumeOf(store: ScanStore, resumeKey: string, total: number, quiet: boolean): Promise<ScanOptions['resume']> {
  const scan = await store.resumableScan(resumeKey);
  if (!scan) return undefined;
  const recorded = new Map<string, Omit<RepoResult, 'repo'>>();
  for (const [key, r] of await store.recordedResults(scan.id)) {
    recorded.set(key, {
      headCommit: r.headCommit, verdict: r.verdict as Verdict, reasons: r.reasons, historyScanned: r.historyScanned, findings: r.findings,
      notScanned: r.notScanned, filesScanned: r.filesScanned, bytesScanned: r.bytesScanned, durationMs: r.durationMs,
      empty: r.empty ?? false, extraReasons: r.extraReasons ?? [],
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.carriedFrom !== undefined ? { unchangedSince: r.carriedFrom } : {}),
    });
  }
  if (!quiet) {
    process.stderr.write(
      `keepopen: resuming the interrupted scan ${scan.id.slice(0, 8)} of ${scan.startedAt}: ${recorded.size} of ${total} repos already done (--no-resume to start afresh)\n`,
    );
  }
  return { id: scan.id, startedAt: scan.startedAt, recorded };
}

export async function runAndReport(targets: RepoTarget[], skipped: SkippedRepo[], options: RunOptions, command: string): Promise<number> {
  const config = loadPolicyConfig(options.config);
  const ruleDirs = [...options.rules, ...config.ruleFolders];
  const extraSpecs = configRuleSpecs(config);
  const rules = loadRules(ruleDirs, extraSpecs);
  const token = githubToken();
  // Progress goes to stderr: the live view on a terminal, plain lines otherwise, only failures with --quiet.
  const progress = await chooseProgressReporter({ quiet: options.quiet, progress: options.progress ?? true, stream: process.stderr });
  const store = await ScanStore.open(options.db);
  const excludePaths = [...(options.includeVendored ? [] : DEFAULT_VENDORED_GLOBS), ...config.excludePaths, ...options.exclude];
  const digest = detectionDigest(rules.map((r) => r.spec), excludePaths);
  const resumeKey = resumeKeyOf(targets, options, digest);
  const resume = options.resume === false ? undefined : await resumeOf(store, resumeKey, targets.length, options.quiet);
  // Ctrl-C: no new repo is started; the ones in hand finish and are written; the scan stays resumable.
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C: stop now (each repo is written atomically)
    process.stderr.write('\nkeepopen: interrupted: finishing the repos in hand (Ctrl-C again to stop at once)\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  // Worker threads pay off when there is real work; a single repo scans as fast in this thread.
  const detection: DetectionEngine =
    options.workers > 0 && targets.length > 1
      ? new WorkerPoolEngine({ size: options.workers, ruleDirs, extraSpecs, excludePaths })
      : inProcessEngine(new Detector(rules, { excludePaths }));
  try {
    const output = options.format === 'json' ? new JsonReporter() : new TableReporter();
    const reporters: ScanReporter[] = [new StoreReporter(store), output, progress];
    const { summary } = await runScan({
      targets,
      detection,
      policy: {
        ...DEFAULT_POLICY,
        reviewSeverities: new Set(config.reviewSeverities),
        strict: options.strict,
        decisions: await triageDecisions(store.db),
        allowFingerprints: new Set(config.allowFingerprints),
      },
      reporters,
      concurrency: options.concurrency,
      excludePaths,
      command,
      resumeKey,
      detectionDigest: digest,
      skipped,
      previous: { lookup: (key) => store.previousResult(key) },
      force: options.force,
      history: options.history,
      signal: interrupt.signal,
      ...(resume ? { resume } : {}),
      remote: targets.some((t) => t.kind === 'git-remote')
        ? {
            fetch: { http: createGitHttpClient(options.timeout * 1000), ...(token ? { token } : {}), attempts: 3, backoffMs: 500 },
            cacheDir: prepareCacheDir(options.cacheDir ?? defaultCacheDir()),
            keepClones: options.keepClones,
          }
        : undefined,
    });
    const rendered = output.render();
    if (options.output) writeFileSync(options.output, rendered);
    else process.stdout.write(rendered);
    if (summary.interrupted) {
      process.stderr.write(`keepopen: interrupted after ${summary.repos} of ${targets.length} repos; run the same command again to resume\n`);
      return EXIT_INTERRUPTED;
    }
    return options.failOnReview && summary.reviewNeeded + summary.error > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop?.(); // a scan that threw never reached onScanEnd: give the terminal back
    await detection.close();
    await store.close();
  }
}
