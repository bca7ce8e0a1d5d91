import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, makeBareRepoFast, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { startGitHubApiServer, type GitHubApiServer } from '../helpers/github-api-server.js';
import { runCliAsync, type CliResult } from '../helpers/run-cli.js';

// Secrets stay secret: plant raw values of several kinds, run every command that
// writes something (scan in table and JSON, --history, recheck, every export, the
// triage baseline, an org scan with a token), then grep every artefact: stdout,
// stderr, the database and its WAL, each export, the clone cache (apart from the
// clones' own git objects, which are the repos themselves). No raw value and no
// token may appear anywhere; the database and the cache are owner-only.

const TOKEN = 'ghp_LeakCanaryToken0000000000000000000077';
const seeds = [41, 42, 43];
const secrets = seeds.map((seed) => fakeSecrets(seed));
const extra = {
  // Fails the GitHub checksum, so no rule reports it: it must still never be echoed anywhere.
  github: 'ghp_' + 'Zq9Xw2Lm4Nb6Vc8Rt1Yu3Io5Pa7Sd9Fg0Hj2K'.slice(0, 36),
  connection: 'Server=db.internal;Database=records;User Id=app;Password=Gx7-QpLm2vRt9WzKc4Hn;',
  nhs: '943 476 5919',
};
const rawValues = [
  ...secrets.flatMap((s) => [s['aws-access-key-id'], s.password, ...s['rsa-private-key'].split('\n').filter((l) => !l.startsWith('-----')).slice(0, 3)]),
  extra.github, 'Gx7-QpLm2vRt9WzKc4Hn',
];
/** A value as it would appear if something encoded it on the way out: as is, base64, URL-encoded, hex. */
function forms(value: string): string[] {
  return [...new Set([value, Buffer.from(value).toString('base64'), encodeURIComponent(value), Buffer.from(value).toString('hex')])];
}
/** The token, and the Basic credentials it travels in when a git server asks for them. */
const tokenForms = [...forms(TOKEN), Buffer.from(`x-access-token:${TOKEN}`).toString('base64')];
let orgScan: CliResult;

let root: string;
let gitServer: GitServer;
let api: GitHubApiServer;
const outputs: CliResult[] = [];

function leakyFiles(i: number): Record<string, string> {
  const s = secrets[i]!;
  return {
    'README.md': `# service ${i}\n`,
    'deploy/settings.env': `AWS_ACCESS_KEY_ID=${s['aws-access-key-id']}\nDB_PASSWORD=${s.password}\nGITHUB_TOKEN=${extra.github}\n`,
    'config/server.key': `${s['rsa-private-key']}\n`,
    'config/appsettings.json': JSON.stringify({ ConnectionStrings: { Records: extra.connection } }, null, 2),
  };
}

async function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCliAsync(args, { cwd: root, env: { GITHUB_TOKEN: TOKEN, ...env } });
  outputs.push(result);
  return result;
}

