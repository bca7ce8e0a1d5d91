// After tsc: parse the built-in rule files (patterns/) once, into dist/patterns.json, so a
// keepopen process starts without parsing YAML. Each file's entry carries the sha-256 of the
// text it came from; load-rule-dirs uses it only while patterns/ still holds that text.
// A rule file that does not parse fails the build, with the rule file's own error.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';

const { parseRuleFile } = await import('../dist/src/detect/rule-compiler.js');
const { BUILTIN_RULES_DIR, PRECOMPILED_RULES_PATH, ruleFilesIn } = await import('../dist/src/rules/load-rule-dirs.js');

const files = {};
for (const file of ruleFilesIn(BUILTIN_RULES_DIR)) {
  const name = `patterns/${relative(BUILTIN_RULES_DIR, file)}`;
  const text = readFileSync(file, 'utf8');
  files[name] = { sha256: createHash('sha256').update(text).digest('hex'), specs: parseRuleFile(text, name) };
}
writeFileSync(PRECOMPILED_RULES_PATH, JSON.stringify({ files }));
