import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acmeRuleFile } from '../helpers/acme-rule.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const GOOD = acmeRuleFile();

describe('keepopen rules (built CLI)', () => {
  it('lists built-in and user rules, with counts per category', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'acme.yaml'), GOOD);
    const result = runCli(['rules', 'list', '--rules', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^acme-internal-token\tcredential\thigh\tACME internal token\t.*acme\.yaml$/m);
    expect(result.stdout).toMatch(/^\d+ rules \(credential: \d+, .*personal-data: \d+.*\)$/m);
  });

  it('tests every rule against its examples, and names the rule, file and example that fail', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'acme.yaml'), GOOD.replace("negativeExamples: ['acme_short', 'token = acme_']", "negativeExamples: ['acme_short', 'acme_aaaaaaaaaaaaaaaa']"));
    const result = runCli(['rules', 'test', '--rules', dir]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`FAIL acme-internal-token (${join(dir, 'acme.yaml')}): negativeExamples[1] should match nothing but produced 1 finding(s)`);
    expect(result.stdout).toMatch(/^\d+ passed, 1 failed$/m);
    const ok = tempDir();
    writeFileSync(join(ok, 'acme.yaml'), GOOD);
    expect(runCli(['rules', 'test', '--rules', ok]).status).toBe(0);
  });

  it('refuses a broken rule file with one line naming it, exit 2', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'bad.yaml'), GOOD.replace('severity: high', 'severity: urgent'));
    const result = runCli(['rules', 'list', '--rules', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`keepopen: ${join(dir, 'sub', 'bad.yaml')}: acme-internal-token: "severity" must be one of high, medium, low`);
  });
});
