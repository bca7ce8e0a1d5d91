import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { createGitHttpClient } from '../../src/fetch/git-http-client.js';
import { shallowFetch } from '../../src/fetch/shallow-clone.js';
import { listOrgRepos, SourceError } from '../../src/sources/github-org.js';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { startGitHubApiServer, type FakeRepo, type GitHubApiServer } from '../helpers/github-api-server.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-http-server.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { deflatedZeros } from '../helpers/zlib-bomb.js';

/** This process's peak resident memory so far (Linux VmHWM), in MB. */
function peakRssMB(): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Side-band channel 1 packets (pack data) for `data`, as git's upload-pack sends them. */
function sideBand(data: Buffer): Buffer {
  const packets: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65515) {
    const payload = data.subarray(at, at + 65515);
    packets.push(Buffer.from((payload.length + 5).toString(16).padStart(4, '0') + '\x01', 'latin1'), payload);
  }
  return Buffer.concat(packets);
}

// Network faults against the real loopback servers: a git server that resets the
// connection mid-pack, answers 5xx or 404, or stalls past --timeout; a GitHub API that
// rate-limits (primary and secondary), fails a page once or always, or truncates its
// pagination. Bounded retries with backoff, then `error` with the reason (or, for the
// listing, one clear line); the rest of the scan goes on; nothing is ever keep-open by
// accident.

let root: string;
let gitServer: GitServer;

interface Report { repos: { name: string; verdict: string; reasons: string[] }[] }

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-netfaults-'));
  for (const name of ['ok-1', 'ok-2', 'reset', 'down', 'slow', 'gone']) {
    makeBareRepoFast(join(root, 'served', 'org', `${name}.git`), { 'README.md': `# ${name}\n`, 'src/main.py': 'print("hello")\n'.repeat(2000) });
  }
  gitServer = await startGitServer(join(root, 'served'), {
    resetAfterBytes: { 'org/reset.git': 300 },
    status: { 'org/down.git': 503, 'org/gone.git': 404 },
    delayMs: { 'org/slow.git': 4000 },
  });
}, 60_000);

