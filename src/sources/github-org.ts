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
  });
}

function describeApiError(error: unknown, org: string, apiUrl: string): SourceError {
  const e = error as { status?: number; message?: string; response?: unknown; cause?: { code?: string; message?: string } };
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
  for await (const response of octokit.paginate.iterator(octokit.rest.repos.listForOrg, { org, type: 'all', per_page: PER_PAGE })) {
    page++;
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

/** Lists an organisation's repos. Throws SourceError (one clear line) when the listing fails or comes back incomplete. */
export async function listOrgRepos(org: string, options: GitHubSourceOptions): Promise<{ targets: RepoTarget[]; skipped: SkippedRepo[] }> {
  const octokit = createOctokit(options);
  let repos: ApiRepo[] | undefined;
  // An incomplete listing is tried once more (repos deleted mid-listing shorten a page too); then it fails closed.
  for (let attempt = 1; repos === undefined; attempt++) {
    try {
      repos = await listAllPages(octokit, org);
    } catch (error) {
      if (!(error instanceof IncompleteListing)) throw describeApiError(error, org, options.apiUrl);
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
