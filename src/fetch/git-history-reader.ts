import * as fs from 'node:fs';
import git from 'isomorphic-git';
import picomatch from 'picomatch';
import { describeGitError } from './git-head-reader.js';
import { DEFAULT_MAX_FILE_BYTES } from './repo-files.js';

// The history of a repo as unique blobs, the way Nosey Parker and Kingfisher see
// it: every commit any ref reaches is walked once, every tree once, and every blob
// is recorded with the first commit (oldest first) and path where it appears. A
// history scan then reads only the blobs HEAD does not hold, each once, so its cost
// grows with unique content, not with commits x files.

const MODE_SYMLINK = '120000';
const MODE_SUBMODULE = '160000';

export interface FirstSeen {
  commit: string;
  path: string;
}

export interface HistoryIndex {
  /** Commits reachable from the roots. */
  commits: number;
  /** Each blob's first appearance, in the order first seen (oldest commit first). */
  firstSeen: Map<string, FirstSeen>;
  /** HEAD's blobs by path (empty when HEAD does not resolve). */
  headBlobs: Map<string, string>;
  /** Refs the walk started from, by name. */
  roots: Map<string, string>;
  /** Set when the local repo is shallow: commits beyond the boundary are not there to walk. */
  shallow: boolean;
  /** isomorphic-git's object cache (open packfiles), shared by the walk and the blob reads. */
  cache: object;
}

/** A blob that HEAD does not hold, at the first place it appeared. */
export interface HistoryBlob {
  oid: string;
  commit: string;
  path: string;
  bytes: Uint8Array;
}

export type HistoryEntry =
  | ({ type: 'file' } & HistoryBlob)
  | { type: 'not-scanned'; path: string; commit: string; reason: 'too-large' | 'excluded-path' };

async function gitCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw describeGitError(error);
  }
}

/** Every ref of the repo (branches, tags, remote-tracking branches) and HEAD, peeled to commits. */
export async function historyRoots(gitdir: string, cache: object): Promise<Map<string, string>> {
  const roots = new Map<string, string>();
  const names = ['HEAD', ...(await git.listRefs({ fs, gitdir, filepath: 'refs' })).map((name) => `refs/${name}`)];
  for (const ref of names) {
    // Refs that do not resolve (HEAD of an empty repo, a dangling symbolic ref) hold nothing to scan.
    let oid = await git.resolveRef({ fs, gitdir, ref }).catch(() => undefined);
    // Annotated tags point at tag objects: peel to what they tag; a tag of a blob or tree is skipped.
    for (let depth = 0; oid !== undefined && depth < 10; depth++) {
      const { type, object } = await gitCall(git.readObject({ fs, gitdir, oid, format: 'parsed', cache }));
      if (type === 'commit') break;
      oid = type === 'tag' ? (object as { object: string }).object : undefined;
    }
    if (oid !== undefined) roots.set(ref, oid);
  }
  return roots;
}

function readShallowBoundary(gitdir: string): Set<string> {
  try {
    return new Set(fs.readFileSync(`${gitdir}/shallow`, 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set();
  }
}

/** Walks the commit graph from every ref and records where each blob first appears. */
export async function indexHistory(gitdir: string): Promise<HistoryIndex> {
  const cache = {};
  const roots = await historyRoots(gitdir, cache);
  const boundary = readShallowBoundary(gitdir);

  // Every reachable commit, parents before children (a post-order walk: commit times
  // tie and lie, ancestry does not), so a blob's first appearance is the commit that
  // introduced it.
  const trees = new Map<string, string>();
  const ordered: string[] = [];
  const stack: { oid: string; parents?: string[] }[] = [...new Set(roots.values())].reverse().map((oid) => ({ oid }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.parents === undefined) {
      if (trees.has(top.oid)) {
        stack.pop();
        continue;
      }
      const { commit } = await gitCall(git.readCommit({ fs, gitdir, oid: top.oid, cache }));
      trees.set(top.oid, commit.tree);
      // Past a shallow boundary the parents were never fetched.
      top.parents = boundary.has(top.oid) ? [] : [...commit.parent].reverse();
    }
    const next = top.parents.pop();
    if (next === undefined) {
      stack.pop();
      ordered.push(top.oid);
    } else if (!trees.has(next)) stack.push({ oid: next });
  }

  const firstSeen = new Map<string, FirstSeen>();
  const seenTrees = new Set<string>();
  async function walkTree(treeOid: string, prefix: string, commit: string): Promise<void> {
    if (seenTrees.has(treeOid)) return; // its blobs were all recorded the first time
    seenTrees.add(treeOid);
    const { tree } = await gitCall(git.readTree({ fs, gitdir, oid: treeOid, cache }));
    for (const entry of tree) {
      if (entry.type === 'tree') await walkTree(entry.oid, `${prefix}${entry.path}/`, commit);
      else if (entry.type === 'blob' && entry.mode !== MODE_SYMLINK && entry.mode !== MODE_SUBMODULE && !firstSeen.has(entry.oid)) {
        firstSeen.set(entry.oid, { commit, path: prefix + entry.path });
      }
    }
  }
  for (const oid of ordered) await walkTree(trees.get(oid)!, '', oid);

  const headBlobs = new Map<string, string>();
  const head = roots.get('HEAD');
  if (head !== undefined) {
    const collect = async (treeOid: string, prefix: string): Promise<void> => {
      const { tree } = await gitCall(git.readTree({ fs, gitdir, oid: treeOid, cache }));
      for (const entry of tree) {
        if (entry.type === 'tree') await collect(entry.oid, `${prefix}${entry.path}/`);
        else if (entry.type === 'blob') headBlobs.set(prefix + entry.path, entry.oid);
      }
    };
    await collect(trees.get(head)!, '');
  }
  return { commits: ordered.length, firstSeen, headBlobs, roots, shallow: boundary.size > 0, cache };
}

export interface HistoryReadOptions {
  excludePaths: string[];
  maxFileBytes?: number;
}

/** The blobs of history that HEAD does not hold, each once, oldest first. */
export async function* historyOnlyBlobs(gitdir: string, index: HistoryIndex, options: HistoryReadOptions): AsyncGenerator<HistoryEntry> {
  const { cache } = index;
  const atHead = new Set(index.headBlobs.values());
  const matches = options.excludePaths.length > 0 ? picomatch(options.excludePaths, { dot: true }) : () => false;
  // As at HEAD: a path is excluded when it, or any folder above it (tested as "dir/"), matches.
  const excluded = (path: string) => {
    if (matches(path)) return true;
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) if (matches(path.slice(0, slash + 1))) return true;
    return false;
  };
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  for (const [oid, { commit, path }] of index.firstSeen) {
    if (atHead.has(oid)) continue;
    if (excluded(path)) {
      yield { type: 'not-scanned', path, commit, reason: 'excluded-path' };
      continue;
    }
    const { blob } = await gitCall(git.readBlob({ fs, gitdir, oid, cache }));
    if (blob.length > maxBytes) yield { type: 'not-scanned', path, commit, reason: 'too-large' };
    else yield { type: 'file', oid, commit, path, bytes: blob };
  }
}
