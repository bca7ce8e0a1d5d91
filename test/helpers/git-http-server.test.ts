import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs, { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { startGitServer, type GitServer } from './git-http-server.js';
import { tempDir } from './temp-dir.js';

interface GitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A git client environment with no user config, no prompts and no proxies. */
function clientEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY']) delete env[name];
  return {
    ...env,
    NO_PROXY: '127.0.0.1',
    no_proxy: '127.0.0.1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
  };
}

/** Runs git asynchronously: the server lives in this process, so a sync spawn would deadlock. */
function runGit(args: string[], cwd?: string, timeoutMs = 20_000): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: clientEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let root: string;
let smallHead: string;
let bigHead: string;
let server: GitServer;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-git-server-'));
  smallHead = makeRepo(
    join(root, 'org', 'small.git'),
    [
      { files: { 'README.md': 'one\n' }, message: 'first' },
      { files: { 'README.md': 'two\n', 'src/a.txt': 'a\n' }, message: 'second' },
      { files: { 'src/b.txt': 'b\n' }, message: 'third' },
    ],
    { bare: true },
  );
  // Incompressible content, so the pack is far bigger than any cut-off point used below.
  bigHead = makeRepo(
    join(root, 'org', 'big.git'),
    [
      { files: { 'blob.bin': randomBytes(96 * 1024) }, message: 'big' },
      { files: { 'notes.txt': 'more\n' }, message: 'second' },
    ],
    { bare: true },
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

beforeEach(async () => {
  server = await startGitServer(root);
});

afterEach(async () => {
  await server.close();
});

describe('git smart-HTTP test server', () => {
  it('serves a shallow clone (git clone --depth 1 --no-checkout)', async () => {
    const dest = join(tempDir(), 'clone');
    const run = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/small.git`, dest]);
    expect(run.stderr).not.toMatch(/fatal|error/i);
    expect(run.code).toBe(0);
    expect(existsSync(join(dest, '.git', 'shallow'))).toBe(true);
    expect((await runGit(['rev-parse', 'HEAD'], dest)).stdout.trim()).toBe(smallHead);
    expect((await runGit(['rev-list', '--count', 'HEAD'], dest)).stdout.trim()).toBe('1');
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain(
      'GET /org/small.git/info/refs 200',
    );
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/org/small.git/git-upload-pack').length).toBeGreaterThan(0);
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('supports partial clone filters (uploadpack.allowFilter)', async () => {
    const dest = join(tempDir(), 'clone');
    const run = await runGit(['clone', '--depth', '1', '--filter=blob:none', '--no-checkout', `${server.url}/org/big.git`, dest]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/filtering not recognized/i);
    expect((await runGit(['config', 'remote.origin.promisor'], dest)).stdout.trim()).toBe('true');
    // The big blob was filtered out: it is missing locally.
    const missing = await runGit(['rev-list', '--objects', '--missing=print', 'HEAD'], dest);
    expect(missing.stdout).toMatch(/^\?[0-9a-f]{40}/m);
  });

  it('serves a shallow clone to isomorphic-git (depth 1, noCheckout)', async () => {
    const dir = tempDir();
    await git.clone({ fs, http, dir, url: `${server.url}/org/small.git`, depth: 1, singleBranch: true, noCheckout: true });
    expect(await git.resolveRef({ fs, dir, ref: 'HEAD' })).toBe(smallHead);
    expect(readFileSync(join(dir, '.git', 'shallow'), 'utf8').trim()).toBe(smallHead);
    const log = await git.log({ fs, dir, depth: 10 });
    expect(log).toHaveLength(1);
  });

  it('passes Git-Protocol and gzip request bodies to http-backend', async () => {
    const v2 = await fetch(`${server.url}/org/small.git/info/refs?service=git-upload-pack`, {
      headers: { 'Git-Protocol': 'version=2' },
    });
    expect(v2.status).toBe(200);
    expect(v2.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect(await v2.text()).toContain('version 2');

    // A protocol v0 upload-pack request, gzipped as git clients send large ones.
    const pkt = (line: string): string => (line.length + 4).toString(16).padStart(4, '0') + line;
    const body = pkt(`want ${smallHead} ofs-delta\n`) + pkt('deepen 1\n') + '0000' + pkt('done\n');
    const res = await fetch(`${server.url}/org/small.git/git-upload-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-upload-pack-request', 'Content-Encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-git-upload-pack-result');
    const out = Buffer.from(await res.arrayBuffer()).toString('latin1');
    expect(out).toContain(`shallow ${smallHead}`);
    expect(out).toContain('PACK');
  });

  it('answers 404 for a repo that does not exist', async () => {
    const run = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/missing.git`, join(tempDir(), 'c')]);
    expect(run.code).not.toBe(0);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/org/missing.git/info/refs', status: 404 });
  });

  it('injects a fixed HTTP status per repo, changeable at runtime', async () => {
    server.faults.status = { 'org/small.git': 503 };
    const failed = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/small.git`, join(tempDir(), 'a')]);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/503/);
    expect(server.requests).toEqual([{ method: 'GET', path: '/org/small.git/info/refs', status: 503 }]);

    // Other repos are unaffected.
    const other = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/big.git`, join(tempDir(), 'b')]);
    expect(other.code).toBe(0);

    server.faults.status = { 'org/small.git': 401 };
    const denied = await runGit(['ls-remote', `${server.url}/org/small.git`]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Authentication failed|could not read Username|terminal prompts disabled/i);

    delete server.faults.status;
    const ok = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/small.git`, join(tempDir(), 'c')]);
    expect(ok.code).toBe(0);
  });

  it('corrupts the pack so git and isomorphic-git reject it', async () => {
    server.faults.corruptPack = ['org/big.git'];
    const run = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/big.git`, join(tempDir(), 'c')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/inflate|bad object|corrupt|SHA1 mismatch/i);
    // The refs advertisement was untouched: the failure is in the pack.
    expect(server.requests.find((r) => r.path.endsWith('/info/refs'))?.status).toBe(200);

    const dir = tempDir();
    await expect(
      git.clone({ fs, http, dir, url: `${server.url}/org/big.git`, depth: 1, singleBranch: true, noCheckout: true }),
    ).rejects.toThrow();

    server.faults.corruptPack = [];
    const ok = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/big.git`, join(tempDir(), 'd')]);
    expect(ok.code).toBe(0);
  });

  it('cuts the upload-pack response off after N bytes', async () => {
    server.faults.resetAfterBytes = { 'org/big.git': 4000 };
    const run = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/big.git`, join(tempDir(), 'c')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/early EOF|transfer closed|unexpected disconnect/i);

    const dir = tempDir();
    await expect(
      git.clone({ fs, http, dir, url: `${server.url}/org/big.git`, depth: 1, singleBranch: true, noCheckout: true }),
    ).rejects.toThrow();
    await expect(git.resolveRef({ fs, dir, ref: 'HEAD' })).rejects.toThrow();

    // Responses shorter than the limit go through whole.
    server.faults.resetAfterBytes = { 'org/big.git': 10_000_000 };
    const dest = join(tempDir(), 'd');
    const ok = await runGit(['clone', '--depth', '1', '--no-checkout', `${server.url}/org/big.git`, dest]);
    expect(ok.code).toBe(0);
    expect((await runGit(['rev-parse', 'HEAD'], dest)).stdout.trim()).toBe(bigHead);
  });

  it('delays answers, so clients can time out', async () => {
    server.faults.delayMs = { 'org/small.git': 400 };
    const url = `${server.url}/org/small.git/info/refs?service=git-upload-pack`;
    await expect(fetch(url, { signal: AbortSignal.timeout(100) })).rejects.toThrow();

    const started = Date.now();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    // The abandoned request was never answered.
    expect(server.requests.map((r) => r.status)).toEqual([0, 200]);

    // git's own low-speed timeout gives up on a server that says nothing.
    server.faults.delayMs = { 'org/small.git': 10_000 };
    const run = await runGit([
      '-c', 'http.lowSpeedLimit=1', '-c', 'http.lowSpeedTime=1',
      'ls-remote', `${server.url}/org/small.git`,
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/timed out|Operation too slow/i);
  });

  it('closes promptly while requests are pending', async () => {
    server.faults.delayMs = { 'org/small.git': 30_000 };
    const pending = fetch(`${server.url}/org/small.git/info/refs?service=git-upload-pack`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
