import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { runCli } from '../helpers/run-cli.js';

// Bad input anywhere on the command line: one line on stderr that names the problem
// (and mostly what to do), exit 2, never a stack trace; --debug adds the trace.

let root: string;
let repo: string;
let db: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-bad-input-'));
  repo = join(root, 'repo');
  makeRepo(repo, [{ files: { 'README.md': '# r\n' } }]);
  db = join(root, 'k.db');
  expect(runCli(['scan', repo, '--db', db, '--quiet']).status).toBe(0);
  writeFileSync(join(root, 'broken.yaml'), 'review: [severities: high\n');
  mkdirSync(join(root, 'rules'));
  writeFileSync(join(root, 'rules', 'bad.yaml'), 'rules:\n  - id: x\n    pattern: "("\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** [what is wrong, argv, a fragment the one line must name]. */
const cases: [string, () => string[], RegExp][] = [
  ['an unknown command', () => ['scna'], /unknown command 'scna'/],
  ['an unknown option', () => ['scan', repo, '--db', db, '--frmat', 'json'], /unknown option '--frmat'/],
  ['a path that does not exist', () => ['scan', join(root, 'nope'), '--db', db], /nope/],
  ['a bad --format', () => ['scan', repo, '--db', db, '--format', 'yaml'], /--format.*yaml|yaml.*--format|Allowed choices/i],
  ['a concurrency of zero', () => ['scan', repo, '--db', db, '--concurrency', '0'], /--concurrency/],
  ['a concurrency that is not a number', () => ['scan', repo, '--db', db, '--concurrency', 'lots'], /--concurrency/],
  ['a missing --repos file', () => ['scan', '--repos', join(root, 'none.txt'), '--db', db], /none\.txt/],
  ['a broken --config', () => ['scan', repo, '--db', db, '--config', join(root, 'broken.yaml')], /broken\.yaml/],
  ['a missing --config', () => ['scan', repo, '--db', db, '--config', join(root, 'absent.yaml')], /absent\.yaml/],
  ['a broken rule file', () => ['scan', repo, '--db', db, '--rules', join(root, 'rules')], /bad\.yaml/],
  ['a bad --shard', () => ['scan', repo, '--db', db, '--shard', '0/3'], /--shard 0\/3/],
  ['a database folder that does not exist', () => ['scan', repo, '--db', join(root, 'no', 'such', 'k.db')], /no\/such\/k\.db/],
  ['export from a missing database', () => ['export', '--db', join(root, 'missing.db')], /missing\.db does not exist/],
  ['export with a bad verdict', () => ['export', '--db', db, '--verdict', 'maybe'], /maybe/],
  ['recheck of an unknown repo', () => ['recheck', 'who-knows', '--db', db], /who-knows is not in/],
  ['triage with a bad status', () => ['triage', 'abc123', '--status', 'fine', '--db', db], /fine/],
  ['merge into itself', () => ['merge', db, db], /both the output and an input/],
];

describe('bad input on the command line', () => {
  it.each(cases)('%s: one line, exit 2, no stack trace', (_what, argv, names) => {
    const result = runCli(argv());
    expect(result.status).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^keepopen: /);
    expect(lines[0]).toMatch(names);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(result.stdout).toBe('');
  });

  it('--debug adds the stack trace', () => {
    const result = runCli(['--debug', 'scan', repo, '--db', db, '--config', join(root, 'broken.yaml')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^keepopen: .*broken\.yaml/);
    expect(result.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
