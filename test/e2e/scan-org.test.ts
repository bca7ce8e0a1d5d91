import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { startGitHubApiServer, type FakeRepo, type GitHubApiServer } from '../helpers/github-api-server.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ScanStore } from '../../src/store/scan-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';

/** A loopback port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The whole org path with real parts on loopback: a GitHub REST API stand-in lists
// 250 repos (with pagination and a secondary rate limit), a real smart-HTTP git
// server (git http-backend) serves them, and the built CLI clones and triages them.

const ORG = 'demo-org';
const TOKEN = 'ghp_KeepOpenTestTokenNeverStored000000001';
let root: string;
let git: GitServer;
let api: GitHubApiServer;
const leaky = new Set<string>();
const awsKey = fakeSecrets(11)['aws-access-key-id'];

interface Report {
  repos: { name: string; verdict: string; reasons: string[]; headCommit: string | null }[];
  findings: { repo: string; ruleId: string; path: string }[];
  skipped: { name: string; reason: string }[];
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-org-'));
  const served = join(root, 'served');
  const repos: FakeRepo[] = [];
  for (let i = 0; i < 250; i++) {
    const name = i === 7 ? 'answers-500' : i === 8 ? 'corrupt-pack' : `service-${String(i).padStart(3, '0')}`;
    const files: Record<string, string> = {
      'README.md': `# ${name}\n\nA generated repo.\n`,
      'src/index.js': `export const id = ${i};\n`.repeat(20),
      'package.json': JSON.stringify({ name, version: '1.0.0' }, null, 2),
    };
    if (i % 25 === 3) {
      files['deploy/settings.env'] = `AWS_ACCESS_KEY_ID=${awsKey}\n`;
      leaky.add(`${ORG}/${name}`);
    }
    makeBareRepoFast(join(served, ORG, `${name}.git`), files);
    repos.push({ name, cloneUrl: '', fork: i % 50 === 10, archived: i % 50 === 20, size: 4, pushedAt: '2026-06-01T00:00:00Z' });
  }
  git = await startGitServer(served, { status: { [`${ORG}/answers-500.git`]: 500 }, corruptPack: [`${ORG}/corrupt-pack.git`] });
  for (const r of repos) r.cloneUrl = `${git.url}/${ORG}/${r.name}.git`;
  api = await startGitHubApiServer({ [ORG]: repos }, { tokens: [TOKEN], faults: { secondaryRateLimit: { count: 1, retryAfterSeconds: 1 } } });
}, 120_000);

afterAll(async () => {
  await git?.close();
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('keepopen scan --org (loopback GitHub API and git server)', () => {
  it('accounts for all 250 repos: scanned, skipped forks and archived, and two errors with reasons', async () => {
    const work = tempDir();
    const db = join(work, 'k.db');
    const cache = join(work, 'cache');
    const result = await runCliAsync(
      ['scan', '--org', ORG, '--format', 'json', '--db', db, '--cache-dir', cache, '--concurrency', '8', '--timeout', '10'],
      { env: { GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN } },
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;

    // Forks (i % 50 == 10) and archived (i % 50 == 20): 5 each, skipped and saying so.
    expect(report.skipped).toHaveLength(10);
    expect(report.skipped.filter((s) => /^fork \(use --include-forks/.test(s.reason))).toHaveLength(5);
    expect(report.skipped.filter((s) => /^archived \(use --include-archived/.test(s.reason))).toHaveLength(5);
    expect(report.repos.length + report.skipped.length).toBe(250);

    const byName = new Map(report.repos.map((r) => [r.name, r]));
    expect(byName.get(`${ORG}/answers-500`)).toMatchObject({ verdict: 'error', headCommit: null });
    expect(byName.get(`${ORG}/answers-500`)!.reasons[0]).toMatch(/HTTP 500/);
    expect(byName.get(`${ORG}/corrupt-pack`)).toMatchObject({ verdict: 'error' });
    expect(byName.get(`${ORG}/corrupt-pack`)!.reasons[0]).toMatch(/corrupt|truncated|pack|checksum/i);
    const reviewed = report.repos.filter((r) => r.verdict === 'review-needed').map((r) => r.name).sort();
    expect(reviewed).toEqual([...leaky].filter((n) => byName.has(n)).sort());
    expect(report.repos.filter((r) => r.verdict === 'keep-open')).toHaveLength(240 - 2 - reviewed.length);
    for (const r of report.repos.filter((x) => x.verdict !== 'error')) expect(r.headCommit).toMatch(/^[0-9a-f]{40}$/);

    // Each repo's metadata from the API is kept, skipped ones included.
    const store = await ScanStore.open(db);
    const rows = await store.db.all<{ name: string; remote_id: number; default_branch: string; size_kb: number; pushed_at: string; archived: number; fork: number; visibility: string; clone_url: string }>(
      'SELECT name, remote_id, default_branch, size_kb, pushed_at, archived, fork, visibility, clone_url FROM repos ORDER BY name',
    );
    const skippedRows = await store.db.all('SELECT reason FROM skipped_repos');
    await store.close();
    expect(rows).toHaveLength(250);
    expect(skippedRows).toHaveLength(10);
    expect(rows.find((r) => r.name === `${ORG}/service-010`)).toMatchObject({ fork: 1, archived: 0, default_branch: 'main', size_kb: 4, pushed_at: '2026-06-01T00:00:00Z', visibility: 'public' });
    expect(rows.find((r) => r.name === `${ORG}/service-020`)).toMatchObject({ fork: 0, archived: 1 });
    for (const r of rows) {
      expect(r.remote_id).toBeGreaterThan(0);
      expect(r.clone_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/demo-org\//);
    }

    // The secondary rate limit was waited out, and the wait was shown.
    expect(result.stderr).toMatch(/GitHub secondary rate limit .*waiting 1s/);
    // Clones were removed after scanning (no --keep-clones).
    const leftovers = existsSync(cache) ? readdirSync(cache, { recursive: true }).filter((p) => String(p).endsWith('.git')) : [];
    expect(leftovers).toEqual([]);
    expect(statSync(cache).mode & 0o077).toBe(0);
    // The token is never written anywhere: not to stdout, stderr, or the database.
    const dbBytes = [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    expect(result.stdout + result.stderr + dbBytes).not.toContain(TOKEN);
    expect(result.stdout + result.stderr + dbBytes).not.toContain(awsKey);
  }, 240_000);

  it('keeps clones with --keep-clones, and a second scan fetches into them', async () => {
    const work = tempDir();
    const list = join(work, 'repos.txt');
    writeFileSync(list, `# two repos\n${git.url}/${ORG}/service-000.git\n${git.url}/${ORG}/service-003.git\nnot a repo line\n`);
    const args = ['scan', '--repos', list, '--format', 'json', '--db', join(work, 'k.db'), '--cache-dir', join(work, 'cache'), '--keep-clones'];
    const first = await runCliAsync(args);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(`keepopen: ${list}:4: "not a repo line" is not owner/name or an https clone URL`);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.repos.map((r) => [r.name, r.verdict])).toEqual([[`${ORG}/service-000`, 'keep-open'], [`${ORG}/service-003`, 'review-needed']]);
    expect(readdirSync(join(work, 'cache'), { recursive: true }).filter((p) => String(p).endsWith('.git'))).toHaveLength(2);
    const second = await runCliAsync(args);
    expect(second.status).toBe(0);
    expect((JSON.parse(second.stdout) as Report).repos.map((r) => r.verdict)).toEqual(['keep-open', 'review-needed']);
  }, 120_000);

  it.each([
    ['an unknown org', ['--org', 'no-such-org'], {}, /^keepopen: organisation "no-such-org" was not found at http:\/\/127\.0\.0\.1:\d+: check the name/],
    ['a bad token', ['--org', ORG], { GITHUB_TOKEN: 'ghp_wrong' }, /^keepopen: GitHub refused the token \(401 Bad credentials\)/],
    ['an unreachable API', ['--org', ORG], { GITHUB_API_URL: 'CLOSED' }, /^keepopen: cannot reach the GitHub API at http:\/\/127\.0\.0\.1:\d+ \(.+\): check GITHUB_API_URL/],
  ])('exits 2 with one clear line for %s', async (_name, args, env: Record<string, string>, message) => {
    const work = tempDir();
    if (env.GITHUB_API_URL === 'CLOSED') env = { ...env, GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}` };
    const result = await runCliAsync(['scan', ...args, '--db', join(work, 'k.db'), '--cache-dir', join(work, 'c')], {
      env: { GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN, ...env },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toContain(TOKEN);
  }, 60_000);
});
