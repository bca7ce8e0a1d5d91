import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import type { Finding } from '../detect/rule-types.js';

// A scanned repo's own allowlist: `.keepopen.yaml` at its root. The repo is the
// party being judged, so what it allows is honoured but listed in the verdict,
// and `--strict` ignores it. Pure: text in, marked findings out.

export const REPO_CONFIG_PATH = '.keepopen.yaml';

export interface RepoConfig {
  allowPaths: string[];
  allowFingerprints: string[];
}

/** Parses `.keepopen.yaml`; a broken file allows nothing and says why (it never blocks the scan). */
export function parseRepoConfig(text: string): { config: RepoConfig; problem?: string } {
  const empty = { allowPaths: [], allowFingerprints: [] };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    return { config: empty, problem: `${REPO_CONFIG_PATH} is not valid YAML (${(error as Error).message.split('\n')[0]}); nothing allowed by it` };
  }
  const allow = (doc as { allow?: { paths?: unknown; fingerprints?: unknown } } | null)?.allow;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);
  return { config: { allowPaths: strings(allow?.paths), allowFingerprints: strings(allow?.fingerprints) } };
}

/** Marks findings the repo's config allows (unless already suppressed inline). */
export function applyRepoConfig(findings: Finding[], config: RepoConfig): void {
  const pathAllowed = config.allowPaths.length > 0 ? picomatch(config.allowPaths, { dot: true }) : () => false;
  const fingerprints = new Set(config.allowFingerprints);
  for (const f of findings) {
    if (f.suppressedBy) continue;
    if (fingerprints.has(f.fingerprint)) f.suppressedBy = { marker: `${REPO_CONFIG_PATH} fingerprint`, line: 0 };
    else if (pathAllowed(f.path)) f.suppressedBy = { marker: `${REPO_CONFIG_PATH} path`, line: 0 };
  }
}
