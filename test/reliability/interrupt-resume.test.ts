import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { dbSnapshot, queryReadOnly } from '../helpers/db-snapshot.js';
import { CLI, runCliAsync } from '../helpers/run-cli.js';

// Nothing lost: a 200-repo scan killed outright (SIGKILL) or interrupted (SIGINT)
// part-way, then run again with the same command, resumes: it scans only what was
// not finished, and the database ends equal to an uninterrupted run's.

let root: string;
let repos: string;
let reference: Awaited<ReturnType<typeof dbSnapshot>>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-resume-'));
  repos = join(root, 'repos');
  for (let i = 0; i < 200; i++) {
    const files: Record<string, string> = {
      'README.md': `# service ${i}\n`,
      'src/app.py': `import os\n\nPORT = int(os.environ.get("PORT", "${8000 + i}"))\n`.repeat(40),
    };
    if (i % 10 === 3) files['config/settings.env'] = `AWS_ACCESS_KEY_ID=${fakeSecrets(500 + i)['aws-access-key-id']}\n`;
    makeBareRepoFast(join(repos, `svc-${String(i).padStart(3, '0')}.git`), files);
  }
  const db = join(root, 'reference.db');
  const run = await runCliAsync(['scan', repos, '--db', db, '--format', 'json', '--quiet', '--workers', '0', '--concurrency', '2']);
  expect(run.status).toBe(0);
  reference = await dbSnapshot(db);
  expect(reference.repos).toHaveLength(200);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const argsFor = (db: string) => ['scan', repos, '--db', db, '--format', 'json', '--quiet', '--workers', '0', '--concurrency', '2'];

async function recordedCount(db: string): Promise<number> {
  try {
    const [row] = await queryReadOnly<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM repo_scans');
    return row?.n ?? 0;
  } catch {
    return 0; // not created or migrated yet
  }
}

/** Starts the CLI, waits until `atLeast` repo results are recorded, then sends `signal`. */
async function interruptAfter(db: string, atLeast: number, signal: NodeJS.Signals): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...argsFor(db)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ status: number | null; signal: string | null }>((resolve) => child.on('close', (status, sig) => resolve({ status, signal: sig })));
  let done = false;
  void exited.then(() => (done = true));
  while (!done && (await recordedCount(db)) < atLeast) await new Promise((r) => setTimeout(r, 10));
  expect(done, 'the scan finished before it could be interrupted').toBe(false);
  child.kill(signal);
  return { ...(await exited), stdout, stderr };
}

async function finishedAtByRepo(db: string): Promise<Map<string, string>> {
  const rows = await queryReadOnly<{ key: string; finished_at: string }>(db, 'SELECT r.key, rs.finished_at FROM repo_scans rs JOIN repos r ON r.id = rs.repo_id');
  return new Map(rows.map((r) => [r.key, r.finished_at]));
}

describe('an interrupted scan resumes where it stopped', () => {
  it('SIGKILL mid-scan, the same command again: only the rest is scanned, and the database equals an uninterrupted run', async () => {
    const db = join(root, 'killed.db');
    const killed = await interruptAfter(db, 40, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const before = await finishedAtByRepo(db);
    expect(before.size).toBeGreaterThanOrEqual(40);
    expect(before.size).toBeLessThan(200);
    // Each recorded repo is whole: its findings are exactly the reference's.
    const partial = await dbSnapshot(db);
    for (const repo of partial.repos) expect(repo).toEqual(reference.repos.find((r) => r.key === repo.key));
    const keys = new Set(partial.repos.map((r) => r.key));
    expect(partial.findings).toEqual(reference.findings.filter((f) => keys.has(f.key)));

    const resumed = await runCliAsync(argsFor(db).filter((a) => a !== '--quiet'));
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming the interrupted scan [0-9a-f]{8} of .*: ${before.size} of 200 repos already done`));
    expect((JSON.parse(resumed.stdout) as { repos: unknown[] }).repos).toHaveLength(200);

    expect(await dbSnapshot(db)).toEqual(reference);
    // One scan, finished; the repos done before the kill were not scanned again.
    const scans = await queryReadOnly<{ finished_at: string | null }>(db, 'SELECT finished_at FROM scans');
    expect(scans).toHaveLength(1);
    expect(scans[0]!.finished_at).not.toBeNull();
    const after = await finishedAtByRepo(db);
    expect(after.size).toBe(200);
    for (const [key, at] of before) expect(after.get(key)).toBe(at);

    // Finished means finished: the same command again is a new scan, not a resume.
    const again = await runCliAsync(argsFor(db).filter((a) => a !== '--quiet'));
    expect(again.stderr).not.toMatch(/resuming/);
  }, 180_000);

  it('SIGINT finishes the repos in hand, writes them, exits 130 with a note, and the next run resumes', async () => {
    const db = join(root, 'interrupted.db');
    const interrupted = await interruptAfter(db, 30, 'SIGINT');
    expect(interrupted.status).toBe(130);
    const done = await finishedAtByRepo(db);
    expect(interrupted.stderr).toContain(`keepopen: interrupted after ${done.size} of 200 repos; run the same command again to resume`);
    // The report of what was done is still whole, valid JSON.
    expect((JSON.parse(interrupted.stdout) as { repos: unknown[] }).repos).toHaveLength(done.size);
    const partial = await dbSnapshot(db);
    for (const repo of partial.repos) expect(repo).toEqual(reference.repos.find((r) => r.key === repo.key));
    const scans = await queryReadOnly<{ finished_at: string | null }>(db, 'SELECT finished_at FROM scans');
    expect(scans).toEqual([{ finished_at: null }]);

    const resumed = await runCliAsync(argsFor(db));
    expect(resumed.status).toBe(0);
    expect(await dbSnapshot(db)).toEqual(reference);
  }, 180_000);
});
