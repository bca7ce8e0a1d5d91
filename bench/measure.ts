import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RSS_HOOK = join(ROOT, 'bench', 'report-peak-rss.cjs');

export interface ProcessMeasure {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a node script as a child (asynchronously: loopback servers live in this process), timing it and reading its peak RSS. */
export function measureNode(script: string, args: string[], env: Record<string, string> = {}): Promise<ProcessMeasure> {
  const rssFile = join(tmpdir(), `keepopen-bench-rss-${process.pid}-${Date.now()}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', RSS_HOOK, script, ...args], {
      env: { ...process.env, ...env, KEEPOPEN_BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallSeconds = (performance.now() - started) / 1000;
      let peakRssBytes = 0;
      try {
        peakRssBytes = Number(readFileSync(rssFile, 'utf8'));
        rmSync(rssFile, { force: true });
      } catch {
        // the child died before its exit hook ran
      }
      resolve({ wallSeconds, cpuSeconds: childCpuSeconds(), peakRssBytes, status, stdout, stderr });
    });
  });
}

/** Total CPU seconds of this process's reaped children (cutime + cstime, fields 16 and 17 of /proc/self/stat). */
function reapedChildrenCpu(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

let childTotal = reapedChildrenCpu();
/** CPU seconds used by children reaped since the last call. */
function childCpuSeconds(): number {
  const now = reapedChildrenCpu();
  const delta = now - childTotal;
  childTotal = now;
  return delta;
}

/** Runs any command as a child, discarding its output but counting it: wall and CPU seconds. */
export function measureCommand(command: string, args: string[], cwd?: string): Promise<{ wallSeconds: number; cpuSeconds: number; stdoutBytes: number; status: number | null }> {
  childCpuSeconds(); // start the count here
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdoutBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdoutBytes += chunk.length));
    child.on('error', reject);
    child.on('close', (status) => resolve({ wallSeconds: (performance.now() - started) / 1000, cpuSeconds: childCpuSeconds(), stdoutBytes, status }));
  });
}
