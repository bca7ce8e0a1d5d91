import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { startGitServer, type GitServer } from '../helpers/git-http-server.js';
import { startGitHubApiServer, type FakeRepo, type GitHubApiServer } from '../helpers/github-api-server.js';
import { runCliAsync } from '../helpers/run-cli.js';

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
