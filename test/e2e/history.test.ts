import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, git, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { createGitHttpClient } from '../../src/fetch/git-http-client.js';
import { DEFAULT_MAX_OTHER_REFS } from '../../src/fetch/other-refs.js';
import { shallowFetch } from '../../src/fetch/shallow-clone.js';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// --history with real repos: a secret committed and later removed is invisible to
// a HEAD-only scan (which says so), found by a history scan at the commit that
// introduced it, and gone after a history rewrite from every ref the server offers.

interface Finding { ruleId: string; path: string; line: number; commit: string | null; inHistoryOnly: boolean; redacted: string }
interface Repo { name: string; verdict: string; reasons: string[]; historyScanned: boolean; changes?: { fixed: { ruleId: string }[]; new: unknown[] } }
interface Report { repos: Repo[]; findings: Finding[] }

const secrets = fakeSecrets(91);
const other = fakeSecrets(92);
const awsLine = (key: string) => `AWS_ACCESS_KEY_ID=${key}\n`;

function commitFile(dir: string, path: string, content: string | null, message: string): string {
  if (content === null) git(dir, ['rm', '-q', path]);
  else {
    writeFileSync(join(dir, path), content);
    git(dir, ['add', path]);
  }
  git(dir, ['commit', '-q', '-m', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

describe('keepopen scan --history (local repo)', () => {
  it('finds a removed secret at the commit that introduced it, on every branch and tag', () => {
    const root = tempDir();
    const repo = join(root, 'billing');
    makeRepo(repo, [{ files: { 'README.md': '# billing\n' } }]);
    const introduced = commitFile(repo, 'deploy.env', awsLine(secrets['aws-access-key-id']), 'add deploy settings');
    commitFile(repo, 'deploy.env', 'AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\n', 'read the key from the environment');
    // A secret still at HEAD, introduced earlier: one finding, at HEAD, with its introducing commit.
    const headSecretCommit = commitFile(repo, 'ops.env', `DB_PASSWORD=${secrets.password}\n`, 'ops settings');
    commitFile(repo, 'README.md', '# billing\n\nSee ops.env.\n', 'docs');
    // A side branch and a tag that HEAD never reaches.
    git(repo, ['checkout', '-q', '-b', 'experiment']);
    const branchCommit = commitFile(repo, 'notes.txt', awsLine(other['aws-access-key-id']), 'try things');
    git(repo, ['checkout', '-q', '-']);
    git(repo, ['branch', '-q', '-D', 'experiment']);
    git(repo, ['tag', '-a', 'v0-experiment', branchCommit, '-m', 'keep the experiment']);
    const db = join(root, 'k.db');

    const headOnly = JSON.parse(runCli(['scan', repo, '--db', db, '--format', 'json', '--quiet']).stdout) as Report;
    expect(headOnly.repos[0]!.historyScanned).toBe(false);
    expect(headOnly.repos[0]!.reasons).toContain('HEAD only: history not scanned');
    expect(headOnly.findings.map((f) => f.ruleId)).not.toContain('aws-access-key-id');

    const result = runCli(['scan', repo, '--history', '--db', db, '--format', 'json', '--quiet']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    const [billing] = report.repos;
    expect(billing!.historyScanned).toBe(true);
    expect(billing!.verdict).toBe('review-needed');
    expect(billing!.reasons).not.toContain('HEAD only: history not scanned');
    const aws = report.findings.filter((f) => f.ruleId === 'aws-access-key-id').sort((a, b) => a.path.localeCompare(b.path));
    expect(aws).toMatchObject([
      { path: 'deploy.env', line: 1, commit: introduced, inHistoryOnly: true },
      { path: 'notes.txt', line: 1, commit: branchCommit, inHistoryOnly: true },
    ]);
    expect(billing!.reasons).toContain(
      `aws-access-key-id in history only (first seen in ${introduced.slice(0, 12)} deploy.env): revoke it; rewrite history before keeping this repo public`,
    );
    const atHead = report.findings.filter((f) => !f.inHistoryOnly);
    expect(atHead.length).toBeGreaterThan(0);
    expect(atHead.every((f) => f.path === 'ops.env' && f.commit === headSecretCommit)).toBe(true);
    // The same secret in the two versions of deploy.env's history is one finding, not one per commit.
    expect(report.findings.filter((f) => f.inHistoryOnly && f.path === 'deploy.env')).toHaveLength(1);
    // A HEAD-only rescan cannot see history, so it does not call those findings fixed.
    const rescan = JSON.parse(runCli(['scan', repo, '--force', '--db', db, '--format', 'json', '--quiet']).stdout) as Report;
    expect(rescan.repos[0]!.changes?.fixed).toEqual([]);
    // The raw values never reach the output.
    expect(result.stdout).not.toContain(secrets['aws-access-key-id']);
    expect(result.stdout).not.toContain(other['aws-access-key-id']);
  }, 60_000);

  it('a keep-open history scan says so; a shallow local clone is never called history-scanned', () => {
    const root = tempDir();
    const repo = join(root, 'clean');
    makeRepo(repo, [{ files: { 'README.md': '# clean\n' } }, { files: { 'src/a.js': 'export const a = 1;\n' } }, { files: { 'src/a.js': 'export const a = 2;\n' } }]);
    const db = join(root, 'k.db');
    const clean = (JSON.parse(runCli(['scan', repo, '--history', '--db', db, '--format', 'json', '--quiet']).stdout) as Report).repos[0]!;
    expect(clean).toMatchObject({ verdict: 'keep-open', historyScanned: true });
    expect(clean.reasons).not.toContain('HEAD only: history not scanned');

    const shallow = join(root, 'shallow');
    git(root, ['clone', '-q', '--depth', '1', `file://${repo}`, shallow]);
    const report = (JSON.parse(runCli(['scan', shallow, '--history', '--db', db, '--format', 'json', '--quiet']).stdout) as Report).repos[0]!;
    expect(report.historyScanned).toBe(false);
    expect(report.reasons).toContain('HEAD only: history not scanned');
    expect(report.reasons.some((r) => r.startsWith('history incomplete: the repository is a shallow clone'))).toBe(true);
  }, 60_000);
});

describe('keepopen --history against a git server, before and after a history rewrite', () => {
  let root: string;
  let server: GitServer;
  let served: string;
  let introduced: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'keepopen-history-'));
    const work = join(root, 'work');
    makeRepo(work, [{ files: { 'README.md': '# portal\n' } }]);
    introduced = commitFile(work, 'settings.env', awsLine(secrets['aws-access-key-id']), 'settings');
    commitFile(work, 'settings.env', null, 'remove settings');
    git(work, ['branch', '-q', 'stale-feature', introduced]);
    served = join(root, 'served', 'org', 'portal.git');
    git(root, ['clone', '-q', '--bare', work, served]);
    server = await startGitServer(join(root, 'served'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('finds the secret in history, then confirms it gone from every ref after the rewrite', async () => {
    const list = join(root, 'repos.txt');
    writeFileSync(list, `${server.url}/org/portal.git\n`);
    const db = join(root, 'k.db');
    const cache = join(root, 'cache');
    const args = ['--repos', list, '--db', db, '--cache-dir', cache, '--keep-clones', '--format', 'json', '--quiet'];

    const before = await runCliAsync(['scan', '--history', ...args]);
    expect(before.status).toBe(0);
    const first = JSON.parse(before.stdout) as Report;
    expect(first.repos[0]).toMatchObject({ name: 'org/portal', verdict: 'review-needed', historyScanned: true });
    expect(first.findings).toMatchObject([{ ruleId: 'aws-access-key-id', path: 'settings.env', commit: introduced, inHistoryOnly: true }]);

    // The owners rewrite history: a fresh root commit without the file, force-pushed; the stale branch deleted.
    const rewrite = join(root, 'rewrite');
    git(root, ['clone', '-q', served, rewrite]);
    git(rewrite, ['checkout', '-q', '--orphan', 'clean']);
    git(rewrite, ['rm', '-q', '-r', '--cached', '.']);
    rmSync(join(rewrite, 'settings.env'), { force: true });
    git(rewrite, ['add', 'README.md']);
    git(rewrite, ['commit', '-q', '-m', 'history rewritten']);
    git(rewrite, ['push', '-q', '--force', 'origin', 'clean:main']);
    git(rewrite, ['push', '-q', 'origin', '--delete', 'stale-feature']);
    git(served, ['reflog', 'expire', '--expire=now', '--all']);
    git(served, ['gc', '-q', '--prune=now']);

    const after = await runCliAsync(['recheck', 'org/portal', '--history', '--db', db, '--cache-dir', cache, '--keep-clones', '--format', 'json', '--quiet']);
    expect(after.status).toBe(0);
    const second = JSON.parse(after.stdout) as Report;
    expect(second.findings).toEqual([]);
    expect(second.repos[0]).toMatchObject({ verdict: 'keep-open', historyScanned: true, changes: { fixed: [{ ruleId: 'aws-access-key-id' }], new: [] } });
    expect(second.repos[0]!.reasons.some((r) => /1 finding fixed since the last scan \(aws-access-key-id in settings\.env:1\): gone from every ref \(branches, tags, pull requests\)/.test(r))).toBe(true);
  }, 120_000);
});

describe('keepopen --history and pull-request refs (refs/pull/N/head, kept by the server after the branch is gone)', () => {
  it('finds a secret only a pull request ref still serves, and confirms it gone once the ref is removed', async () => {
    const root = tempDir();
    const work = join(root, 'work');
    makeRepo(work, [{ files: { 'README.md': '# referrals\n' } }]);
    // A contributor's branch pushed a key; the pull request was closed and the branch deleted.
    git(work, ['checkout', '-q', '-b', 'add-settings']);
    const leaked = commitFile(work, 'deploy.env', awsLine(other['aws-access-key-id']), 'settings');
    git(work, ['checkout', '-q', '-']);
    git(work, ['branch', '-q', '-D', 'add-settings']);
    const served = join(root, 'served', 'org', 'referrals.git');
    git(root, ['clone', '-q', '--bare', work, served]);
    git(served, ['update-ref', 'refs/pull/7/head', leaked]);
    // GitHub's test merge of a pull request is left out: it holds nothing of its own.
    git(served, ['update-ref', 'refs/pull/7/merge', leaked]);
    const server = await startGitServer(join(root, 'served'));
    try {
      const list = join(root, 'repos.txt');
      writeFileSync(list, `${server.url}/org/referrals.git\n`);
      const db = join(root, 'k.db');
      const cache = join(root, 'cache');
      const args = ['--db', db, '--cache-dir', cache, '--keep-clones', '--format', 'json', '--quiet'];

      const headOnly = JSON.parse((await runCliAsync(['scan', '--repos', list, ...args])).stdout) as Report;
      expect(headOnly.findings).toEqual([]);
      expect(headOnly.repos[0]).toMatchObject({ verdict: 'keep-open', historyScanned: false });

      const history = JSON.parse((await runCliAsync(['scan', '--history', '--repos', list, ...args])).stdout) as Report;
      expect(history.findings).toMatchObject([{ ruleId: 'aws-access-key-id', path: 'deploy.env', commit: leaked, inHistoryOnly: true }]);
      expect(history.repos[0]).toMatchObject({ verdict: 'review-needed', historyScanned: true });

      // The server drops the pull request's ref (on GitHub: a request to support): the recheck sees it gone.
      git(served, ['update-ref', '-d', 'refs/pull/7/head']);
      git(served, ['update-ref', '-d', 'refs/pull/7/merge']);
      const after = JSON.parse((await runCliAsync(['recheck', 'org/referrals', '--history', ...args])).stdout) as Report;
      expect(after.findings).toEqual([]);
      expect(after.repos[0]).toMatchObject({ verdict: 'keep-open', historyScanned: true, changes: { fixed: [{ ruleId: 'aws-access-key-id' }] } });
    } finally {
      await server.close();
    }
  }, 120_000);

  it('past the cap of pull request refs (2,000), the scan says history is incomplete, never "history scanned"', async () => {
    const root = tempDir();
    const work = join(root, 'work');
    const head = makeRepo(work, [{ files: { 'README.md': '# busy\n' } }]);
    const served = join(root, 'served', 'org', 'busy.git');
    git(root, ['clone', '-q', '--bare', work, served]);
    const updates = Array.from({ length: DEFAULT_MAX_OTHER_REFS + 1 }, (_, i) => `update refs/pull/${i + 1}/head ${head}\n`).join('');
    execFileSync('git', ['update-ref', '--stdin'], { cwd: served, input: updates });
    const server = await startGitServer(join(root, 'served'));
    try {
      const list = join(root, 'repos.txt');
      writeFileSync(list, `${server.url}/org/busy.git\n`);
      const result = await runCliAsync(['scan', '--history', '--repos', list, '--db', join(root, 'k.db'), '--cache-dir', join(root, 'cache'), '--format', 'json', '--quiet']);
      const repo = (JSON.parse(result.stdout) as Report).repos[0]!;
      expect(repo).toMatchObject({ verdict: 'keep-open', historyScanned: false });
      expect(repo.reasons).toContain(`history incomplete: the server offers ${DEFAULT_MAX_OTHER_REFS + 1} refs beyond branches and tags (pull requests and the like); only the first ${DEFAULT_MAX_OTHER_REFS} were fetched and scanned`);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('more pull request refs than it fetches: history is incomplete, and the verdict says so', async () => {
    const root = tempDir();
    const work = join(root, 'work');
    const head = makeRepo(work, [{ files: { 'README.md': '# busy\n' } }]);
    const served = join(root, 'served', 'org', 'busy.git');
    git(root, ['clone', '-q', '--bare', work, served]);
    const server = await startGitServer(join(root, 'served'));
    try {
      const gitdir = join(root, 'clone');
      const pulls = Array.from({ length: 5 }, (_, i) => `refs/pull/${i + 1}/head`);
      for (const ref of pulls) git(served, ['update-ref', ref, head]);
      const fetch = { http: createGitHttpClient(10_000), attempts: 1, backoffMs: 10, history: true, maxOtherRefs: 3 };
      const result = await shallowFetch(`${server.url}/org/busy.git`, gitdir, fetch);
      expect(result.otherRefs).toEqual({ offered: 5, fetched: 3 });
      expect(git(gitdir, ['for-each-ref', '--format=%(refname)', 'refs/keepopen-remote/']).trim().split('\n')).toEqual([
        'refs/keepopen-remote/pull/1/head', 'refs/keepopen-remote/pull/2/head', 'refs/keepopen-remote/pull/3/head',
      ]);
      // A ref the server no longer offers is dropped on the next fetch.
      git(served, ['update-ref', '-d', 'refs/pull/2/head']);
      expect((await shallowFetch(`${server.url}/org/busy.git`, gitdir, fetch)).otherRefs).toEqual({ offered: 4, fetched: 3 });
      expect(git(gitdir, ['for-each-ref', '--format=%(refname)', 'refs/keepopen-remote/']).trim().split('\n')).toEqual([
        'refs/keepopen-remote/pull/1/head', 'refs/keepopen-remote/pull/3/head', 'refs/keepopen-remote/pull/4/head',
      ]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