/** Every file under `dir`, skipping git objects inside clones (the repos' own content). */
function artefacts(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(dir, full);
    if (path.startsWith('repos/') || path.startsWith('served/')) continue; // the inputs themselves
    if (/\.git\/objects\//.test(path) || /\.git\/(packed-refs|shallow)$/.test(path)) continue;
    files.push(full);
  }
  return files;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-leaks-'));
  makeRepo(join(root, 'repos', 'billing'), [
    { files: { ...leakyFiles(0), 'notes.md': `Patient NHS number ${extra.nhs} (appointment record)\n` } },
    { files: { 'deploy/settings.env': 'AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\n' }, message: 'redact' },
  ]);
  makeRepo(join(root, 'repos', 'records'), [{ files: leakyFiles(1) }]);
  makeBareRepoFast(join(root, 'served', 'leak-org', 'portal.git'), leakyFiles(2));
  // A private repo whose git server asks for credentials (the token is offered) and refuses them.
  makeBareRepoFast(join(root, 'served', 'leak-org', 'vault.git'), leakyFiles(2));
  gitServer = await startGitServer(join(root, 'served'), { status: { 'leak-org/vault.git': 401 } });
  api = await startGitHubApiServer({
    'leak-org': [
      { name: 'portal', cloneUrl: `${gitServer.url}/leak-org/portal.git` },
      { name: 'vault', cloneUrl: `${gitServer.url}/leak-org/vault.git`, private: true },
    ],
  }, { tokens: [TOKEN] });

  const db = join(root, 'k.db');
  const cache = join(root, 'cache');
  const common = ['--db', db, '--cache-dir', cache, '--keep-clones', '--no-progress'];
  expect((await run(['scan', join(root, 'repos'), ...common])).status).toBe(0);
  expect((await run(['scan', join(root, 'repos'), ...common, '--history', '--format', 'json', '--output', join(root, 'report.json')])).status).toBe(0);
  orgScan = await run(['scan', '--org', 'leak-org', ...common, '--format', 'json'], { GITHUB_API_URL: api.url });
  expect(orgScan.status).toBe(0);
  expect((await run(['scan', '--org', 'leak-org', ...common], { GITHUB_API_URL: api.url })).status).toBe(0); // table too
  expect((await run(['recheck', '--all', ...common, '--force'], { GITHUB_API_URL: api.url })).status).toBe(0);
  for (const format of ['json', 'csv', 'sarif', 'markdown']) {
    expect((await run(['export', '--db', db, '--format', format, '--output', join(root, `export.${format}`)])).status).toBe(0);
    expect((await run(['export', '--db', db, '--format', format])).status).toBe(0);
  }
  const fingerprint = (JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as { findings: { fingerprint: string }[] }).findings[0]!.fingerprint;
  expect((await run(['triage', fingerprint, '--status', 'revoked', '--note', 'rotated', '--who', 'tester', '--db', db])).status).toBe(0);
  expect((await run(['triage', '--export', join(root, 'baseline.json'), '--db', db])).status).toBe(0);
  // A failure path too: an unreachable API, with the token set.
  expect((await run(['scan', '--org', 'leak-org', '--db', db], { GITHUB_API_URL: 'http://127.0.0.1:9' })).status).toBe(2);
}, 240_000);

afterAll(async () => {
  await gitServer?.close();
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('no secret leaves keepopen', () => {
  it('found what was planted (so the absence below means something)', () => {
    const report = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as { findings: { ruleId: string; inHistoryOnly: boolean }[] };
    const rules = new Set(report.findings.map((f) => f.ruleId));
    expect(rules).toContain('aws-access-key-id');
    expect([...rules].some((r) => r.includes('private-key'))).toBe(true);
    expect([...rules].some((r) => r.includes('password'))).toBe(true);
    expect(report.findings.some((f) => f.inHistoryOnly)).toBe(true);
    expect(report.findings.length).toBeGreaterThan(6);
    // The org scan used the token: it listed the private repo, offered the token to its git server, and was refused.
    const org = JSON.parse(orgScan.stdout) as { repos: { name: string; verdict: string; reasons: string[] }[] };
    expect(org.repos.find((r) => r.name === 'leak-org/portal')?.verdict).toBe('review-needed');
    expect(org.repos.find((r) => r.name === 'leak-org/vault')?.verdict).toBe('error');
    expect(org.repos.find((r) => r.name === 'leak-org/vault')?.reasons[0]).toMatch(/HTTP 401/);
  });

  it('no raw value and no token in stdout, stderr, the database, exports, the baseline or the cache', () => {
    const files = artefacts(root);
    expect(files.some((f) => f.endsWith('k.db'))).toBe(true);
    expect(files.some((f) => f.includes(join('cache', '')))).toBe(true);
    const texts: [string, string][] = [
      ...outputs.flatMap((o, i): [string, string][] => [[`stdout of run ${i}`, o.stdout], [`stderr of run ${i}`, o.stderr]]),
      ...files.map((f): [string, string] => [relative(root, f), readFileSync(f).toString('latin1')]),
    ];
    const needles = [...rawValues.flatMap(forms), ...tokenForms];
    for (const [where, text] of texts) {
      for (const value of needles) expect(text.includes(value), `${value.slice(0, 6)}... in ${where}`).toBe(false);
    }
  });

  it('the database is owner-only, and so is the clone cache', () => {
    expect(statSync(join(root, 'k.db')).mode & 0o777).toBe(0o600);
    for (const side of ['k.db-wal', 'k.db-shm']) if (existsSync(join(root, side))) expect(statSync(join(root, side)).mode & 0o077).toBe(0);
    expect(statSync(join(root, 'cache')).mode & 0o777).toBe(0o700);
  });
});