afterAll(async () => {
  await gitServer?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('git server faults', () => {
  it('reset mid-pack, 503, 404 and a stalled server each end as error with the reason after bounded retries; the healthy repos are scanned', async () => {
    const list = join(root, 'repos.txt');
    writeFileSync(list, ['ok-1', 'reset', 'down', 'slow', 'gone', 'ok-2'].map((n) => `${gitServer.url}/org/${n}.git`).join('\n'));
    const started = performance.now();
    const result = await runCliAsync(['scan', '--repos', list, '--db', join(root, 'k.db'), '--cache-dir', join(root, 'cache'), '--format', 'json', '--quiet', '--timeout', '1', '--concurrency', '6']);
    const seconds = (performance.now() - started) / 1000;
    expect(result.status).toBe(0);
    const by = Object.fromEntries((JSON.parse(result.stdout) as Report).repos.map((r) => [r.name.split('/').pop()!, r]));
    expect(by['ok-1']!.verdict).toBe('keep-open');
    expect(by['ok-2']!.verdict).toBe('keep-open');
    for (const name of ['reset', 'down', 'slow', 'gone']) expect(by[name]!.verdict, name).toBe('error');
    expect(by.reset!.reasons[0]).toMatch(/^scan failed: clone failed: (connection reset by 127\.0\.0\.1:\d+ during transfer|corrupt or truncated pack).* \(after 3 attempts\)$/);
    expect(by.down!.reasons[0]).toMatch(/^scan failed: clone failed: HTTP 503 .*\(after 3 attempts\)$/);
    expect(by.slow!.reasons[0]).toMatch(/^scan failed: clone failed: .*timed out.*\(after 3 attempts\)$/);
    expect(by.gone!.reasons[0]).toMatch(/^scan failed: repository not found at .*gone\.git \(HTTP 404\)$/);
    // Bounded: three tries for transient faults, one for a permanent one.
    const tries = (name: string) => gitServer.requests.filter((r) => r.path === `/org/${name}.git/info/refs`).length;
    expect(tries('down')).toBe(3);
    expect(tries('gone')).toBe(1);
    expect(seconds).toBeLessThan(60);
  }, 120_000);
});

describe('GitHub API faults', () => {
  let api: GitHubApiServer;
  const repos: FakeRepo[] = Array.from({ length: 130 }, (_, i) => ({ name: `svc-${String(i).padStart(3, '0')}`, cloneUrl: `http://127.0.0.1:9/acme/svc-${i}.git` }));
  beforeAll(async () => {
    api = await startGitHubApiServer({ acme: repos });
  });
  afterAll(async () => api?.close());

  /** Lists the org only (every clone URL points at a closed port: the repos end as error, which is fine here). */
  const listOrg = () => runCliAsync(['scan', '--org', 'acme', '--db', join(root, `api-${Math.random()}.db`), '--cache-dir', join(root, 'cache'), '--format', 'json', '--timeout', '1', '--concurrency', '32', '--no-progress'], { env: { GITHUB_API_URL: api.url } });

  it('waits out a primary rate limit (reset header) and a 429, saying so, and lists every repo', async () => {
    api.faults = { primaryRateLimit: { count: 1, resetInSeconds: 2 }, tooManyRequests: { count: 1, retryAfterSeconds: 1 } };
    const result = await listOrg();
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/GitHub primary rate limit .*waiting \d+s/);
    expect(result.stderr).toMatch(/GitHub secondary rate limit .*waiting 1s/);
    expect((JSON.parse(result.stdout) as Report).repos).toHaveLength(130);
  }, 120_000);

  it('retries a page that fails once (502), and lists every repo', async () => {
    api.faults = { pageStatus: { 2: { status: 502, count: 1 } } };
    const result = await listOrg();
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as Report).repos).toHaveLength(130);
  }, 120_000);

  it('a page that always fails: one clear line, exit 2, nothing scanned', async () => {
    api.faults = { pageStatus: { 2: 502 } };
    const result = await listOrg();
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('keepopen: GitHub answered HTTP 502 listing "acme" after retries: try again later');
    expect(result.stdout).toBe('');
  }, 120_000);

  it('truncated pagination (pages promised by Link come back empty) fails closed: no partial org is scanned', async () => {
    api.faults = { truncateAfterPage: 1 };
    const result = await listOrg();
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(/^keepopen: the listing of "acme" ended early \(.*\) twice: the organisation's repo list is incomplete, so none of it is scanned; try again later$/);
    expect(result.stdout).toBe('');
  }, 120_000);
});

