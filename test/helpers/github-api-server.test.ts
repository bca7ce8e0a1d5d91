import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGitHubApiServer, type FakeRepo, type GitHubApiServer } from './github-api-server.js';

const servers: GitHubApiServer[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(...args: Parameters<typeof startGitHubApiServer>): Promise<GitHubApiServer> {
  const server = await startGitHubApiServer(...args);
  servers.push(server);
  return server;
}

function repos(count: number, prefix = 'repo'): FakeRepo[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i).padStart(3, '0')}`,
    cloneUrl: `http://127.0.0.1:1/acme/${prefix}-${i}.git`,
  }));
}

/** Parses a GitHub Link header into rel -> URL. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const m = part.match(/<([^>]+)>;\s*rel="([a-z]+)"/);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

interface RepoJson {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  private: boolean;
  owner: { login: string };
  html_url: string;
  clone_url: string;
  default_branch: string;
  size: number;
  pushed_at: string;
  archived: boolean;
  fork: boolean;
  visibility: string;
  disabled: boolean;
}

async function getJson<T>(url: string, init?: RequestInit): Promise<{ res: Response; body: T }> {
  const res = await fetch(url, init);
  return { res, body: (await res.json()) as T };
}

describe('GitHub REST API test server', () => {
  it('paginates 250 repos at per_page=100 into 3 pages with GitHub Link and rate-limit headers', async () => {
    const server = await start({ acme: repos(250) });
    const names: string[] = [];
    const remaining: number[] = [];

    const first = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos?per_page=100&page=1&type=all`);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.body).toHaveLength(100);
    const l1 = links(first.res.headers.get('link'));
    expect(Object.keys(l1).sort()).toEqual(['last', 'next']);
    expect(l1.next).toBe(`${server.url}/orgs/acme/repos?per_page=100&page=2&type=all`);
    expect(new URL(l1.last!).searchParams.get('page')).toBe('3');

    // Follow the Link header, as a client should.
    let url: string | undefined = l1.next;
    names.push(...first.body.map((r) => r.name));
    remaining.push(Number(first.res.headers.get('x-ratelimit-remaining')));
    const pageLinks: Record<string, string>[] = [];
    while (url) {
      const { res, body } = await getJson<RepoJson[]>(url);
      expect(res.status).toBe(200);
      names.push(...body.map((r) => r.name));
      remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
      const l = links(res.headers.get('link'));
      pageLinks.push(l);
      url = l.next;
    }
    expect(pageLinks).toHaveLength(2);
    expect(Object.keys(pageLinks[0]!).sort()).toEqual(['first', 'last', 'next', 'prev']);
    expect(new URL(pageLinks[0]!.prev!).searchParams.get('page')).toBe('1');
    expect(new URL(pageLinks[0]!.first!).searchParams.get('page')).toBe('1');
    expect(Object.keys(pageLinks[1]!).sort()).toEqual(['first', 'prev']);
    expect(names).toEqual(repos(250).map((r) => r.name));
    expect(names.slice(200)).toHaveLength(50);
    expect(remaining).toEqual([59, 58, 57]);

    expect(server.requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.status}`)).toEqual([
      'GET /orgs/acme/repos?per_page=100&page=1&type=all 200',
      'GET /orgs/acme/repos?per_page=100&page=2&type=all 200',
      'GET /orgs/acme/repos?per_page=100&page=3&type=all 200',
    ]);
  });

  it('returns repo objects with GitHub field names and rate-limit headers on every answer', async () => {
    const server = await start({
      acme: [
        { name: 'app', cloneUrl: 'http://127.0.0.1:9/acme/app.git', size: 1234, pushedAt: '2026-02-03T04:05:06Z' },
        { name: 'fork', fork: true, archived: true, defaultBranch: 'trunk', cloneUrl: 'http://127.0.0.1:9/acme/fork.git' },
      ],
    });
    const { res, body } = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos`);
    expect(res.headers.get('link')).toBeNull();
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-used']) {
      expect(res.headers.get(name)).toMatch(/^\d+$/);
    }
    expect(res.headers.get('x-ratelimit-resource')).toBe('core');
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThan(Date.now() / 1000 + 3601);
    expect(body[0]).toMatchObject({
      name: 'app',
      full_name: 'acme/app',
      private: false,
      owner: { login: 'acme' },
      clone_url: 'http://127.0.0.1:9/acme/app.git',
      default_branch: 'main',
      size: 1234,
      pushed_at: '2026-02-03T04:05:06Z',
      archived: false,
      fork: false,
      visibility: 'public',
      disabled: false,
    });
    expect(typeof body[0]!.id).toBe('number');
    expect(typeof body[0]!.node_id).toBe('string');
    expect(body[0]!.html_url.startsWith(server.url)).toBe(true);
    expect(body[1]).toMatchObject({ fork: true, archived: true, default_branch: 'trunk' });
    expect(new Set(body.map((r) => r.id)).size).toBe(2);

    const one = await getJson<RepoJson>(`${server.url}/repos/acme/fork`);
    expect(one.res.status).toBe(200);
    expect(one.body).toEqual(body[1]);
    const missing = await getJson<{ message: string; documentation_url: string }>(`${server.url}/repos/acme/nope`);
    expect(missing.res.status).toBe(404);
    expect(missing.body).toMatchObject({ message: 'Not Found', documentation_url: expect.stringContaining('docs.github.com') });
    expect(missing.res.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);

    const root = await getJson<Record<string, string>>(`${server.url}/`);
    expect(root.res.status).toBe(200);
    expect(root.body.rate_limit_url).toBe(`${server.url}/rate_limit`);
    const rate = await getJson<{ resources: { core: { limit: number; remaining: number } }; rate: { used: number } }>(
      `${server.url}/rate_limit`,
    );
    expect(rate.body.resources.core).toMatchObject({ limit: 60, remaining: 56 });
    expect(rate.body.rate.used).toBe(4);
  });

  it('defaults per_page to 30, caps it at 100, and filters by type', async () => {
    const all = [...repos(150), { name: 'a-fork', fork: true, cloneUrl: 'http://127.0.0.1:9/f.git' }];
    const server = await start({ acme: all });
    const def = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos`);
    expect(def.body).toHaveLength(30);
    expect(new URL(links(def.res.headers.get('link')).last!).searchParams.get('page')).toBe('6');
    const capped = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos?per_page=500`);
    expect(capped.body).toHaveLength(100);
    expect(links(capped.res.headers.get('link')).next).toContain('per_page=100');
    const forks = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos?type=forks`);
    expect(forks.body.map((r) => r.name)).toEqual(['a-fork']);
    const beyond = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos?per_page=100&page=9`);
    expect(beyond.res.status).toBe(200);
    expect(beyond.body).toEqual([]);
  });

  it('answers 404 for an unknown org and unknown paths', async () => {
    const server = await start({ acme: repos(1) });
    const { res, body } = await getJson<{ message: string; documentation_url: string }>(
      `${server.url}/orgs/nobody/repos?per_page=100&page=1`,
    );
    expect(res.status).toBe(404);
    expect(body.message).toBe('Not Found');
    expect(body.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
    expect(res.headers.get('x-ratelimit-resource')).toBe('core');
    expect((await fetch(`${server.url}/nothing/here`)).status).toBe(404);
    // Org logins are case-insensitive, as on GitHub.
    expect((await fetch(`${server.url}/orgs/ACME/repos`)).status).toBe(200);
  });

  it('checks tokens: anonymous allowed, unknown token 401, accepted token sees private repos', async () => {
    const server = await start(
      { acme: [{ name: 'open', cloneUrl: 'http://127.0.0.1:9/o.git' }, { name: 'secret', private: true, cloneUrl: 'http://127.0.0.1:9/s.git' }] },
      { tokens: ['ghp_good'] },
    );
    const stdout = vi.spyOn(process.stdout, 'write');
    const log = vi.spyOn(console, 'log');

    const anon = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos`);
    expect(anon.res.status).toBe(200);
    expect(anon.body.map((r) => r.name)).toEqual(['open']);
    expect(anon.res.headers.get('x-ratelimit-limit')).toBe('60');
    expect((await fetch(`${server.url}/repos/acme/secret`)).status).toBe(404);

    const bad = await getJson<{ message: string }>(`${server.url}/orgs/acme/repos`, { headers: { Authorization: 'token ghp_bad' } });
    expect(bad.res.status).toBe(401);
    expect(bad.body.message).toBe('Bad credentials');

    const good = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos`, { headers: { Authorization: 'Bearer ghp_good' } });
    expect(good.res.status).toBe(200);
    expect(good.body.map((r) => [r.name, r.private, r.visibility])).toEqual([
      ['open', false, 'public'],
      ['secret', true, 'private'],
    ]);
    expect(good.res.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(good.res.headers.get('x-ratelimit-remaining')).toBe('4999');

    expect(server.requests.map((r) => [r.authorization, r.status])).toEqual([
      [undefined, 200],
      [undefined, 404],
      ['token ghp_bad', 401],
      ['Bearer ghp_good', 200],
    ]);
    expect(stdout).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('injects secondary rate limits (403 + retry-after) for the first K requests, then 429s', async () => {
    const server = await start(
      { acme: repos(3) },
      { faults: { secondaryRateLimit: { count: 2, retryAfterSeconds: 7 }, tooManyRequests: { count: 1, retryAfterSeconds: 3 } } },
    );
    const url = `${server.url}/orgs/acme/repos?per_page=100&page=1&type=all`;
    for (let i = 0; i < 2; i++) {
      const { res, body } = await getJson<{ message: string; documentation_url: string }>(url);
      expect(res.status).toBe(403);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(body.message).toContain('You have exceeded a secondary rate limit');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
    }
    const tooMany = await getJson<{ message: string }>(url);
    expect(tooMany.res.status).toBe(429);
    expect(tooMany.res.headers.get('retry-after')).toBe('3');
    expect((await fetch(url)).status).toBe(200);
    expect(server.requests.map((r) => r.status)).toEqual([403, 403, 429, 200]);

    // A new fault object starts counting again.
    server.faults.tooManyRequests = { count: 1, retryAfterSeconds: 1 };
    expect((await fetch(url)).status).toBe(429);
    expect((await fetch(url)).status).toBe(200);
  });

  it('injects primary rate-limit exhaustion (403, remaining 0, reset a few seconds ahead)', async () => {
    const server = await start({ acme: repos(3) }, { faults: { primaryRateLimit: { count: 2, resetInSeconds: 5 } } });
    const url = `${server.url}/orgs/acme/repos`;
    const resets: number[] = [];
    for (let i = 0; i < 2; i++) {
      const { res, body } = await getJson<{ message: string }>(url);
      expect(res.status).toBe(403);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(res.headers.get('retry-after')).toBeNull();
      expect(body.message).toMatch(/^API rate limit exceeded/);
      resets.push(Number(res.headers.get('x-ratelimit-reset')));
    }
    const now = Date.now() / 1000;
    expect(resets[0]).toBe(resets[1]);
    expect(resets[0]).toBeGreaterThan(now + 2);
    expect(resets[0]).toBeLessThanOrEqual(now + 6);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
  });

  it('enforces the real primary limit when the bucket runs out', async () => {
    const server = await start({ acme: repos(1) }, { rateLimit: { anonymous: 2 } });
    expect((await fetch(`${server.url}/orgs/acme/repos`)).status).toBe(200);
    expect((await fetch(`${server.url}/orgs/acme/repos`)).status).toBe(200);
    const res = await fetch(`${server.url}/orgs/acme/repos`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('fails chosen pages with 5xx (always, or only the first N times)', async () => {
    const server = await start({ acme: repos(250) }, { faults: { pageStatus: { 2: 502 } } });
    const p1 = await fetch(`${server.url}/orgs/acme/repos?per_page=100&page=1`);
    const next = links(p1.headers.get('link')).next!;
    expect(new URL(next).searchParams.get('page')).toBe('2');
    const p2 = await getJson<{ message: string }>(next);
    expect(p2.res.status).toBe(502);
    expect(p2.body.message).toBe('Server Error');
    expect((await fetch(next)).status).toBe(502);

    server.faults.pageStatus = { 2: { status: 500, count: 1 } };
    expect((await fetch(next)).status).toBe(500);
    expect((await fetch(next)).status).toBe(200);
    expect((await fetch(`${server.url}/orgs/acme/repos?per_page=100&page=3`)).status).toBe(200);
  });

  it('truncates pagination: pages after N are empty although earlier Links promised more', async () => {
    const server = await start({ acme: repos(250) }, { faults: { truncateAfterPage: 1 } });
    const p1 = await getJson<RepoJson[]>(`${server.url}/orgs/acme/repos?per_page=100&page=1&type=all`);
    expect(p1.body).toHaveLength(100);
    const l1 = links(p1.res.headers.get('link'));
    expect(new URL(l1.last!).searchParams.get('page')).toBe('3');
    const p2 = await getJson<RepoJson[]>(l1.next!);
    expect(p2.res.status).toBe(200);
    expect(p2.body).toEqual([]);
    expect(links(p2.res.headers.get('link')).next).toBeUndefined();
  });

  it('closes with keep-alive connections open', async () => {
    const server = await startGitHubApiServer({ acme: repos(1) });
    await (await fetch(`${server.url}/orgs/acme/repos`)).arrayBuffer();
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });
});
