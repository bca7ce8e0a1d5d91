import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleSpec } from '../detect/rule-types.js';

// What a repo's recorded findings depend on besides its content: the rules, the code that
// reads repos and runs the rules, and the paths left out. A repo whose HEAD has not moved
// is carried forward (not fetched or scanned again) only when this digest is the one its
// last result was made with: after keepopen is upgraded, a rule is added or --exclude
// changes, "unchanged" would otherwise repeat a verdict today's keepopen might not give.

/** The folders (next to this one) whose code decides what is found: reading repos, and detection. */
const CODE_FOLDERS = ['detect', 'fetch', 'rules'];

let codeDigest: string | undefined;

/** The source (or built) files of the code that finds things, hashed once per process. */
function detectionCodeDigest(): string {
  if (codeDigest !== undefined) return codeDigest;
  const hash = createHash('sha256');
  const here = dirname(fileURLToPath(import.meta.url));
  for (const folder of CODE_FOLDERS) {
    const dir = join(here, '..', folder);
    for (const name of readdirSync(dir).filter((n) => /\.(ts|tsx|js|mjs|wasm)$/.test(n) && !n.endsWith('.d.ts')).sort()) {
      hash.update(`${folder}/${name}\0`).update(readFileSync(join(dir, name))).update('\0');
    }
  }
  codeDigest = hash.digest('hex');
  return codeDigest;
}

/** A digest of everything besides a repo's content that decides its findings. */
export function detectionDigest(rules: readonly RuleSpec[], excludePaths: readonly string[]): string {
  return createHash('sha256')
    .update(detectionCodeDigest())
    .update(JSON.stringify({ rules, excludePaths: [...excludePaths] }))
    .digest('hex');
}
