import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { remoteKey, type RemoteRepoMetadata, type RepoTarget, type SkippedRepo } from '../scan/repo-target.js';

// `--org NAME`: every repo of a GitHub organisation, through the REST API with
// pagination, the throttling plugin (primary and secondary rate limits, with the
// wait shown) and the retry plugin (5xx). The token is only ever handed to Octokit.

const KeepopenOctokit = Octokit.plugin(throttling, retry);

export interface GitHubSourceOptions {
  /** GITHUB_API_URL: https://api.github.com, a GitHub Enterprise /api/v3 URL, or a test server. */
  apiUrl: string;
  token?: string;
  includeForks: boolean;
  includeArchived: boolean;
  /** Told about every rate-limit wait, so the user sees why nothing moves. */
  onWait?: (message: string) => void;
  /** Give up on a rate limit whose wait is longer than this (default one hour). */
  maxWaitSeconds?: number;
  /** Retries of one request after a rate limit or server error (default 3). */
  retries?: number;
  /** One API request (answer included) taking longer than this fails, and is retried (default 60 s). */
  requestTimeoutMs?: number;
  /** An API answer larger than this fails (default 64 MiB; a page of 100 repos is well under 1 MiB). */
  maxResponseBytes?: number;
}

/** As long as `keepopen scan --timeout` waits for a git server by default. */
export const DEFAULT_API_TIMEOUT_MS = 60_000;
export const DEFAULT_API_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

class ApiResponseTooLarge extends Error {}

/** A response's body, read whole (failing past `maxBytes`), as a new response Octokit can read. */
async function buffered(response: Response, maxBytes: number): Promise<Response> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new ApiResponseTooLarge(`it sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB for one request`);
      }
      chunks.push(value);
    }
  }
  return new Response(Buffer.concat(chunks), { status: response.status, statusText: response.statusText, headers: response.headers });
}

export class SourceError extends Error {
  override name = 'SourceError';
}

interface ApiRepo {
  id: number;
  name: string;
  full_name: string;
  clone_url?: string;
  default_branch?: string;
  size?: number;
  pushed_at?: string | null;
  archived?: boolean;
  fork?: boolean;
  visibility?: string;
  private?: boolean;
  disabled?: boolean;
}

export function createOctokit(options: GitHubSourceOptions): InstanceType<typeof KeepopenOctokit> {
  const maxWait = options.maxWaitSeconds ?? 3600;
  const retries = options.retries ?? 3;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_API_MAX_RESPONSE_BYTES;
  // Octokit waits for ever by default: a stalled API (or proxy) would hang the whole run.
  // The body is read here, within the same time and up to a size: Octokit reads it ignoring
  // errors, so a body that stalled or broke off would come back as an empty answer, not a failure.
  const fetchWithTimeout: typeof fetch = async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const response = await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    if (response.status < 200 || [204, 205, 304].includes(response.status)) return response;
    return buffered(response, maxBytes);
  };
  const wait = (kind: string, retryAfter: number, url: string, retryCount: number) => {
    if (retryCount >= retries || retryAfter > maxWait) return false;
    options.onWait?.(`GitHub ${kind} rate limit on ${url}: waiting ${retryAfter}s (retry ${retryCount + 1} of ${retries})`);
    return true;
  };
  return new KeepopenOctokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    ...(options.token ? { auth: options.token } : {}),
    userAgent: 'keepopen',
    // Octokit's own logging could echo request details; keepopen reports what matters itself.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      onRateLimit: (retryAfter: number, request: { url: string }, _o: unknown, retryCount: number) => wait('primary', retryAfter, request.url, retryCount),
      onSecondaryRateLimit: (retryAfter: number, request: { url: string }, _o: unknown, retryCount: number) => wait('secondary', retryAfter, request.url, retryCount),
    },
    retry: { retries, doNotRetry: [400, 401, 403, 404, 410, 422, 451] },
    request: { fetch: fetchWithTimeout },
  });
}

function describeApiError(error: unknown, org: string, apiUrl: string, timeoutMs: number): SourceError {
  const e = error as { name?: string; status?: number; message?: string; response?: unknown; cause?: { name?: string; code?: string; message?: string } };
  if (e.cause instanceof ApiResponseTooLarge) {
    return new SourceError(`the GitHub API at ${apiUrl} answered too much listing "${org}": ${e.cause.message}; check GITHUB_API_URL`);
  }
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') {
    return new SourceError(`the GitHub API at ${apiUrl} did not answer within ${timeoutMs / 1000}s listing "${org}" (after retries): try again later, or check GITHUB_API_URL and the network`);
  }
  // Octokit reports a request that got no HTTP answer at all as status 500 with no response.
  if (e.response === undefined) {
    const cause = e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
    return new SourceError(`cannot reach the GitHub API at ${apiUrl} (${cause}): check GITHUB_API_URL and the network`);
  }
  if (e.status === 404) return new SourceError(`organisation "${org}" was not found at ${apiUrl}: check the name (and GITHUB_API_URL for GitHub Enterprise)`);
  if (e.status === 401) return new SourceError(`GitHub refused the token (401 Bad credentials) listing "${org}": check GITHUB_TOKEN, or unset it for public repos`);
  if (e.status === 403 || e.status === 429) {
    return new SourceError(`GitHub rate limit listing "${org}" did not clear after retries (HTTP ${e.status}): set GITHUB_TOKEN for a higher limit, or try later`);
  }
  if (typeof e.status === 'number' && e.status < 500) return new SourceError(`GitHub answered HTTP ${e.status} listing "${org}": ${(e.message ?? '').split('\n')[0]}`);
  return new SourceError(`GitHub answered HTTP ${e.status ?? '?'} listing "${org}" after retries: try again later`);
}

