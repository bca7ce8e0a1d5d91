// A local HTTP server on 127.0.0.1 speaking the part of the GitHub REST API keepopen uses:
//   GET /orgs/{org}/repos?per_page=N&page=P&type=T   (also /organizations/{id}/repos)
//   GET /repos/{owner}/{repo}
//   GET /  and  GET /rate_limit
// with GitHub's field names, Link pagination, x-ratelimit-* headers, GitHub-shaped
// errors, and injectable faults (see GitHubApiFaults; `server.faults` may be changed
// at any time, and assigning a new fault object restarts its count).
//
// Nothing is ever printed: the request log (which holds Authorization values) lives
// only in the in-memory `requests` array.
//
// Note: the server runs in the test process, so the client must not block the event
// loop: spawn the CLI asynchronously, never with spawnSync/execFileSync.
import { createHash } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.js';

export interface FakeRepo {
  name: string;
  fork?: boolean;
  archived?: boolean;
  /** Private repos are listed only to authenticated callers (as on GitHub). */
  private?: boolean;
  /** Defaults to 'private' when `private` is set, else 'public'; 'internal' repos are private too. */
  visibility?: 'public' | 'private' | 'internal';
  disabled?: boolean;
  defaultBranch?: string;
  /** In KB, as GitHub reports it. */
  size?: number;
  pushedAt?: string;
  cloneUrl: string;
  /** Defaults to a stable number derived from the repo's position. */
  id?: number;
}

export interface CountedFault {
  count: number;
  retryAfterSeconds: number;
}

export interface GitHubApiFaults {
  /** The first `count` requests get 403 "You have exceeded a secondary rate limit" with retry-after. */
  secondaryRateLimit?: CountedFault;
  /** The next `count` requests get 429 (secondary rate limit message) with retry-after. */
  tooManyRequests?: CountedFault;
  /** The next `count` requests get 403 with x-ratelimit-remaining 0 and x-ratelimit-reset `resetInSeconds` ahead. */
  primaryRateLimit?: { count: number; resetInSeconds: number };
  /**
   * Page number of any /orgs/{org}/repos listing -> HTTP status for that page. A number
   * applies every time; { status, count } applies to the first `count` requests for that page.
   */
  pageStatus?: Record<number, number | { status: number; count: number }>;
  /** Pages after this one return [] (while earlier Link headers still promise more). */
  truncateAfterPage?: number;
}

export interface GitHubApiRequest {
  method: string;
  path: string;
  /** The query string without '?', as sent. */
  query: string;
  /** The Authorization header as sent (in memory only). */
  authorization?: string;
  status: number;
}

export interface GitHubApiServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash); use it as the API base URL. */
  url: string;
  requests: GitHubApiRequest[];
  /** Mutable: tests may change the faults between requests. */
  faults: GitHubApiFaults;
  close(): Promise<void>;
}

export interface GitHubApiServerOptions {
  /** Accepted tokens (sent as `token X` or `Bearer X`). When omitted, any token is accepted. */
  tokens?: string[];
  faults?: GitHubApiFaults;
  /** Primary rate limits per hour; defaults to GitHub's 60 anonymous and 5000 authenticated. */
  rateLimit?: { anonymous?: number; authenticated?: number };
}

const DOCS = 'https://docs.github.com/rest';
const SECONDARY_DOCS =
  'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const PRIMARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits';

interface OrgEntry {
  login: string;
  id: number;
  repos: FakeRepo[];
  ids: number[];
}

interface Bucket {
  limit: number;
  used: number;
  reset: number;
}

function epoch(): number {
  return Math.floor(Date.now() / 1000);
}

function intParam(value: string | null, fallback: number): number {
  if (value === null || !/^\d+$/.test(value)) return fallback;
  return Number.parseInt(value, 10);
}

