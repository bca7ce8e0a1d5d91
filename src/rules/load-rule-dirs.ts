import { createHash } from 'node:crypto';
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

/**
 * Rule files already parsed in this process, by path, with the text they were parsed from: YAML
 * parsing is most of the cost of loading rules (hundreds of ms), and a scan loads them more than
 * once (to check them before fetching, then to run them). A file whose text changed is parsed again.
 */
const parsed = new Map<string, { text: string; name: string; specs: RuleSpec[] }>();

/**
 * The built-in rule files parsed at build time (scripts/precompile-rules.mjs), by name, each with
 * the sha-256 of the text it was parsed from: a process starts without parsing YAML (about a
 * third of a second). A file whose text no longer has that digest (patterns/ edited since the
 * build) is parsed from its YAML, so the rules run are always the rules on disk.
 */
export interface PrecompiledRules {
  files: Record<string, { sha256: string; specs: RuleSpec[] }>;
}

export const PRECOMPILED_RULES_PATH = join(packageRoot(), 'dist', 'patterns.json');

let builtinPrecompiled: PrecompiledRules | undefined | null = null;

function readPrecompiled(): PrecompiledRules | undefined {
  if (builtinPrecompiled === null) {
    try {
      builtinPrecompiled = JSON.parse(readFileSync(PRECOMPILED_RULES_PATH, 'utf8')) as PrecompiledRules;
    } catch {
      builtinPrecompiled = undefined; // not built (or unreadable): the YAML is parsed
    }
  }
  return builtinPrecompiled;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One rule file's specs: from the precompiled set when its text is the one compiled, else parsed. */
function parseOrReuse(text: string, name: string, precompiled: PrecompiledRules | undefined): RuleSpec[] {
  const compiled = precompiled?.files[name];
  if (compiled !== undefined && compiled.sha256 === sha256(text)) return compiled.specs;
  return parseRuleFile(text, name);
}

export function loadRuleSpecs(dirs: string[], precompiled: PrecompiledRules | undefined = readPrecompiled()): RuleSpec[] {
  const specs: RuleSpec[] = [];
  for (const dir of dirs) {
    for (const file of ruleFilesIn(dir)) {
      const name = dir === BUILTIN_RULES_DIR ? `patterns/${relative(dir, file)}` : file;
      const text = readFileSync(file, 'utf8');
      let entry = parsed.get(file);
      if (entry === undefined || entry.text !== text || entry.name !== name) {
        entry = { text, name, specs: parseOrReuse(text, name, precompiled) };
        parsed.set(file, entry);
      }
      // Copies, so a caller that changes a spec does not change the next caller's.
      specs.push(...structuredClone(entry.specs));
    }
  }
  return specs;
}

/** The built-in rules plus any user rule folders (and rules made from configuration), compiled. */
export function loadRules(extraDirs: string[] = [], extraSpecs: RuleSpec[] = []): CompiledRule[] {
  return compileRules([...loadRuleSpecs([BUILTIN_RULES_DIR, ...extraDirs]), ...extraSpecs]);
}
