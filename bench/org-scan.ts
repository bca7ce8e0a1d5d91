import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSecrets, makeBareRepoFast } from '../fixtures/build-fixture-repos.mjs';
import { startGitServer } from '../test/helpers/git-http-server.js';
import { startGitHubApiServer, type FakeRepo } from '../test/helpers/github-api-server.js';
import { CLI, measureNode, type ProcessMeasure } from './measure.js';

// End to end on loopback: an organisation of N small generated repos listed through
// the GitHub REST stand-in, cloned from a real git http-backend, and triaged.

export interface OrgScanFigures {
  repos: number;
  concurrency: number;
  wallSeconds: number;
  reposPerMinute: number;
  cpuSeconds: number;
  peakRssMB: number;
  verdicts: Record<string, number>;
  /** Recheck of the same, unchanged repos: one ref lookup each, no fetch, no scan. */
  recheck: { wallSeconds: number; cpuSeconds: number; peakRssMB: number; unchanged: number };
}

export async function benchOrgScan(repoCount: number, concurrency: number): Promise<OrgScanFigures> {
  const root = mkdtempSync(join(tmpdir(), 'keepopen-bench-org-'));
  const served = join(root, 'served');
  const key = fakeSecrets(5)['aws-access-key-id'];
  const repos: FakeRepo[] = [];
  for (let i = 0; i < repoCount; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const files: Record<string, string> = {
      'README.md': `# ${name}\n\nService ${i}.\n`,
      'package.json': JSON.stringify({ name, version: '1.0.0', dependencies: { express: '^4.19.2' } }, null, 2),
      'src/server.js': `import express from 'express';\nconst app = express();\napp.get('/', (_, res) => res.send('ok ${i}'));\napp.listen(process.env.PORT);\n`,
      'deploy/values.yaml': `replicaCount: 2\nimage: registry.example.org/${name}:1.0.${i}\nservice:\n  port: 8080\n`,
    };
    if (i % 20 === 0) files['.env'] = `AWS_ACCESS_KEY_ID=${key}\n`;
    makeBareRepoFast(join(served, 'bench-org', `${name}.git`), files);
    repos.push({ name, cloneUrl: '' });
  }
  const git = await startGitServer(served);
  for (const r of repos) r.cloneUrl = `${git.url}/bench-org/${r.name}.git`;
  const api = await startGitHubApiServer({ 'bench-org': repos });
  let run: ProcessMeasure;
  let recheck: ProcessMeasure;
  try {
    run = await measureNode(CLI, ['scan', '--org', 'bench-org', '--format', 'json', '--quiet', '--db', join(root, 'k.db'), '--cache-dir', join(root, 'cache'), '--concurrency', String(concurrency)], { GITHUB_API_URL: api.url });
    recheck = await measureNode(CLI, ['recheck', '--all', '--format', 'json', '--quiet', '--db', join(root, 'k.db'), '--cache-dir', join(root, 'cache'), '--concurrency', String(concurrency)]);
  } finally {
    await git.close();
    await api.close();
  }
  if (run.status !== 0) throw new Error(`org scan failed (exit ${run.status}): ${run.stderr.split('\n')[0]}`);
  const report = JSON.parse(run.stdout) as { repos: { verdict: string }[] };
  if (recheck.status !== 0) throw new Error(`recheck failed (exit ${recheck.status}): ${recheck.stderr.split('\n')[0]}`);
  const rechecked = JSON.parse(recheck.stdout) as { repos: { unchangedSince?: string }[] };
  rmSync(root, { recursive: true, force: true });
  const verdicts: Record<string, number> = {};
  for (const r of report.repos) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  return {
    repos: report.repos.length,
    concurrency,
    wallSeconds: run.wallSeconds,
    reposPerMinute: (report.repos.length / run.wallSeconds) * 60,
    cpuSeconds: run.cpuSeconds,
    peakRssMB: run.peakRssBytes / 1024 / 1024,
    verdicts,
    recheck: { wallSeconds: recheck.wallSeconds, cpuSeconds: recheck.cpuSeconds, peakRssMB: recheck.peakRssBytes / 1024 / 1024, unchanged: rechecked.repos.filter((r) => r.unchangedSince).length },
  };
}
