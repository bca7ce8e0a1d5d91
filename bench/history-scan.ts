import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeSecrets, prng } from '../fixtures/build-fixture-repos.mjs';
import { CLI, measureCommand, measureNode } from './measure.js';

// History scanning on a generated repo with a long history: a few hundred source
// files, thousands of commits each changing a few of them, one secret committed and
// removed along the way. Reported: unique-blob bytes per second for `scan --history`,
// against the same repo's HEAD-only scan, and against git itself producing the patch
// stream a git-log-based scanner (gitleaks' git mode) reads, measured in the same run.

export interface HistoryScanFigures {
  commits: number;
  uniqueBlobs: number;
  uniqueBlobMB: number;
  history: { wallSeconds: number; cpuSeconds: number; uniqueBlobMBPerSecond: number; peakRssMB: number; foundPlantedSecret: boolean };
  headOnly: { wallSeconds: number; cpuSeconds: number };
  /** `git log -p --all` over the same repo: the input a git-log-based scanner reads before any regex runs. */
  gitLogPatch: { wallSeconds: number; cpuSeconds: number; outputMB: number };
}

const MB = 1024 * 1024;

function sourceFile(random: () => number, index: number, version: number): string {
  const lines: string[] = [`// module ${index}, revision ${version}`, `export const MODULE_${index} = ${index};`];
  for (let i = 0; i < 60; i++) {
    const n = Math.floor(random() * 1e6);
    lines.push(`export function handler${index}_${i}(input: string): string { return input.padStart(${n % 40}, '-') + '${n.toString(36)}'; }`);
  }
  return lines.join('\n') + '\n';
}

/** Builds the repo with `git fast-import` (thousands of commits in seconds). */
export async function buildLongHistoryRepo(dir: string, commits: number, files: number): Promise<{ secretCommitIndex: number }> {
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  const random = prng(42);
  const secret = fakeSecrets(77)['aws-access-key-id'];
  const secretCommitIndex = Math.floor(commits / 3);
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)))));
  const chunks: string[] = [];
  const write = (text: string) => chunks.push(text);
  const data = (text: string) => write(`data ${Buffer.byteLength(text)}\n${text}\n`);
  const path = (i: number) => `src/module${i % 12}/file${i}.ts`;
  let mark = 0;
  let lastCommitMark = 0;
  const time = 1_700_000_000;
  for (let c = 0; c < commits; c++) {
    const changes: [string, string | null][] = [];
    if (c === 0) for (let f = 0; f < files; f++) changes.push([path(f), sourceFile(random, f, 0)]);
    else for (let k = 0; k < 3; k++) {
      const f = Math.floor(random() * files);
      changes.push([path(f), sourceFile(random, f, c)]);
    }
    if (c === secretCommitIndex) changes.push(['config/app.env', `AWS_ACCESS_KEY_ID=${secret}\nREGION=eu-west-2\n`]);
    if (c === secretCommitIndex + 1) changes.push(['config/app.env', null]);
    const marks: [string, number | null][] = [];
    for (const [p, content] of changes) {
      if (content === null) {
        marks.push([p, null]);
        continue;
      }
      write(`blob\nmark :${++mark}\n`);
      data(content);
      marks.push([p, mark]);
    }
    write(`commit refs/heads/main\nmark :${++mark}\ncommitter Bench <bench@example.org> ${time + c * 60} +0000\n`);
    data(`change ${c}`);
    if (c > 0) write(`from :${lastCommitMark}\n`);
    for (const [p, m] of marks) write(m === null ? `D ${p}\n` : `M 100644 :${m} ${p}\n`);
    write('\n');
    lastCommitMark = mark;
    if (chunks.length > 2000) {
      if (!child.stdin.write(chunks.splice(0).join(''))) await new Promise((r) => child.stdin.once('drain', r));
    }
  }
  child.stdin.end(chunks.join(''));
  await done;
  return { secretCommitIndex };
}
function uniqueBlobStats(gitdir: string): { count: number; bytes: number } {
  const out = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize)'], { cwd: gitdir, encoding: 'utf8', maxBuffer: 256 * MB });
  let count = 0;
  let bytes = 0;
  for (const line of out.split('\n')) {
    const [type, size] = line.split(' ');
    if (type === 'blob') {
      count++;
      bytes += Number(size);
    }
  }
  return { count, bytes };
}

export async function benchHistoryScan(commits: number, files = 300): Promise<HistoryScanFigures> {
  const root = mkdtempSync(join(tmpdir(), 'keepopen-bench-history-'));
  try {
    const repo = join(root, 'long-history.git');
    await buildLongHistoryRepo(repo, commits, files);
    const blobs = uniqueBlobStats(repo);
    const args = (db: string, history: boolean) => ['scan', repo, '--db', join(root, db), '--format', 'json', '--quiet', '--workers', '0', ...(history ? ['--history'] : [])];
    const history = await measureNode(CLI, args('history.db', true));
    if (history.status !== 0) throw new Error(`keepopen scan --history failed: ${history.stderr}`);
    const report = JSON.parse(history.stdout) as { findings: { ruleId: string; inHistoryOnly: boolean }[] };
    const headOnly = await measureNode(CLI, args('head.db', false));
    const gitLog = await measureCommand('git', ['log', '-p', '--all', '--no-color', '--full-history'], repo);
    return {
      commits,
      uniqueBlobs: blobs.count,
      uniqueBlobMB: blobs.bytes / MB,
      history: {
        wallSeconds: history.wallSeconds, cpuSeconds: history.cpuSeconds, uniqueBlobMBPerSecond: blobs.bytes / MB / history.wallSeconds,
        peakRssMB: history.peakRssBytes / MB,
        foundPlantedSecret: report.findings.some((f) => f.ruleId === 'aws-access-key-id' && f.inHistoryOnly),
      },
      headOnly: { wallSeconds: headOnly.wallSeconds, cpuSeconds: headOnly.cpuSeconds },
      gitLogPatch: { wallSeconds: gitLog.wallSeconds, cpuSeconds: gitLog.cpuSeconds, outputMB: gitLog.stdoutBytes / MB },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
