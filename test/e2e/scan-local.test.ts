import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Report {
  version: number;
  scan: { id: string; startedAt: string; finishedAt: string };
  repos: { name: string; source: string; headCommit: string | null; verdict: string; reasons: string[]; historyScanned: boolean }[];
  findings: {
    repo: string; path: string; line: number; column: number; ruleId: string; category: string; severity: string;
    fingerprint: string; redacted: string; commit: string | null; inHistoryOnly: boolean;
  }[];
}

/** Every byte keepopen wrote for a database: the file and its WAL and shared-memory companions. */
function databaseBytes(db: string): string {
  return [db, `${db}-wal`, `${db}-shm`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
}

describe('keepopen scan on local repos (built CLI, real git repos, real SQLite file)', () => {
  it('gives a work tree with a key, a clean repo and a bare mirror with a private key the right verdicts', () => {
    const root = tempDir();
    const org = join(root, 'org-backup');
    const awsKey = fakeSecrets(7)['aws-access-key-id'];
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const keyBody = privateKey.split('\n').slice(1, 3).join('');

    const leakyHead = makeRepo(join(org, 'leaky-service'), [
      { files: { 'README.md': '# leaky\n', 'deploy/main.tf': `provider "aws" {\n  region = "eu-west-2"\n  access_key = "${awsKey}"\n}\n` } },
    ]);
    const cleanHead = makeRepo(join(org, 'clean-service'), [
      { files: { 'README.md': '# clean\n', 'src/app.js': 'export const port = process.env.PORT;\n', '.env.example': 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n' } },
    ]);
    const mirrorHead = makeRepo(join(org, 'old-records.git'), [
      { files: { 'certs/server.key': privateKey, 'README.md': '# old records\n' } },
    ], { bare: true });
    const db = join(root, 'results.db');

    const result = runCli(['scan', org, '--format', 'json', '--db', db]);
    expect(result.stderr).not.toMatch(/Error:|at .*\.js:\d+/);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;

    expect(report.version).toBe(1);
    expect(report.scan.id).toBeTruthy();
    expect(Date.parse(report.scan.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.scan.startedAt));
    expect(report.repos.map((r) => [r.name, r.verdict, r.headCommit])).toEqual([
      ['clean-service', 'keep-open', cleanHead],
      ['leaky-service', 'review-needed', leakyHead],
      ['old-records', 'review-needed', mirrorHead],
    ]);
    for (const repo of report.repos) expect(repo.historyScanned).toBe(false);
    const leaky = report.repos.find((r) => r.name === 'leaky-service')!;
    expect(leaky.reasons[0]).toBe('1 credential (aws-access-key-id in deploy/main.tf:3)');
    expect(report.repos.find((r) => r.name === 'clean-service')!.reasons).toEqual(['HEAD only: history not scanned']);

    const aws = report.findings.find((f) => f.repo === 'leaky-service')!;
    expect(aws).toMatchObject({
      path: 'deploy/main.tf', line: 3, column: 17, ruleId: 'aws-access-key-id', category: 'credential', severity: 'high',
      commit: leakyHead, inHistoryOnly: false,
    });
    expect(aws.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(aws.redacted).toBe(`${awsKey.slice(0, 4)}************${awsKey.slice(-4)}`);
    const pem = report.findings.find((f) => f.repo === 'old-records')!;
    expect(pem).toMatchObject({ path: 'certs/server.key', line: 2, ruleId: 'pem-private-key', category: 'private-key' });
    expect(report.findings.filter((f) => f.repo === 'clean-service')).toEqual([]);

    // No raw secret anywhere: stdout, stderr, the database and its WAL.
    const everything = result.stdout + result.stderr + databaseBytes(db);
    expect(everything).not.toContain(awsKey);
    expect(everything).not.toContain(keyBody.slice(0, 40));
    expect(everything).toContain(aws.redacted);

    // The database is a real SQLite file, owner-only.
    expect(readFileSync(db).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(statSync(db).mode & 0o077).toBe(0);
  });

  it('marks an unreadable repo error and still reports the others', () => {
    const root = tempDir();
    makeRepo(join(root, 'good'), [{ files: { 'a.txt': 'hello\n' } }]);
    makeRepo(join(root, 'broken.git'), [{ files: { 'b.txt': 'world\n' } }], { bare: true });
    // Empty the object store: refs still name a commit, but nothing can be read.
    // (An empty objects/ folder keeps it recognisable as a bare repo.)
    const objects = join(root, 'broken.git', 'objects');
    rmSync(objects, { recursive: true, force: true });
    mkdirSync(objects);

    const result = runCli(['scan', root, '--format', 'json', '--db', join(root, 'k.db')]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.repos.map((r) => [r.name, r.verdict])).toEqual([
      ['broken', 'error'],
      ['good', 'keep-open'],
    ]);
    const broken = report.repos.find((r) => r.name === 'broken')!;
    expect(broken.reasons).toHaveLength(1);
    expect(broken.reasons[0]).toMatch(/^scan failed: git object [0-9a-f]{40} is missing: the repository is incomplete or corrupt/);
    expect(result.stderr).toContain('error broken');
  });

  it('exits 2 with one clear line for a path that does not exist', () => {
    const result = runCli(['scan', '/no/such/path', '--db', join(tempDir(), 'k.db')]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual(['keepopen: /no/such/path: no such file or folder; give a git repo or a folder of repos']);
  });

  it('exits 2 on a database file that is not SQLite, naming it', () => {
    const dir = tempDir();
    makeRepo(join(dir, 'r'), [{ files: { 'a.txt': 'a\n' } }]);
    const bad = join(dir, 'not-a-db.db');
    writeFileSync(bad, 'this is not a database, just text that is long enough to be read as a header...\n'.repeat(100));
    const result = runCli(['scan', join(dir, 'r'), '--db', bad]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('not-a-db.db');
  });

  it('exits 1 with --fail-on-review when a repo needs review, and writes --output', () => {
    const dir = tempDir();
    makeRepo(join(dir, 'repos', 'leaky'), [{ files: { 'k.env': `AWS_ACCESS_KEY_ID=${fakeSecrets(3)['aws-access-key-id']}\n` } }]);
    const out = join(dir, 'report.txt');
    const result = runCli(['scan', join(dir, 'repos'), '--db', join(dir, 'k.db'), '--output', out, '--fail-on-review', '--quiet']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    const table = readFileSync(out, 'utf8');
    expect(table).toMatch(/^REPO\s+VERDICT\s+FINDINGS\s+REASONS/);
    expect(table).toMatch(/leaky\s+review-needed\s+1\s+1 credential \(aws-access-key-id in k\.env:1\)/);
    expect(table).toContain('1 repo: 0 keep-open, 1 review-needed, 0 error; 1 finding');
  });
  it('says a plain folder (no git) has no history here, in the scan and after a decision re-triages it', () => {
    const root = tempDir();
    const folder = join(root, 'copied-site');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'settings.env'), `AWS_ACCESS_KEY_ID=${fakeSecrets(11)['aws-access-key-id']}\n`);
    const db = join(root, 'k.db');
    const scan = runCli(['scan', folder, '--format', 'json', '--db', db, '--quiet']);
    const report = JSON.parse(scan.stdout) as Report;
    const noHistory = 'not a git repository: the files on disk were scanned; any history lives elsewhere';
    expect(report.repos[0]!.reasons).toContain(noHistory);
    expect(report.repos[0]!.reasons).not.toContain('HEAD only: history not scanned');

    expect(runCli(['triage', report.findings[0]!.fingerprint, '--status', 'false-positive', '--note', 'test key', '--db', db]).status).toBe(0);
    const exported = JSON.parse(runCli(['export', '--format', 'json', '--db', db]).stdout) as Report;
    expect(exported.repos[0]!.verdict).toBe('keep-open');
    expect(exported.repos[0]!.reasons).toContain(noHistory);
    // Where the verdict is a label, it says only the files were read (not "HEAD only": there is no HEAD).
    expect(runCli(['export', '--format', 'markdown', '--db', db]).stdout).toContain('| copied-site | keep-open (files only) |');
  });
});

