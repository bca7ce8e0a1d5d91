import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { ScanStore } from '../../src/store/scan-store.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Report { repos: { name: string; verdict: string }[]; findings: { fingerprint: string }[] }

describe('keepopen triage (built CLI, real database)', () => {
  it('records a decision that changes the verdict at once, survives a rescan, and travels as a baseline', async () => {
    const dir = tempDir();
    makeRepo(join(dir, 'repos', 'svc'), [{ files: { 'ci.env': `AWS_ACCESS_KEY_ID=${fakeSecrets(41)['aws-access-key-id']}\n` } }]);
    const db1 = join(dir, 'one.db');
    const first = JSON.parse(runCli(['scan', join(dir, 'repos'), '--db', db1, '--format', 'json', '--quiet']).stdout) as Report;
    expect(first.repos[0]!.verdict).toBe('review-needed');
    const fp = first.findings[0]!.fingerprint;

    const decided = runCli(['triage', fp.slice(0, 8), '--status', 'false-positive', '--note', 'CI dummy', '--who', 'reviewer', '--db', db1]);
    expect(decided.stdout.trim()).toBe(`${fp}: false-positive; 1 repo result re-triaged`);
    const exported = JSON.parse(runCli(['export', '--db', db1]).stdout) as Report;
    expect(exported.repos[0]!.verdict).toBe('keep-open');
    const rescan = JSON.parse(runCli(['scan', join(dir, 'repos'), '--db', db1, '--format', 'json', '--quiet', '--force']).stdout) as Report;
    expect(rescan.repos[0]!.verdict).toBe('keep-open');

    const store = await ScanStore.open(db1);
    expect(await store.db.all('SELECT status, note, who FROM triage_log')).toEqual([{ status: 'false-positive', note: 'CI dummy', who: 'reviewer' }]);
    await store.close();

    // Another database, the same repo: the baseline carries the decision over.
    const db2 = join(dir, 'two.db');
    expect((JSON.parse(runCli(['scan', join(dir, 'repos'), '--db', db2, '--format', 'json', '--quiet']).stdout) as Report).repos[0]!.verdict).toBe('review-needed');
    const baseline = join(dir, 'baseline.json');
    expect(runCli(['triage', '--export', baseline, '--db', db1]).stdout.trim()).toBe(`exported 1 decisions to ${baseline}`);
    expect(runCli(['triage', '--import', baseline, '--db', db2]).stdout.trim()).toBe(`imported 1 decisions from ${baseline}`);
    expect((JSON.parse(runCli(['export', '--db', db2]).stdout) as Report).repos[0]!.verdict).toBe('keep-open');
  }, 60_000);

  it('refuses an unknown fingerprint or status with one line, exit 2', () => {
    const dir = tempDir();
    makeRepo(join(dir, 'r'), [{ files: { a: '1' } }]);
    const db = join(dir, 'k.db');
    runCli(['scan', join(dir, 'r'), '--db', db, '--quiet']);
    const unknown = runCli(['triage', 'deadbeef', '--status', 'false-positive', '--db', db]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe(`keepopen: no finding with fingerprint deadbeef in ${db}: copy it from the report or --format json`);
    const badStatus = runCli(['triage', 'deadbeef', '--status', 'ignore', '--db', db]);
    expect(badStatus.stderr.trim()).toBe('keepopen: --status ignore is not a triage status: use one of open, false-positive, accepted-risk, revoked');
  });
});
