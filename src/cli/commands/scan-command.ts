import { writeFileSync } from 'node:fs';
import { Detector, DEFAULT_VENDORED_GLOBS } from '../../detect/detector.js';
import { defaultCacheDir, prepareCacheDir } from '../../fetch/clone-cache.js';
import { createGitHttpClient } from '../../fetch/git-http-client.js';
import { JsonReporter } from '../../report/json-report.js';
import { StoreReporter } from '../../report/store-reporter.js';
import { TableReporter } from '../../report/table-report.js';
import { loadRules } from '../../rules/load-rule-dirs.js';
import { inProcessEngine, WorkerPoolEngine, type DetectionEngine } from '../../scan/detection-engine.js';
import type { ScanReporter } from '../../scan/events.js';
import type { RepoTarget, SkippedRepo } from '../../scan/repo-target.js';
import { runScan } from '../../scan/run-scan.js';
import { resolveSources } from '../../sources/resolve-sources.js';
import { inShard, parseShard } from '../../sources/shard.js';
import { ScanStore } from '../../store/scan-store.js';
import { triageDecisions } from '../../store/triage-store.js';
import { DEFAULT_POLICY } from '../../triage/verdict.js';
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
      skipped,
      previous: { lookup: (key) => store.previousResult(key) },
      force: options.force,
      history: options.history,
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
    return options.failOnReview && summary.reviewNeeded + summary.error > 0 ? 1 : 0;
  } finally {
    progress.stop?.(); // a scan that threw never reached onScanEnd: give the terminal back
    await detection.close();
    await store.close();
  }
}
