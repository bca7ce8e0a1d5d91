import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { shardOf } from '../../src/sources/shard.js';
import { dbSnapshot } from '../helpers/db-snapshot.js';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { startGitHubApiServer, type FakeRepo, type GitHubApiServer } from '../helpers/github-api-server.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';

// Scale-out: four shards of one org scanned by four separate processes into four
// databases, merged, must equal one unsharded run: same repos, verdicts, reasons
// and findings. Merging twice adds nothing; triage decisions travel with the merge.

const ORG = 'shard-org';
const TOKEN = 'ghp_KeepOpenShardTestToken0000000000001';
let root: string;
let gitServer: GitServer;
let api: GitHubApiServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-shard-'));
  const served = join(root, 'served');
  const repos: FakeRepo[] = [];
  for (let i = 0; i < 40; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    const files: Record<string, string> = { 'README.md': `# ${name}\n`, 'src/main.py': `print(${i})\n` };
    if (i % 5 === 1) files['config/app.env'] = `AWS_ACCESS_KEY_ID=${fakeSecrets(300 + i)['aws-access-key-id']}\n`;
    if (i % 7 === 2) files['docs/hosts.md'] = Array.from({ length: 12 }, (_, n) => `- db${n}: 10.20.${i}.${n + 10}`).join('\n') + '\n';
    makeBareRepoFast(join(served, ORG, `${name}.git`), files);
    repos.push({ name, cloneUrl: '', fork: i === 39, archived: false, size: 4, pushedAt: '2026-06-01T00:00:00Z' });
  }
  gitServer = await startGitServer(served);
  for (const r of repos) r.cloneUrl = `${gitServer.url}/${ORG}/${r.name}.git`;
  api = await startGitHubApiServer({ [ORG]: repos }, { tokens: [TOKEN] });
}, 120_000);

afterAll(async () => {
  await gitServer?.close();
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

const scanArgs = (db: string, cache: string) => ['scan', '--org', ORG, '--db', db, '--cache-dir', cache, '--format', 'json', '--quiet', '--workers', '0', '--concurrency', '4'];
const env = () => ({ GITHUB_API_URL: api.url, GITHUB_TOKEN: TOKEN });

describe('keepopen scan --shard I/N and keepopen merge', () => {
  it('four shards in four processes, merged, equal one unsharded run', async () => {
    const single = join(root, 'single.db');
    const whole = await runCliAsync(scanArgs(single, join(root, 'cache-single')), { env: env() });
    expect(whole.status).toBe(0);

    const shards = [1, 2, 3, 4].map((i) => join(root, `shard-${i}.db`));
    const runs = await Promise.all(shards.map((db, i) => runCliAsync([...scanArgs(db, join(root, `cache-${i}`)), '--shard', `${i + 1}/4`], { env: env() })));
    for (const run of runs) expect(run.status).toBe(0);
    // Each repo in exactly one shard, as the hash says.
    const perShard = runs.map((run) => (JSON.parse(run.stdout) as { repos: { name: string }[] }).repos.map((r) => r.name));
    expect(perShard.flat().sort()).toEqual((JSON.parse(whole.stdout) as { repos: { name: string }[] }).repos.map((r) => r.name).sort());
    perShard.forEach((names, i) => {
      for (const name of names) expect(shardOf(`127.0.0.1:${new URL(gitServer.url).port}/${name}`.toLowerCase(), 4)).toBe(i + 1);
    });
    expect(perShard.every((names) => names.length > 0 && names.length < 39)).toBe(true);

    const merged = join(root, 'merged.db');
    const merge = runCli(['merge', merged, ...shards]);
    expect(merge.status).toBe(0);
    expect(merge.stderr).toMatch(/merged 4 databases into .*merged\.db: 4 scans, 39 repo results, \d+ findings, 0 triage decisions added/);
    const expected = await dbSnapshot(single);
    expect(expected.findings.length).toBeGreaterThan(10);
    expect(expected.skipped).toHaveLength(1);
    expect(await dbSnapshot(merged)).toEqual(expected);

    // Merging the same shards again adds nothing.
    const again = runCli(['merge', merged, ...shards]);
    expect(again.stderr).toMatch(/0 scans, 0 repo results, 0 findings, 0 triage decisions added/);
    expect(await dbSnapshot(merged)).toEqual(expected);

    // A decision made in one shard's database re-triages the merged result.
    const leaky = expected.findings.find((f) => f.rule_id === 'aws-access-key-id')!;
    const owner = shards.find((_, i) => perShard[i]!.some((name) => leaky.key.endsWith(name.toLowerCase())))!;
    expect(runCli(['triage', leaky.fingerprint, '--status', 'false-positive', '--note', 'test key', '--who', 'tester', '--db', owner]).status).toBe(0);
    expect(runCli(['merge', merged, owner, '--quiet']).status).toBe(0);
    const after = await dbSnapshot(merged);
    const repo = after.repos.find((r) => r.key === leaky.key)!;
    expect(repo.reasons).toMatch(/triaged, not counted \(false-positive: 1/);
  }, 240_000);

  it('refuses a bad shard and a missing input with one line, exit 2', () => {
    const bad = runCli(['scan', root, '--shard', '5/4', '--db', join(root, 'x.db')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('keepopen: --shard 5/4 is not I/N with 1 <= I <= N (e.g. --shard 2/4; in a Kubernetes Indexed Job use $((JOB_COMPLETION_INDEX + 1))/N)');
    const missing = runCli(['merge', join(root, 'out.db'), join(root, 'nope.db')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`keepopen: ${join(root, 'nope.db')} does not exist: give the path of a keepopen database to merge`);
  });
});
