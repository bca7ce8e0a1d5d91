import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepos } from '../../fixtures/build-fixture-repos.mjs';
import { runCli } from '../helpers/run-cli.js';

// Exports from a real database after a real scan of the demo repos.

const require = createRequire(import.meta.url);
// Both packages are CommonJS with a default export.
const Ajv = ((AjvDraft04 as unknown as { default?: typeof AjvDraft04 }).default ?? AjvDraft04) as unknown as new (options: object) => {
  validate(schema: object, data: unknown): boolean;
  errors?: unknown[] | null;
};
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats }).default ?? ajvFormats) as unknown as (ajv: object) => void;
/** The official OASIS SARIF 2.1.0 (rtm.5) schema, shipped in an npm package: validated offline. */
const SARIF_SCHEMA = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;

let db: string;
let dir: string;
let fingerprint: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'keepopen-export-'));
  buildDemoRepos(join(dir, 'repos'));
  db = join(dir, 'k.db');
  const scan = runCli(['scan', join(dir, 'repos'), '--db', db, '--format', 'json', '--quiet']);
  const report = JSON.parse(scan.stdout) as { findings: { repo: string; ruleId: string; fingerprint: string }[] };
  fingerprint = report.findings.find((f) => f.repo === 'legacy-records' && f.ruleId === 'pem-private-key')!.fingerprint;
  expect(runCli(['triage', fingerprint, '--status', 'accepted-risk', '--note', 'test certificate', '--db', db]).status).toBe(0);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keepopen export', () => {
  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const out = join(dir, 'k.sarif');
    expect(runCli(['export', '--format', 'sarif', '--db', db, '--output', out]).status).toBe(0);
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: { results: { ruleId: string; level: string; partialFingerprints: Record<string, string>; suppressions?: unknown[]; message: { text: string } }[] }[] };
    // The schema's patterns are ECMA-262 without the unicode flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const valid = ajv.validate(SARIF_SCHEMA, sarif);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(3);
    const results = sarif.runs.flatMap((r) => r.results);
    expect(results.find((r) => r.ruleId === 'aws-access-key-id')).toMatchObject({ level: 'error' });
    const pem = results.find((r) => r.partialFingerprints['keepopenFingerprint/v1'] === fingerprint)!;
    expect(pem.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'accepted-risk: test certificate' }]);
    expect(pem.message.text).toMatch(/\*{4}/); // redacted, never the value
  });

  it('writes a CSV shortlist that a standard parser reads, with triage counts', () => {
    const csv = runCli(['export', '--format', 'csv', '--db', db]).stdout;
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.repo, r.verdict])).toEqual([
      ['infra-deploy', 'review-needed'], ['legacy-records', 'review-needed'], ['patient-portal', 'keep-open'],
    ]);
    expect(rows[1]).toMatchObject({ findings_open: '1', findings_accepted_risk: '1', history_scanned: 'false' });
    expect(rows[0]!.reasons).toContain('1 credential (aws-access-key-id in terraform/main.tf:3)');
    expect(rows[0]!.head_commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('lists only keep-open repos in the Markdown shortlist when asked', () => {
    const md = runCli(['export', '--format', 'markdown', '--verdict', 'keep-open', '--db', db]).stdout;
    expect(md).toMatch(/^# Keep-open shortlist/);
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Repository'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^\| patient-portal \| keep-open \(HEAD only\) \| HEAD only: history not scanned \| `[0-9a-f]{12}` \|/);
  });

  it('writes the JSON contract from the database', () => {
    const json = JSON.parse(runCli(['export', '--format', 'json', '--db', db]).stdout) as { version: number; repos: unknown[]; findings: { triage: string; fingerprint: string }[] };
    expect(json.version).toBe(1);
    expect(json.repos).toHaveLength(3);
    expect(json.findings.find((f) => f.fingerprint === fingerprint)!.triage).toBe('accepted-risk');
  });

  it('refuses a database that does not exist, exit 2', () => {
    const result = runCli(['export', '--db', join(dir, 'missing.db')]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`keepopen: ${join(dir, 'missing.db')} does not exist: run keepopen scan first, or give --db`);
  });
});