export function startGitHubApiServer(
  orgs: Record<string, FakeRepo[]>,
  options: GitHubApiServerOptions = {},
): Promise<GitHubApiServer> {
  const requests: GitHubApiRequest[] = [];
  const tokens = options.tokens ? new Set(options.tokens) : undefined;
  const limits = { anonymous: options.rateLimit?.anonymous ?? 60, authenticated: options.rateLimit?.authenticated ?? 5000 };
  const buckets = new Map<string, Bucket>();
  // Per fault object: how many times it has fired (and, for primary limits, when it resets).
  const fired = new WeakMap<object, { n: number; reset?: number }>();
  let requestCounter = 0;

  const orgList: OrgEntry[] = [];
  let nextRepoId = 100_000;
  Object.entries(orgs).forEach(([login, repos], i) => {
    orgList.push({ login, id: 9_000 + i, repos, ids: repos.map((r) => r.id ?? nextRepoId++) });
  });
  const findOrg = (login: string): OrgEntry | undefined =>
    orgList.find((o) => o.login.toLowerCase() === login.toLowerCase());

  const state: GitHubApiServer = {
    url: '',
    requests,
    faults: options.faults ?? {},
    close: () => Promise.resolve(),
  };

  function repoJson(org: OrgEntry, index: number): Record<string, unknown> {
    const repo = org.repos[index]!;
    const id = org.ids[index]!;
    const visibility = repo.visibility ?? (repo.private ? 'private' : 'public');
    const isPrivate = visibility !== 'public';
    const fullName = `${org.login}/${repo.name}`;
    const pushedAt = repo.pushedAt ?? '2026-01-01T00:00:00Z';
    return {
      id,
      node_id: 'R_' + Buffer.from(`010:Repository${id}`).toString('base64url'),
      name: repo.name,
      full_name: fullName,
      private: isPrivate,
      owner: {
        login: org.login,
        id: org.id,
        node_id: 'O_' + Buffer.from(`012:Organization${org.id}`).toString('base64url'),
        type: 'Organization',
        site_admin: false,
        url: `${state.url}/users/${org.login}`,
        html_url: `${state.url}/${org.login}`,
      },
      html_url: `${state.url}/${fullName}`,
      description: null,
      fork: repo.fork ?? false,
      url: `${state.url}/repos/${fullName}`,
      clone_url: repo.cloneUrl,
      created_at: '2025-01-01T00:00:00Z',
      updated_at: pushedAt,
      pushed_at: pushedAt,
      size: repo.size ?? 100,
      language: null,
      archived: repo.archived ?? false,
      disabled: repo.disabled ?? false,
      visibility,
      default_branch: repo.defaultBranch ?? 'main',
      topics: [],
    };
  }

  function visibleTo(authenticated: boolean, repo: FakeRepo): boolean {
    const visibility = repo.visibility ?? (repo.private ? 'private' : 'public');
    return authenticated || visibility === 'public';
  }

  function bucketFor(identity: string, authenticated: boolean): Bucket {
    let bucket = buckets.get(identity);
    const now = epoch();
    if (!bucket || bucket.reset <= now) {
      bucket = { limit: authenticated ? limits.authenticated : limits.anonymous, used: 0, reset: now + 3600 };
      buckets.set(identity, bucket);
    }
    return bucket;
  }

  /** Takes one use of a counted fault; true if it applies to this request. */
  function take(fault: { count: number } | undefined): boolean {
    if (!fault || !(fault.count > 0)) return false;
    const record = fired.get(fault) ?? { n: 0 };
    fired.set(fault, record);
    if (record.n >= fault.count) return false;
    record.n++;
    return true;
  }

  /** Whether the primary-limit fault is still active, without using it up. */
  function primaryActive(): { reset: number } | undefined {
    const fault = state.faults.primaryRateLimit;
    if (!fault || !(fault.count > 0)) return undefined;
    const record = fired.get(fault);
    if (record && record.n >= fault.count) return undefined;
    const reset = record?.reset !== undefined && record.reset > epoch() ? record.reset : epoch() + fault.resetInSeconds;
    return { reset };
  }

  function handle(req: IncomingMessage, res: ServerResponse, entry: GitHubApiRequest): void {
    const url = new URL(req.url ?? '/', state.url);
    const requestId = `KO${(++requestCounter).toString(16).toUpperCase().padStart(4, '0')}:0000:0000:0000:0000`;

    // Authentication: no header is anonymous; a header must carry an accepted token.
    const authorization = req.headers.authorization;
    const token = authorization?.match(/^\s*(?:token|bearer)\s+(\S+)\s*$/i)?.[1];
    const authOk = authorization === undefined || (token !== undefined && (!tokens || tokens.has(token)));
    const authenticated = authorization !== undefined && authOk;
    // Rate buckets are keyed by a hash, so the token itself is kept only in `requests`.
    const identity = authenticated
      ? `token:${createHash('sha256').update(token ?? '').digest('hex').slice(0, 16)}`
      : `ip:${req.socket.remoteAddress ?? ''}`;
    const bucket = bucketFor(identity, authenticated);
    let rate = { limit: bucket.limit, remaining: Math.max(0, bucket.limit - bucket.used), reset: bucket.reset, used: bucket.used };

    const send = (status: number, body: unknown, extra: OutgoingHttpHeaders = {}): void => {
      entry.status = status;
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'private, max-age=60, s-maxage=60',
        'x-github-media-type': 'github.v3; format=json',
        'x-github-api-version-selected': '2022-11-28',
        'x-github-request-id': requestId,
        'x-ratelimit-limit': String(rate.limit),
        'x-ratelimit-remaining': String(rate.remaining),
        'x-ratelimit-reset': String(rate.reset),
        'x-ratelimit-used': String(rate.used),
        'x-ratelimit-resource': 'core',
        'content-length': Buffer.byteLength(text),
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const error = (status: number, message: string, documentationUrl = DOCS, extra: OutgoingHttpHeaders = {}): void =>
      send(status, { message, documentation_url: documentationUrl, status: String(status) }, extra);

    if (!authOk) {
      rate = { limit: limits.anonymous, remaining: limits.anonymous, reset: epoch() + 3600, used: 0 };
      error(401, 'Bad credentials');
      return;
    }

    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';

    if (path === '/rate_limit' && (method === 'GET' || method === 'HEAD')) {
      // Does not count against the limit, as on GitHub.
      const primary = primaryActive();
      if (primary) rate = { ...rate, remaining: 0, reset: primary.reset, used: rate.limit };
      const core = { limit: rate.limit, used: rate.used, remaining: rate.remaining, reset: rate.reset };
      send(200, { resources: { core: { ...core, resource: 'core' } }, rate: { ...core, resource: 'core' } });
      return;
    }

    // Faults, in order: secondary (403), too many requests (429), primary (403).
    const faults = state.faults;
    const secondaryMessage =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
      `If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
    if (take(faults.secondaryRateLimit)) {
      bucket.used++;
      rate = { ...rate, remaining: Math.max(0, bucket.limit - bucket.used), used: bucket.used };
      error(403, secondaryMessage, SECONDARY_DOCS, { 'retry-after': String(faults.secondaryRateLimit!.retryAfterSeconds) });
      return;
    }
    if (take(faults.tooManyRequests)) {
      bucket.used++;
      rate = { ...rate, remaining: Math.max(0, bucket.limit - bucket.used), used: bucket.used };
      error(429, secondaryMessage, SECONDARY_DOCS, { 'retry-after': String(faults.tooManyRequests!.retryAfterSeconds) });
      return;
    }
    const primaryFault = faults.primaryRateLimit;
    const primaryReset = primaryActive()?.reset;
    const limited = take(primaryFault) || bucket.used >= bucket.limit;
    if (limited) {
      const reset = primaryReset ?? bucket.reset;
      if (primaryFault && primaryReset !== undefined) fired.get(primaryFault)!.reset = primaryReset;
      rate = { limit: bucket.limit, remaining: 0, reset, used: bucket.limit };
      const who = authenticated ? 'user ID 1' : (req.socket.remoteAddress ?? '127.0.0.1');
      const message = authenticated
        ? `API rate limit exceeded for ${who}. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`
        : `API rate limit exceeded for ${who}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.) If you reach out to GitHub Support for help, please include the request ID ${requestId}.`;
      error(403, message, PRIMARY_DOCS);
      return;
    }
    bucket.used++;
    rate = { limit: bucket.limit, remaining: Math.max(0, bucket.limit - bucket.used), reset: bucket.reset, used: bucket.used };

    if (method !== 'GET' && method !== 'HEAD') {
      error(404, 'Not Found');
      return;
    }

    if (path === '/') {
      send(200, {
        current_user_url: `${state.url}/user`,
        organization_url: `${state.url}/orgs/{org}`,
        organization_repositories_url: `${state.url}/orgs/{org}/repos{?type,page,per_page,sort}`,
        repository_url: `${state.url}/repos/{owner}/{repo}`,
        rate_limit_url: `${state.url}/rate_limit`,
      });
      return;
    }

    const listing = path.match(/^\/orgs\/([^/]+)\/repos$/) ?? path.match(/^\/organizations\/(\d+)\/repos$/);
    if (listing) {
      const key = decodeURIComponent(listing[1]!);
      const org = path.startsWith('/organizations/') ? orgList.find((o) => String(o.id) === key) : findOrg(key);
      if (!org) {
        error(404, 'Not Found');
        return;
      }
      const perPageRaw = intParam(url.searchParams.get('per_page'), 30);
      const perPage = perPageRaw < 1 ? 30 : Math.min(perPageRaw, 100);
      const page = Math.max(1, intParam(url.searchParams.get('page'), 1));

      const type = url.searchParams.get('type') ?? 'all';
      const indexes = org.repos
        .map((repo, i) => ({ repo, i }))
        .filter(({ repo }) => visibleTo(authenticated, repo))
        .filter(({ repo }) => {
          const isPrivate = (repo.visibility ?? (repo.private ? 'private' : 'public')) !== 'public';
          if (type === 'public') return !isPrivate;
          if (type === 'private') return isPrivate;
          if (type === 'forks') return repo.fork === true;
          if (type === 'sources') return repo.fork !== true;
          return true;
        })
        .map(({ i }) => i);
      const lastPage = Math.max(1, Math.ceil(indexes.length / perPage));

      const link = (p: number): string => {
        const params = new URLSearchParams(url.searchParams);
        params.set('per_page', String(perPage));
        params.set('page', String(p));
        return `<${state.url}${path}?${params.toString()}>`;
      };
      // A truncated page (see faults.truncateAfterPage) is empty and, like a last page, has no next.
      const truncated = faults.truncateAfterPage !== undefined && page > faults.truncateAfterPage;
      const links: string[] = [];
      if (page > 1) links.push(`${link(Math.min(page - 1, lastPage))}; rel="prev"`);
      if (page < lastPage && !truncated) links.push(`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`);
      if (page > 1) links.push(`${link(1)}; rel="first"`);
      const extra: OutgoingHttpHeaders = links.length > 0 ? { link: links.join(', ') } : {};

      const pageFault = faults.pageStatus?.[page];
      if (pageFault !== undefined) {
        const status = typeof pageFault === 'number' ? pageFault : take(pageFault) ? pageFault.status : undefined;
        if (status !== undefined) {
          error(status, status >= 500 ? 'Server Error' : (STATUS_CODES[status] ?? 'Error'));
          return;
        }
      }
      const slice = truncated ? [] : indexes.slice((page - 1) * perPage, page * perPage);
      send(200, slice.map((i) => repoJson(org, i)), extra);
      return;
    }

    const single = path.match(/^\/repos\/([^/]+)\/([^/]+)$/);
    if (single) {
      const org = findOrg(decodeURIComponent(single[1]!));
      const name = decodeURIComponent(single[2]!).toLowerCase();
      const index = org ? org.repos.findIndex((r) => r.name.toLowerCase() === name) : -1;
      if (!org || index === -1 || !visibleTo(authenticated, org.repos[index]!)) {
        error(404, 'Not Found');
        return;
      }
      send(200, repoJson(org, index));
      return;
    }

    error(404, 'Not Found');
  }

  const server = createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const entry: GitHubApiRequest = {
      method: req.method ?? 'GET',
      path: q === -1 ? raw : raw.slice(0, q),
      query: q === -1 ? '' : raw.slice(q + 1),
      status: 0,
    };
    if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization;
    requests.push(entry);
    req.resume();
    try {
      handle(req, res, entry);
    } catch {
      if (!res.headersSent) {
        entry.status = 500;
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ message: 'Server Error', documentation_url: DOCS }));
      } else res.destroy();
    }
  });
  return listenOnLoopback(server).then((listening) => {
    state.url = listening.url;
    state.close = listening.close;
    return state;
  });
}
