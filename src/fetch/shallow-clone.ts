import * as fs from 'node:fs';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import git from 'isomorphic-git';
import { ResponseTooLargeError, type GitHttpClient } from './git-http-client.js';
import { fetchOtherRefs, type OtherRefsResult } from './other-refs.js';

// Shallow fetch with isomorphic-git: depth 1, one branch, no checkout, tags left
// out. The clone is a bare git directory; a later scan of the same repo fetches
// into it, so only what changed comes over the wire. With `history`, the fetch is
// full instead: every branch and tag, and every other ref the server offers (pull
// requests: see other-refs.ts), so every blob any ref reaches can be scanned.

export interface FetchOptions {
  http: GitHttpClient;
  /** Token for private repos; only ever given to the git server that asks. */
  token?: string;
  /** Attempts for transient failures (network errors, 5xx, 429, corrupt transfers). */
  attempts: number;
  /** First backoff delay; doubled each attempt, with jitter. */
  backoffMs: number;
  /** Fetch all history of every branch, tag and other ref, not just HEAD's tree. */
  history?: boolean;
  /** With `history`: most refs beyond branches and tags to fetch (default DEFAULT_MAX_OTHER_REFS). */
  maxOtherRefs?: number;
}

export interface FetchResult {
  headCommit: string;
  /** True when an earlier clone was brought up to date rather than cloned afresh. */
  updated: boolean;
  /** With `history`: the refs beyond branches and tags the server offers, and how many were fetched. */
  otherRefs?: OtherRefsResult;
}

/** Permanent failures: retrying cannot help (a response over the byte cap would only come again). */
function isPermanent(error: unknown): boolean {
  const e = error as { code?: string; data?: { statusCode?: number } };
  if (e.code === 'ResponseTooLarge' || e.code === 'PackRefused' || error instanceof ResponseTooLargeError) return true;
  const status = e.data?.statusCode;
  if (status !== undefined) return status < 500 && status !== 429 && status !== 408;
  return e.code === 'NotFoundError' && !/objects|pack/i.test(String((error as Error).message));
}

/** One line a person can act on, from whatever isomorphic-git or the network threw. */
export function describeFetchError(error: unknown, url: string): string {
  const e = error as { code?: string; data?: { statusCode?: number; statusMessage?: string }; message?: string };
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const status = e.data?.statusCode;
  if (status === 401 || status === 403) return `clone refused by ${host} (HTTP ${status}): the repo is private or the token lacks access`;
  if (status === 404) return `repository not found at ${url} (HTTP 404)`;
  if (status !== undefined) return `clone failed: HTTP ${status} ${e.data?.statusMessage ?? ''} from ${host}`.trim();
  // The server's own words can end up in a message: one line, and not a page of it.
  const firstLine = (e.message ?? String(error)).split('\n')[0]!;
  const message = firstLine.length > 200 ? `${firstLine.slice(0, 200)}...` : firstLine;
  if (e.code === 'ResponseTooLarge' || e.code === 'PackRefused' || /timed out/i.test(message)) return `clone failed: ${message}`;
  if (/ECONNRESET|socket hang up|aborted|premature close/i.test(message)) return `clone failed: connection reset by ${host} during transfer`;
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(message)) return `clone failed: cannot connect to ${host} (${message.match(/E[A-Z_]+/)?.[0] ?? message})`;
  if (/checksum|pack|inflate|zlib|incorrect header|unexpected end|invalid/i.test(message) || e.code === 'InternalError') {
    return `clone failed: corrupt or truncated pack from ${host} (${message})`;
  }
  return `clone failed: ${message}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What every isomorphic-git call against the server shares: the client, the clone, and the token (only when the server asks). */
function connection(gitdir: string, options: FetchOptions) {
  const onAuth = options.token ? () => ({ username: 'x-access-token', password: options.token! }) : undefined;
  return { fs, http: options.http, gitdir, ...(onAuth ? { onAuth } : {}) };
}

async function cloneOrUpdate(url: string, gitdir: string, options: FetchOptions): Promise<FetchResult> {
  const common = connection(gitdir, options);
  const history = options.history === true;
  // A shallow clone cannot be deepened to the full history reliably with isomorphic-git: start again.
  if (history && fs.existsSync(`${gitdir}/shallow`)) rmSync(gitdir, { recursive: true, force: true });
  if (fs.existsSync(`${gitdir}/HEAD`)) {
    try {
      const result = await git.fetch(
        history
          ? { ...common, url, singleBranch: false, tags: true, prune: true, pruneTags: true }
          : { ...common, url, depth: 1, singleBranch: true, tags: false, prune: false },
      );
      if (result.fetchHead) {
        const branch = (result.defaultBranch ?? 'refs/heads/main').replace(/^refs\/heads\//, '');
        await git.writeRef({ fs, gitdir, ref: `refs/heads/${branch}`, value: result.fetchHead, force: true });
        await git.writeRef({ fs, gitdir, ref: 'HEAD', value: `refs/heads/${branch}`, symbolic: true, force: true });
        return { headCommit: result.fetchHead, updated: true };
      }
    } catch (error) {
      if (isPermanent(error)) throw error;
      // A damaged cached clone is thrown away and cloned afresh below.
    }
    rmSync(gitdir, { recursive: true, force: true });
  }
  mkdirSync(dirname(gitdir), { recursive: true, mode: 0o700 });
  try {
    await git.clone(
      history
        ? { ...common, dir: gitdir, url, singleBranch: false, noCheckout: true, noTags: false }
        : { ...common, dir: gitdir, url, depth: 1, singleBranch: true, noCheckout: true, noTags: true },
    );
  } catch (error) {
    rmSync(gitdir, { recursive: true, force: true }); // never leave half a clone to be mistaken for a whole one
    throw error;
  }
  try {
    return { headCommit: await git.resolveRef({ fs, gitdir, ref: 'HEAD' }), updated: false };
  } catch (error) {
    // A clone with no HEAD (the ref advertisement was empty or cut short) is half a clone too.
    rmSync(gitdir, { recursive: true, force: true });
    throw error;
  }
}

/** Clones (or updates) `url` into `gitdir`, retrying transient failures with backoff. Throws an Error whose message is the reason. */
export async function shallowFetch(url: string, gitdir: string, options: FetchOptions): Promise<FetchResult> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    options.http.takeFailure?.(url); // nothing from an earlier attempt (or scan) stands for this one
    try {
      const result = await cloneOrUpdate(url, gitdir, options);
      if (options.history) {
        result.otherRefs = await fetchOtherRefs(url, connection(gitdir, options), options.maxOtherRefs);
      }
      return result;
    } catch (error) {
      // What the connection itself failed with, if anything, is the real reason.
      lastError = options.http.takeFailure?.(url) ?? error;
      if (isPermanent(lastError) || attempt === options.attempts) break;
      const delay = options.backoffMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
  const reason = describeFetchError(lastError, url);
  throw new Error(isPermanent(lastError) ? reason : `${reason} (after ${options.attempts} attempts)`);
}
