import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, git, makeBareRepoFast, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { ScanStore } from '../../src/store/scan-store.js';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { ACME_TOKEN, acmeRuleFile } from '../helpers/acme-rule.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

// Recheck after a redaction, with real git repos and a real database: what was
// fixed, what is new, what is unchanged, and verdicts that follow.

interface Report {
  repos: { name: string; verdict: string; reasons: string[]; unchangedSince?: string; changes?: { fixed: unknown[]; new: unknown[]; moved: unknown[]; stillPresent: unknown[] } }[];
}

const secrets = fakeSecrets(21);
const GH_TOKEN = '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';

function commit(dir: string, path: string, content: string, message: string): void {
  writeFileSync(join(dir, path), content);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', message]);
}

describe('keepopen recheck after a redaction (local repos)', () => {
  it('shows exactly one fixed and one new, and verdicts follow the open findings', async () => {
    const root = tempDir();
    const repos = join(root, 'repos');
    makeRepo(join(repos, 'billing'), [{ files: { 'deploy.env': `AWS_ACCESS_KEY_ID=${secrets['aws-access-key-id']}\nGITHUB_TOKEN=${GH_TOKEN}\n`, 'README.md': '# billing\n' } }]);
    makeRepo(join(repos, 'portal'), [{ files: { 'README.md': '# portal\n' } }]);
    makeRepo(join(repos, 'reports'), [{ files: { 'README.md': '# reports\n' } }]);
    const db = join(root, 'k.db');
    const first = runCli(['scan', repos, '--db', db, '--format', 'json', '--quiet']);
    expect((JSON.parse(first.stdout) as Report).repos.map((r) => [r.name, r.verdict])).toEqual([
      ['billing', 'review-needed'], ['portal', 'keep-open'], ['reports', 'keep-open'],
    ]);

    // The owners of billing redact the AWS key; someone adds a token to portal.
    commit(join(repos, 'billing'), 'deploy.env', `AWS_ACCESS_KEY_ID=\${AWS_ACCESS_KEY_ID}\nGITHUB_TOKEN=${GH_TOKEN}\n`, 'redact AWS key');
    commit(join(repos, 'portal'), 'settings.env', `AWS_ACCESS_KEY_ID=${fakeSecrets(22)['aws-access-key-id']}\n`, 'oops');

    const recheck = runCli(['recheck', 'billing', 'portal', 'reports', '--db', db, '--format', 'json', '--quiet']);
    expect(recheck.status).toBe(0);
    const report = JSON.parse(recheck.stdout) as Report;
    const by = Object.fromEntries(report.repos.map((r) => [r.name, r]));
    expect(by.billing!.verdict).toBe('review-needed'); // the GitHub token is still open
    expect(by.billing!.changes).toMatchObject({ fixed: [{ ruleId: 'aws-access-key-id', path: 'deploy.env', line: 1 }], new: [], moved: [], stillPresent: [{ ruleId: 'github-token' }] });
    expect(by.billing!.reasons.some((r) => /1 finding fixed since the last scan \(aws-access-key-id in deploy\.env:1\): removed at HEAD but still in git history; revoke the credential/.test(r))).toBe(true);
    expect(by.portal!.verdict).toBe('review-needed');
    expect(by.portal!.changes).toMatchObject({ fixed: [], new: [{ ruleId: 'aws-access-key-id', path: 'settings.env' }] });
    expect(by.reports!.unchangedSince).toBeTruthy();
    expect(by.reports!.changes).toEqual({ fixed: [], new: [], moved: [], stillPresent: [] });

    // The database holds the same story.
    const store = await ScanStore.open(db);
    const changes = await store.db.all<{ name: string; change: string; rule_id: string }>(
      `SELECT r.name, c.change, c.rule_id FROM finding_changes c JOIN repos r ON r.id = c.repo_id
        WHERE c.scan_id = (SELECT id FROM scans ORDER BY started_at DESC LIMIT 1) AND c.change != 'still-present' ORDER BY r.name`,
    );
    await store.close();
    expect(changes).toEqual([
      { name: 'billing', change: 'fixed', rule_id: 'aws-access-key-id' },
      { name: 'portal', change: 'new', rule_id: 'aws-access-key-id' },
    ]);

    // The last open finding in billing is redacted: it turns keep-open.
    commit(join(repos, 'billing'), 'deploy.env', 'AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\nGITHUB_TOKEN=${GITHUB_TOKEN}\n', 'redact token');
    const again = JSON.parse(runCli(['recheck', 'billing', '--db', db, '--format', 'json', '--quiet']).stdout) as Report;
    expect(again.repos[0]).toMatchObject({ name: 'billing', verdict: 'keep-open', changes: { fixed: [{ ruleId: 'github-token' }] } });
  }, 60_000);

  it('looks again at an unchanged repo when the rules have changed (a new rule, or --exclude), and only then', () => {
    const root = tempDir();
    const repos = join(root, 'repos');
    makeRepo(join(repos, 'intranet'), [{ files: { 'config/notes.md': `The intranet reads ${ACME_TOKEN} at start.\n`, 'README.md': '# intranet\n' } }]);
    const db = join(root, 'k.db');
    const scan = (...extra: string[]) => JSON.parse(runCli(['scan', repos, '--db', db, '--format', 'json', '--quiet', ...extra]).stdout) as Report;
    expect(scan().repos[0]!.verdict).toBe('keep-open');
    expect(scan().repos[0]!.unchangedSince).toBeTruthy(); // same HEAD, same rules: carried forward

    // An organisation adds its own rule: the unchanged repo is scanned with it, not carried forward.
    const rules = join(root, 'our-rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'acme.yaml'), acmeRuleFile());
    const withRule = scan('--rules', rules).repos[0]!;
    expect(withRule.unchangedSince).toBeUndefined();
    expect(withRule.verdict).toBe('review-needed');
    expect(scan('--rules', rules).repos[0]!.unchangedSince).toBeTruthy();
    // Leaving a path out changes what is found too.
    const excluded = scan('--rules', rules, '--exclude', 'config/**').repos[0]!;
    expect(excluded.unchangedSince).toBeUndefined();
    expect(excluded.verdict).toBe('keep-open');
  });

  it('names a repo that is not in the database, exit 2', () => {
    const root = tempDir();
    makeRepo(join(root, 'r'), [{ files: { a: '1' } }]);
    const db = join(root, 'k.db');
    runCli(['scan', join(root, 'r'), '--db', db, '--quiet']);
    const result = runCli(['recheck', 'nope', '--db', db]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`keepopen: nope is not in ${db}: scan it first with keepopen scan`);
  });
});

describe('keepopen recheck of 200 unchanged remote repos', () => {
  let root: string;
  let server: GitServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'keepopen-recheck-'));
    for (let i = 0; i < 200; i++) makeBareRepoFast(join(root, 'served', 'org', `r${i}.git`), { 'README.md': `# ${i}\n`, 'src/a.js': `export const a = ${i};\n` });
    server = await startGitServer(join(root, 'served'));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('does no fetch and no scan: one ref lookup per repo', async () => {
    const list = join(root, 'repos.txt');
    writeFileSync(list, Array.from({ length: 200 }, (_, i) => `${server.url}/org/r${i}.git`).join('\n'));
    const db = join(root, 'k.db');
    const scan = await runCliAsync(['scan', '--repos', list, '--db', db, '--cache-dir', join(root, 'cache'), '--quiet', '--format', 'json']);
    expect(scan.status).toBe(0);
    const fetchesBefore = server.requests.filter((r) => r.method === 'POST').length;
    expect(fetchesBefore).toBeGreaterThanOrEqual(200);

    server.requests.length = 0;
    const recheck = await runCliAsync(['recheck', '--all', '--db', db, '--cache-dir', join(root, 'cache'), '--quiet', '--format', 'json']);
    expect(recheck.status).toBe(0);
    const report = JSON.parse(recheck.stdout) as Report;
    expect(report.repos).toHaveLength(200);
    expect(report.repos.every((r) => r.unchangedSince !== undefined && r.verdict === 'keep-open')).toBe(true);
    // No pack was asked for: only ref advertisements (GET info/refs), one per repo.
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(server.requests.filter((r) => r.path.endsWith('/info/refs'))).toHaveLength(200);
  }, 120_000);
});
