import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * keepopen's own install folder (where package.json and patterns/ live), found by
 * walking up from this module, so it is right both from src/ (tests) and dist/src/ (the CLI).
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'patterns'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('keepopen cannot find its own patterns/ folder: reinstall the package');
    dir = parent;
  }
}
