import { writeFileSync } from 'node:fs';
import { Detector, DEFAULT_VENDORED_GLOBS } from '../../detect/detector.js';
import { JsonReporter } from '../../report/json-report.js';
import { LineProgressReporter } from '../../report/line-progress-reporter.js';
import { StoreReporter } from '../../report/store-reporter.js';
import { TableReporter } from '../../report/table-report.js';
import { loadRules } from '../../rules/load-rule-dirs.js';
import type { ScanReporter } from '../../scan/events.js';
import { runScan } from '../../scan/run-scan.js';
import { discoverLocalRepos } from '../../sources/local-paths.js';
import { ScanStore } from '../../store/scan-store.js';
import { DEFAULT_POLICY } from '../../triage/verdict.js';
import { UsageError } from '../../usage-error.js';

export interface ScanCommandOptions {
  db: string;
  format: 'table' | 'json';
  output?: string;
  concurrency: number;
  rules: string[];
  failOnReview: boolean;
  quiet: boolean;
  strict: boolean;
  exclude: string[];
  includeVendored: boolean;
}

/** `keepopen scan PATH...`: returns the process exit code. */
export async function scanCommand(paths: string[], options: ScanCommandOptions, command: string): Promise<number> {
  const rules = loadRules(options.rules);
  const targets = discoverLocalRepos(paths.length > 0 ? paths : ['.']);
  if (targets.length === 0) throw new UsageError('nothing to scan: give a git repo or a folder of repos');

  const store = await ScanStore.open(options.db);
  try {
    const output = options.format === 'json' ? new JsonReporter() : new TableReporter();
    const reporters: ScanReporter[] = [new StoreReporter(store), output];
    if (!options.quiet) reporters.push(new LineProgressReporter(process.stderr));
    const excludePaths = [...(options.includeVendored ? [] : DEFAULT_VENDORED_GLOBS), ...options.exclude];
    const { summary } = await runScan({
      targets,
      detector: new Detector(rules, { excludePaths }),
      policy: { ...DEFAULT_POLICY, strict: options.strict },
      reporters,
      concurrency: options.concurrency,
      excludePaths,
      command,
    });
    const rendered = output.render();
    if (options.output) writeFileSync(options.output, rendered);
    else process.stdout.write(rendered);
    return options.failOnReview && summary.reviewNeeded + summary.error > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
