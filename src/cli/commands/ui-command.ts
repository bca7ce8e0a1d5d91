import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { loadPolicyConfig, organisationHostnameRule } from '../../config/policy-config.js';
import { defaultCacheDir } from '../../fetch/clone-cache.js';
import { ScanStore } from '../../store/scan-store.js';
import { hasResults } from '../../store/ui-queries.js';
import { DEFAULT_POLICY, type TriagePolicy } from '../../triage/verdict.js';
import { UsageError } from '../../usage-error.js';

// `keepopen ui`: the triage browser over a results database, in the terminal.
// Decisions are re-triaged under the same policy `keepopen triage` uses.

export interface UiOptions {
  db: string;
  config?: string;
  cacheDir?: string;
  who?: string;
  /** Show findings' context unmasked (only ever on a terminal, never stored). */
  reveal?: boolean;
}

function defaultWho(): string {
  try {
    return process.env.KEEPOPEN_USER || userInfo().username;
  } catch {
    return 'unknown';
  }
}

export async function uiCommand(options: UiOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError('keepopen ui needs a terminal (stdin and stdout); for a file, use keepopen export');
  }
  const config = loadPolicyConfig(options.config);
  // Ink and React are loaded only here: the other commands do not pay for them.
  const { runBrowser, runNoData } = await import('../../ui/browser/run-browser.js');
  const { storeBrowserSource } = await import('../../ui/browser/browser-source.js');
  // A missing file is not created: the screen says how to make one.
  if (!existsSync(options.db)) {
    await runNoData(options.db, 'missing');
    return 0;
  }
  const store = await ScanStore.open(options.db);
  try {
    if (!(await hasResults(store.db))) {
      await runNoData(options.db, 'empty');
      return 0;
    }
    const policy: TriagePolicy = { ...DEFAULT_POLICY, reviewSeverities: new Set(config.reviewSeverities), allowFingerprints: new Set(config.allowFingerprints) };
    const hostnameRule = organisationHostnameRule(config.hostnameSuffixes);
    await runBrowser(storeBrowserSource(store.db, {
      policy,
      who: options.who ?? defaultWho(),
      cwd: process.cwd(),
      cacheDir: options.cacheDir ?? defaultCacheDir(),
      ruleDirs: config.ruleFolders,
      extraSpecs: hostnameRule ? [hostnameRule] : [],
      reveal: options.reveal === true,
    }));
    return 0;
  } finally {
    await store.close();
  }
}