describe('hostile git servers (the fetch code itself, through a hostile proxy in front of the real git server)', () => {
  let hostile: HostileServer;
  let n = 0;
  const url = () => `${hostile.url}/org/ok-1.git`;
  const gitdir = () => join(root, 'hostile-clones', `c${n++}.git`);
  const isInfoRefs = (path: string) => path.endsWith('/info/refs');
  const infoRefs = () => hostile.requests.filter((r) => isInfoRefs(r.path));
  const uploads = () => hostile.requests.filter((r) => r.method === 'POST');
  beforeAll(async () => {
    hostile = await startHostileServer({ upstream: gitServer.url, behaviour: () => ({ kind: 'proxy' }) });
  });
  afterAll(async () => hostile?.close());

  /** Fails with the reason `shallowFetch` gives (its message is the repo's reason in a scan). */
  async function fetchFails(options: { idleMs?: number; maxResponseBytes?: number; deadlineMs?: number; attempts?: number; backoffMs?: number }): Promise<{ reason: string; seconds: number; dir: string }> {
    hostile.requests.length = 0;
    const dir = gitdir();
    const started = performance.now();
    const http = createGitHttpClient(options.idleMs ?? 5000, { ...(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {}), ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}) });
    const error = await shallowFetch(url(), dir, { http, attempts: options.attempts ?? 3, backoffMs: options.backoffMs ?? 50 }).then(() => undefined, (e: unknown) => e as Error);
    expect(error, 'the fetch should fail').toBeInstanceOf(Error);
    return { reason: error!.message, seconds: (performance.now() - started) / 1000, dir };
  }

  it('the proxy itself is transparent: a clone through it works', async () => {
    hostile.behaviour = () => ({ kind: 'proxy' });
    const dir = gitdir();
    const result = await shallowFetch(url(), dir, { http: createGitHttpClient(5000), attempts: 1, backoffMs: 50 });
    expect(result.headCommit).toMatch(/^[0-9a-f]{40}$/);
  }, 60_000);

  it('a pack that never ends is cut off at the byte cap, once (retrying would only fetch it again), and no half clone is left', async () => {
    // Side-band channel 1 (pack data) for ever, after the NAK that starts a real answer.
    const packet = Buffer.concat([Buffer.from('fff0\x01'), Buffer.alloc(0xfff0 - 5, 0x5a)]);
    hostile.behaviour = (method, path) => (method === 'POST' ? { kind: 'endless', contentType: 'application/x-git-upload-pack-result', prefix: Buffer.from('0008NAK\n'), chunk: packet } : isInfoRefs(path) ? { kind: 'proxy' } : { kind: 'status', status: 404 });
    const { reason, seconds, dir } = await fetchFails({ maxResponseBytes: 8 * 1024 * 1024 });
    expect(reason).toMatch(/^clone failed: 127\.0\.0\.1:\d+ sent more than 8 MiB in one response: too large to fetch$/);
    expect(uploads()).toHaveLength(1);
    // The client hung up soon after the cap (what socket buffers hold aside): it did not keep reading.
    expect(uploads()[0]!.bytesSent).toBeLessThan(64 * 1024 * 1024);
    expect(existsSync(dir)).toBe(false);
    expect(seconds).toBeLessThan(30);
  }, 60_000);

  it('a pack holding an object of 200 MB (200 KB on the wire) is refused before it is inflated, in bounded memory', async () => {
    const repo = join(root, 'served', 'org', 'zeros.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', repo]);
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo, input: Buffer.alloc(200 * 1024 * 1024), encoding: 'utf8', maxBuffer: 1024 }).trim();
    const tree = execFileSync('git', ['mktree'], { cwd: repo, input: `100644 blob ${blob}\tzeros.bin\n`, encoding: 'utf8' }).trim();
    const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
    execFileSync('git', ['update-ref', 'refs/heads/main', execFileSync('git', ['commit-tree', tree, '-m', 'zeros'], { cwd: repo, encoding: 'utf8', env }).trim()], { cwd: repo });
    execFileSync('git', ['repack', '-adq'], { cwd: repo });
    hostile.behaviour = () => ({ kind: 'proxy' });
    hostile.requests.length = 0;
    const before = peakRssMB();
    const error = await shallowFetch(`${hostile.url}/org/zeros.git`, gitdir(), { http: createGitHttpClient(5000), attempts: 3, backoffMs: 50 }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^clone failed: the pack from 127\.0\.0\.1:\d+ holds an object of 209715200 bytes, more than keepopen fetches \(128 MiB\)$/);
    expect(uploads()).toHaveLength(1);
    // isomorphic-git inflating it would take several times 200 MB.
    expect(peakRssMB() - before).toBeLessThan(150);
  }, 120_000);

  it('a forged pack whose object says 100 bytes and inflates to 1 GB is refused, in bounded memory', async () => {
    const zlib = await deflatedZeros(1024 ** 3);
    const body = Buffer.concat([Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]), Buffer.from([0xb0 | 4, 6]), zlib]); // blob, 100 = 4 + 6 * 16
    const pack = Buffer.concat([body, createHash('sha1').update(body).digest()]);
    hostile.behaviour = (method) => (method === 'POST'
      ? { kind: 'status', status: 200, contentType: 'application/x-git-upload-pack-result', body: Buffer.concat([Buffer.from('0008NAK\n'), sideBand(pack), Buffer.from('0000')]) }
      : { kind: 'proxy' });
    const before = peakRssMB();
    const { reason } = await fetchFails({});
    expect(reason).toMatch(/^clone failed: the pack from 127\.0\.0\.1:\d+ holds an object that inflates past the 100 bytes it declares \(a zlib bomb\?\)$/);
    expect(uploads()).toHaveLength(1);
    expect(peakRssMB() - before).toBeLessThan(150);
  }, 120_000);

  it('an endless ref advertisement is cut off the same way', async () => {
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
    const oid = 'a'.repeat(40);
    // A well-formed advertisement that never reaches its flush packet: the same branch, again and again.
    const prefix = Buffer.from(pkt('# service=git-upload-pack\n') + '0000' + pkt(`${oid} HEAD\0side-band-64k ofs-delta symref=HEAD:refs/heads/main\n`));
    const chunk = Buffer.from(pkt(`${oid} refs/heads/main\n`).repeat(1000));
    hostile.behaviour = () => ({ kind: 'endless', contentType: 'application/x-git-upload-pack-advertisement', prefix, chunk });
    const { reason } = await fetchFails({ maxResponseBytes: 4 * 1024 * 1024 });
    expect(reason).toMatch(/^clone failed: 127\.0\.0\.1:\d+ sent more than 4 MiB in one response: too large to fetch$/);
    expect(infoRefs()).toHaveLength(1);
  }, 60_000);

  it('an answer dripped a few bytes at a time (never idle long enough to time out) fails at the deadline, after 3 attempts', async () => {
    hostile.behaviour = (_method, path) => (isInfoRefs(path) ? { kind: 'drip', bytes: 4, everyMs: 100 } : { kind: 'proxy' });
    const { reason, seconds } = await fetchFails({ idleMs: 1000, deadlineMs: 1500, attempts: 3, backoffMs: 100 });
    expect(reason).toMatch(/^clone failed: timed out: 127\.0\.0\.1:\d+ was still answering after 1\.5s \(the limit for one request\) \(after 3 attempts\)$/);
    expect(infoRefs()).toHaveLength(3);
    expect(seconds).toBeLessThan(15);
  }, 60_000);

  it('headers and then silence: the idle timeout fails it, after 3 attempts', async () => {
    hostile.behaviour = (method) => (method === 'POST' ? { kind: 'stall-body', contentType: 'application/x-git-upload-pack-result' } : { kind: 'proxy' });
    const { reason, seconds } = await fetchFails({ idleMs: 700, attempts: 3 });
    expect(reason).toMatch(/^clone failed: timed out: no data for 0\.7s from 127\.0\.0\.1:\d+ \(after 3 attempts\)$/);
    expect(uploads()).toHaveLength(3);
    expect(seconds).toBeLessThan(15);
  }, 60_000);

  it('backs off between attempts, longer each time (503 four times)', async () => {
    hostile.behaviour = () => ({ kind: 'status', status: 503 });
    const backoffMs = 200;
    const { reason } = await fetchFails({ attempts: 4, backoffMs });
    expect(reason).toMatch(/^clone failed: HTTP 503 .*\(after 4 attempts\)$/);
    const times = infoRefs().map((r) => r.at);
    expect(times).toHaveLength(4);
    // Attempt k waits between half and one and a half times backoffMs * 2^(k-1) (jitter).
    for (let k = 1; k < times.length; k++) {
      const gap = times[k]! - times[k - 1]!;
      expect(gap, `gap ${k}`).toBeGreaterThanOrEqual((backoffMs * 2 ** (k - 1)) / 2 - 5);
      expect(gap, `gap ${k}`).toBeLessThan(backoffMs * 2 ** (k - 1) * 1.5 + 1000);
    }
  }, 60_000);

  it('a redirect is not followed, and is not retried', async () => {
    hostile.behaviour = () => ({ kind: 'status', status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } });
    const { reason } = await fetchFails({ attempts: 3 });
    expect(reason).toMatch(/^clone failed: HTTP 302/);
    expect(infoRefs()).toHaveLength(1);
  }, 60_000);
});