function metadataOf(repo: ApiRepo): RemoteRepoMetadata {
  return {
    id: repo.id,
    ...(repo.default_branch !== undefined ? { defaultBranch: repo.default_branch } : {}),
    ...(repo.size !== undefined ? { sizeKb: repo.size } : {}),
    pushedAt: repo.pushed_at ?? null,
    archived: repo.archived ?? false,
    fork: repo.fork ?? false,
    visibility: repo.visibility ?? (repo.private ? 'private' : 'public'),
  };
}

const PER_PAGE = 100;

/** The page number a Link header gives for `rel`, if any. */
function linkedPage(link: string | undefined, rel: string): number | undefined {
  const match = new RegExp(`<[^>]*[?&]page=(\\d+)[^>]*>;\\s*rel="${rel}"`).exec(link ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Every page of the listing. A page that comes back short while the Link headers
 * promised more pages means the listing is incomplete (a proxy, a truncated answer):
 * scanning what came back would quietly leave repos out, so it fails instead.
 */
async function listAllPages(octokit: InstanceType<typeof KeepopenOctokit>, org: string): Promise<ApiRepo[]> {
  const repos: ApiRepo[] = [];
  let promisedLast = 1;
  let page = 0;
  const pages = octokit.paginate.iterator(octokit.rest.repos.listForOrg, { org, type: 'all', per_page: PER_PAGE });
  for await (const response of notListsAreIncomplete(pages, org, () => page + 1)) {
    page++;
    // A page that is not a list of repos (a proxy's error page, a body cut short) is no page at all.
    if (!Array.isArray(response.data)) throw new IncompleteListing(`the listing of "${org}" ended early (page ${page} was not a list of repos)`);
    const data = response.data as ApiRepo[];
    promisedLast = Math.max(promisedLast, linkedPage(response.headers.link, 'last') ?? page);
    // Only the last page may be short, and a page GitHub links to is never empty.
    if ((data.length < PER_PAGE && page < promisedLast) || (data.length === 0 && page > 1)) {
      throw new IncompleteListing(`the listing of "${org}" ended early (page ${page} of ${promisedLast} held ${data.length} repos)`);
    }
    repos.push(...data);
  }
  if (page < promisedLast) throw new IncompleteListing(`the listing of "${org}" ended early (${page} of ${promisedLast} pages came back)`);
  return repos;
}

class IncompleteListing extends Error {}

/**
 * Octokit's paginate fails with a TypeError when a page's body is not JSON at all (it
 * looks for `total_count` in a string): that is a page that was not a list of repos, not
 * a network failure. Errors with an HTTP status, or a cause, pass as they are.
 */
async function* notListsAreIncomplete<T>(pages: AsyncIterable<T>, org: string, page: () => number): AsyncGenerator<T> {
  try {
    yield* pages;
  } catch (error) {
    if (error instanceof TypeError && (error as { status?: number }).status === undefined && error.cause === undefined) {
      throw new IncompleteListing(`the listing of "${org}" ended early (page ${page()} was not a list of repos)`);
    }
    throw error;
  }
}

/** Lists an organisation's repos. Throws SourceError (one clear line) when the listing fails or comes back incomplete. */
export async function listOrgRepos(org: string, options: GitHubSourceOptions): Promise<{ targets: RepoTarget[]; skipped: SkippedRepo[] }> {
  const octokit = createOctokit(options);
  let repos: ApiRepo[] | undefined;
  // An incomplete listing is tried once more (repos deleted mid-listing shorten a page too); then it fails closed.
  for (let attempt = 1; repos === undefined; attempt++) {
    try {
      repos = await listAllPages(octokit, org);
    } catch (error) {
      if (!(error instanceof IncompleteListing)) throw describeApiError(error, org, options.apiUrl, options.requestTimeoutMs ?? DEFAULT_API_TIMEOUT_MS);
      if (attempt === 2) throw new SourceError(`${error.message} twice: the organisation's repo list is incomplete, so none of it is scanned; try again later`);
    }
  }
  const targets: RepoTarget[] = [];
  const skipped: SkippedRepo[] = [];
  for (const repo of repos) {
    if (!repo.clone_url) continue;
    const metadata = metadataOf(repo);
    const base = { key: remoteKey(repo.clone_url), name: repo.full_name, source: repo.clone_url, metadata };
    if (repo.fork && !options.includeForks) skipped.push({ ...base, reason: 'fork (use --include-forks to scan it)' });
    else if (repo.archived && !options.includeArchived) skipped.push({ ...base, reason: 'archived (use --include-archived to scan it)' });
    else if (repo.disabled) skipped.push({ ...base, reason: 'disabled by GitHub' });
    else targets.push({ ...base, kind: 'git-remote', cloneUrl: repo.clone_url });
  }
  return { targets, skipped };
}
