import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/detect/rule-compiler.js';
import { BUILTIN_RULES_DIR, loadRuleSpecs, PRECOMPILED_RULES_PATH, ruleFilesIn, type PrecompiledRules } from '../../src/rules/load-rule-dirs.js';
import { acmeRuleFile } from '../helpers/acme-rule.js';
import { tempDir } from '../helpers/temp-dir.js';

// The build parses patterns/ into dist/patterns.json so a process starts without parsing
// YAML. It must never change which rules run: it is used only for a file whose text has
// the digest it was built from, and otherwise the YAML on disk is parsed.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const RULE = (id: string) => acmeRuleFile({ id });

describe('precompiled rules (dist/patterns.json)', () => {
  it('the build holds every built-in rule file, each exactly as its YAML parses today', () => {
    expect(existsSync(PRECOMPILED_RULES_PATH)).toBe(true); // npm test builds first
    const precompiled = JSON.parse(readFileSync(PRECOMPILED_RULES_PATH, 'utf8')) as PrecompiledRules;
    const files = ruleFilesIn(BUILTIN_RULES_DIR);
    expect(Object.keys(precompiled.files).sort()).toEqual(files.map((f) => `patterns/${relative(BUILTIN_RULES_DIR, f)}`).sort());
    for (const file of files) {
      const name = `patterns/${relative(BUILTIN_RULES_DIR, file)}`;
      const text = readFileSync(file, 'utf8');
      expect(precompiled.files[name]!.sha256, `${name} changed since the build: run npm run build`).toBe(sha256(text));
      expect(precompiled.files[name]!.specs).toEqual(parseRuleFile(text, name));
    }
  });

  it('is used only for the text it was built from: an edited rule file is parsed from its YAML', () => {
    const dir = tempDir();
    const file = join(dir, 'acme.yaml');
    writeFileSync(file, RULE('acme-token'));
    // A precompiled entry for this text (its specs marked, to see which were used).
    const marked = parseRuleFile(RULE('acme-token'), file).map((s) => ({ ...s, title: 'from the precompiled set' }));
    const precompiled: PrecompiledRules = { files: { [file]: { sha256: sha256(RULE('acme-token')), specs: marked } } };
    expect(loadRuleSpecs([dir], precompiled).map((s) => s.title)).toEqual(['from the precompiled set']);

    writeFileSync(file, RULE('acme-token-v2')); // edited after the build
    expect(loadRuleSpecs([dir], precompiled).map((s) => [s.id, s.title])).toEqual([['acme-token-v2', 'ACME internal token']]);
  });
});
