import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileRules, parseRuleFile, RuleFormatError } from '../detect/rule-compiler.js';
import type { CompiledRule, RuleSpec } from '../detect/rule-types.js';
import { packageRoot } from '../package-root.js';

// The thin I/O layer around rule parsing: finds rule files on disk and hands
// their text to the pure compiler in src/detect.

const RULE_FILE = /\.(ya?ml|json)$/i;

/** The patterns/ folder shipped with keepopen (next to dist/ and src/ at the package root). */
export const BUILTIN_RULES_DIR = join(packageRoot(), 'patterns');

export function ruleFilesIn(dir: string): string[] {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new RuleFormatError(`rules folder ${dir} does not exist: give a folder of .yaml rule files`);
  }
  if (!stat.isDirectory()) throw new RuleFormatError(`rules folder ${dir} is not a folder: give a folder of .yaml rule files`);
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && RULE_FILE.test(entry.name)) files.push(full);
    }
  };
  walk(dir);
  return files;
}

export function loadRuleSpecs(dirs: string[]): RuleSpec[] {
  const specs: RuleSpec[] = [];
  for (const dir of dirs) {
    for (const file of ruleFilesIn(dir)) {
      const name = dir === BUILTIN_RULES_DIR ? `patterns/${relative(dir, file)}` : file;
      specs.push(...parseRuleFile(readFileSync(file, 'utf8'), name));
    }
  }
  return specs;
}

/** The built-in rules plus any user rule folders (and rules made from configuration), compiled. */
export function loadRules(extraDirs: string[] = [], extraSpecs: RuleSpec[] = []): CompiledRule[] {
  return compileRules([...loadRuleSpecs([BUILTIN_RULES_DIR, ...extraDirs]), ...extraSpecs]);
}
