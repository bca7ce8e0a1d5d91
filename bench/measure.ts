import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RSS_HOOK = join(ROOT, 'bench', 'report-peak-rss.cjs');
/** GNU time: the child's own rusage (user, system, max RSS), whatever the child is. */
const GNU_TIME = '/usr/bin/time';

export interface ProcessMeasure {
  wallSeconds: number;
  /** User + system CPU seconds of the child (all its threads), from its rusage. */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  peakRssBytes: number;
  status: number | null;
  /** What the child wrote (kept up to 64 MB; see stdoutBytes for the whole size). */
  stdout: string;
  stdoutBytes: number;
  stderr: string;
}

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Only count stdout's bytes (a peer's report can be large) instead of keeping it. */
  ignoreStdout?: boolean;
}

const KEEP_STDOUT = 64 * 1024 * 1024;

let unique = 0;

/**
 * Runs a command as a child (asynchronously: loopback servers may live in this process) and
 * reads the child's rusage when it exits: under GNU time when /usr/bin/time exists, else from
 * this process's reaped-children CPU times (/proc/self/stat) and, for node children, a preloaded
 * hook that writes the peak RSS (others then report 0).
 */
export function measureCommand(command: string, args: string[], optionsOrCwd: CommandOptions | string = {}): Promise<ProcessMeasure> {
  const options: CommandOptions = typeof optionsOrCwd === 'string' ? { cwd: optionsOrCwd } : optionsOrCwd;
  const tag = `${process.pid}-${Date.now()}-${unique++}`;
  const timeFile = join(tmpdir(), `keepopen-bench-time-${tag}`);
  const rssFile = join(tmpdir(), `keepopen-bench-rss-${tag}`);
  const useTime = existsSync(GNU_TIME);
  const isNode = command === process.execPath;
  const argv = isNode && !useTime ? ['--require', RSS_HOOK, ...args] : args;
  const [file, fileArgs] = useTime ? [GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...argv]] : [command, argv];
  const childrenBefore = reapedChildrenCpu();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, fileArgs, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, ...(isNode && !useTime ? { KEEPOPEN_BENCH_RSS_FILE: rssFile } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kept: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      if (!options.ignoreStdout && stdoutBytes + d.length <= KEEP_STDOUT) kept.push(d);
      stdoutBytes += d.length;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const wallSeconds = (performance.now() - started) / 1000;
      let userSeconds = Number.NaN;
      let systemSeconds = Number.NaN;
      let peakRssBytes = 0;
      if (useTime) {
        try {
          // GNU time writes "Command exited with non-zero status N" first when it did.
          const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
          [userSeconds, systemSeconds] = [last[0]!, last[1]!];
          peakRssBytes = last[2]! * 1024;
        } catch {
          // killed before time could write
        }
        rmSync(timeFile, { force: true });
      } else {
        const cpu = reapedChildrenCpu();
        userSeconds = cpu.user - childrenBefore.user;
        systemSeconds = cpu.system - childrenBefore.system;
        try {
          peakRssBytes = Number(readFileSync(rssFile, 'utf8'));
        } catch {
          // not a node child, or it died before its exit hook ran
        }
        rmSync(rssFile, { force: true });
      }
      const stdout = Buffer.concat(kept).toString('utf8');
      resolve({ wallSeconds, cpuSeconds: userSeconds + systemSeconds, userSeconds, systemSeconds, peakRssBytes, status, stdout, stdoutBytes, stderr });
    });
  });
}

/** A node script as a child, measured (see measureCommand). */
export function measureNode(script: string, args: string[], env: Record<string, string> = {}, options: Omit<CommandOptions, 'env'> = {}): Promise<ProcessMeasure> {
  return measureCommand(process.execPath, [script, ...args], { ...options, env });
}

/** CPU seconds of this process's reaped children (cutime, cstime: fields 16 and 17 of /proc/self/stat). */
function reapedChildrenCpu(): { user: number; system: number } {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return { user: Number(fields[13]) / 100, system: Number(fields[14]) / 100 }; // USER_HZ is 100 on Linux
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}