describe('a stalled GitHub API', () => {
  let hostile: HostileServer;
  beforeAll(async () => {
    hostile = await startHostileServer({ behaviour: () => ({ kind: 'stall' }) });
  });
  afterAll(async () => hostile?.close());

  it.each([
    ['an HTML page', { kind: 'status', status: 200, contentType: 'text/html', body: '<html><body>Sign in to the proxy</body></html>' } as const],
    ['a JSON object', { kind: 'status', status: 200, contentType: 'application/json; charset=utf-8', body: '{"message":"ok"}' } as const],
    ['JSON cut short', { kind: 'status', status: 200, contentType: 'application/json; charset=utf-8', body: '[{"id":1,"name":"a","full_name":"acme/a","clone_url":"http' } as const],
  ])('a page that is not a list of repos (%s) is not taken for an empty organisation', async (_name, behaviour) => {
    hostile.requests.length = 0;
    hostile.behaviour = () => behaviour;
    const error = await listOrgRepos('acme', { apiUrl: hostile.url, includeForks: false, includeArchived: false, requestTimeoutMs: 2000, retries: 1 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(`the listing of "acme" ended early (page 1 was not a list of repos) twice: the organisation's repo list is incomplete, so none of it is scanned; try again later`);
  }, 60_000);

  it('an answer that never ends is cut off at a size, and the listing fails with one clear line', async () => {
    hostile.requests.length = 0;
    hostile.behaviour = () => ({ kind: 'endless', contentType: 'application/json; charset=utf-8', prefix: Buffer.from('['), chunk: Buffer.from('{"id":1,"name":"a","full_name":"acme/a"},'.repeat(1000)) });
    const error = await listOrgRepos('acme', { apiUrl: hostile.url, includeForks: false, includeArchived: false, requestTimeoutMs: 20_000, retries: 1, maxResponseBytes: 4 * 1024 * 1024 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(`the GitHub API at ${hostile.url} answered too much listing "acme": it sent more than 4 MiB for one request; check GITHUB_API_URL`);
    expect(hostile.requests.length).toBeLessThanOrEqual(2);
    for (const request of hostile.requests) expect(request.bytesSent).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it.each([
    ['never answers', { kind: 'stall' } as const],
    ['answers headers, then never the body', { kind: 'stall-body' } as const],
  ])('%s: the listing fails with one clear line after bounded retries, instead of hanging the run', async (_name, behaviour) => {
    hostile.requests.length = 0;
    hostile.behaviour = () => behaviour;
    const started = performance.now();
    const error = await listOrgRepos('acme', { apiUrl: hostile.url, includeForks: false, includeArchived: false, requestTimeoutMs: 500, retries: 1 }).then(() => undefined, (e: unknown) => e);
    const seconds = (performance.now() - started) / 1000;
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toBe(`the GitHub API at ${hostile.url} did not answer within 0.5s listing "acme" (after retries): try again later, or check GITHUB_API_URL and the network`);
    expect(hostile.requests.length).toBeGreaterThanOrEqual(1);
    expect(hostile.requests.length).toBeLessThanOrEqual(2);
    expect(seconds).toBeLessThan(15);
  }, 60_000);
  it('keepopen scan --org: --timeout bounds the wait on the API too (one line, exit 2)', async () => {
    hostile.behaviour = () => ({ kind: 'stall' });
    const root = tempDir();
    const started = performance.now();
    const result = await runCliAsync(['scan', '--org', 'acme', '--db', join(root, 'k.db'), '--cache-dir', join(root, 'cache'), '--timeout', '1', '--quiet'], { env: { GITHUB_API_URL: hostile.url } });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(`keepopen: the GitHub API at ${hostile.url} did not answer within 1s listing "acme" (after retries): try again later, or check GITHUB_API_URL and the network`);
    // Without the wiring it would wait the 60 s default per attempt.
    expect((performance.now() - started) / 1000).toBeLessThan(30);
  }, 120_000);
});
