import * as fs from 'node:fs';
import git from 'isomorphic-git';
import type { GitHttpClient } from './git-http-client.js';

// Refs a server offers beyond branches and tags: GitHub's refs/pull/N/head, GitLab's
// refs/merge-requests/N/head, Gerrit's refs/changes/..., notes. They matter to a history
// scan because they stay public after a branch is deleted or rewritten: a secret pushed
// to a pull request's branch and force-pushed away is still served from refs/pull/N/head.
// isomorphic-git fetches branches and tags only, so each of these is fetched on its own
// (one want, HEAD as the have) and kept under LOCAL_PREFIX, where the history walk,
// which starts from every ref, finds it.

/** Where fetched refs are kept in the clone: refs/keepopen-remote/pull/7/head for refs/pull/7/head. */
export const LOCAL_PREFIX = 'refs/keepopen-remote/';

/** Most such refs fetched for one repo (each is one more request); past it, history is incomplete. */
export const DEFAULT_MAX_OTHER_REFS = 2000;

export interface OtherRefsResult {
  /** Refs the server offers beyond branches and tags (test merges left out). */
  offered: number;
  /** How many of them are now in the clone. */
  fetched: number;
}

/**
 * A ref worth a history scan that isomorphic-git leaves out. GitHub's refs/pull/N/merge is
 * left out too: a merge GitHub makes itself to test a pull request, holding nothing that
 * the pull request's head and its base do not.
 */
export function isOtherRef(ref: string): boolean {
  return (
    ref.startsWith('refs/') &&
    !ref.startsWith('refs/heads/') &&
    !ref.startsWith('refs/tags/') &&
    !ref.startsWith('refs/remotes/') &&
    !ref.endsWith('^{}') &&
    !/^refs\/pull\/\d+\/merge$/.test(ref)
  );
}

/** The connection shallow-clone uses for every call: file system, HTTP client, the clone, and the token's callback. */
interface Connection {
  fs: typeof fs;
  http: GitHttpClient;
  gitdir: string;
  onAuth?: () => { username: string; password: string };
}

async function hasObject(gitdir: string, oid: string): Promise<boolean> {
  return git.readObject({ fs, gitdir, oid, format: 'deflated' }).then(
    () => true,
    () => false,
  );
}

/**
 * Brings the clone's copies of the server's other refs up to date: each offered ref is
 * fetched (or, when its commit is already here, just recorded), and a ref the server no
 * longer offers is dropped, so a recheck after a clean-up scans what is served now.
 */
export async function fetchOtherRefs(url: string, connection: Connection, maxRefs = DEFAULT_MAX_OTHER_REFS): Promise<OtherRefsResult> {
  const { gitdir } = connection;
  const info = await git.getRemoteInfo2({ ...connection, url, protocolVersion: 1 });
  const offered = (info.refs ?? []).filter((r) => isOtherRef(r.ref) && /^[0-9a-f]{40}$/.test(r.oid));
  // Pull requests in number order, so the newest are the ones left out past the cap.
  offered.sort((a, b) => a.ref.localeCompare(b.ref, 'en', { numeric: true }));
  const wanted = new Map(offered.slice(0, maxRefs).map((r) => [`${LOCAL_PREFIX}${r.ref.slice('refs/'.length)}`, r]));

  for (const local of await git.listRefs({ fs, gitdir, filepath: LOCAL_PREFIX.slice(0, -1) })) {
    const name = `${LOCAL_PREFIX}${local}`;
    if (!wanted.has(name)) await git.deleteRef({ fs, gitdir, ref: name });
  }
  let fetched = 0;
  for (const [name, { ref, oid }] of wanted) {
    if (!(await hasObject(gitdir, oid))) {
      await git.fetch({ ...connection, url, ref: 'HEAD', remoteRef: ref, singleBranch: true, tags: false, prune: false });
      // The server may have moved the ref since it listed it; what was asked for must be here.
      if (!(await hasObject(gitdir, oid))) throw new Error(`fetching ${ref} did not bring commit ${oid}: the server changed it while it was fetched; scan again`);
    }
    await git.writeRef({ fs, gitdir, ref: name, value: oid, force: true });
    fetched++;
  }
  return { offered: offered.length, fetched };
}
