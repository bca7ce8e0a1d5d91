import * as fs from 'node:fs';
import git from 'isomorphic-git';
import picomatch from 'picomatch';
import { GitObjectStore, parseHeaders, parseTree, type GitObject } from './git-object-store.js';
import { DEFAULT_MAX_FILE_BYTES } from './repo-files.js';

// The history of a repo as unique blobs, the way Nosey Parker and Kingfisher see
// it: every commit any ref reaches is walked once, every tree once, and every blob
// is recorded with the first commit (oldest first) and path where it appears. A
// history scan then reads only the blobs HEAD does not hold, each once, so its cost
// grows with unique content, not with commits x files.

const MODE_TREE = '40000';
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
  /** The repo's objects, open for the blob reads that follow the walk. */
  store: GitObjectStore;
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

/** Every ref of the repo (branches, tags, remote-tracking branches) and HEAD, peeled to commits. */
export async function historyRoots(gitdir: string, store: GitObjectStore): Promise<Map<string, string>> {
  const roots = new Map<string, string>();
  const names = ['HEAD', ...(await git.listRefs({ fs, gitdir, filepath: 'refs' })).map((name) => `refs/${name}`)];
  for (const ref of names) {
    // Refs that do not resolve (HEAD of an empty repo, a dangling symbolic ref) hold nothing to scan.
    let oid = await git.resolveRef({ fs, gitdir, ref }).catch(() => undefined);
    // Annotated tags point at tag objects: peel to what they tag; a tag of a blob or tree is skipped.
    for (let depth = 0; oid !== undefined && depth < 10; depth++) {
      const object = readObject(store, oid);
      if (object.type === 'commit') break;
      oid = object.type === 'tag' ? parseHeaders(object.data).object : undefined;
    }
    if (oid !== undefined) roots.set(ref, oid);
  }
  return roots;
}

function readObject(store: GitObjectStore, oid: string): GitObject {
  const object = store.read(oid);
  if (!object) throw new Error(`git object ${oid} is missing: the repository is incomplete or corrupt (re-fetch or repair it)`);
  return object;
}

function readShallowBoundary(gitdir: string): Set<string> {
  try {
    return new Set(fs.readFileSync(`${gitdir}/shallow`, 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set();
  }
}

/** Walks the commit graph from every ref and records where each blob first appears. Close `index.store` when done. */
export async function indexHistory(gitdir: string): Promise<HistoryIndex> {
  const store = GitObjectStore.open(gitdir);
  try {
    const roots = await historyRoots(gitdir, store);
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
        const commit = readObject(store, top.oid);
        const { tree, parents } = parseHeaders(commit.data);
        if (commit.type !== 'commit' || tree === undefined) throw new Error(`git object ${top.oid} is not a commit: the repository is corrupt`);
        trees.set(top.oid, tree);
        // Past a shallow boundary the parents were never fetched.
        top.parents = boundary.has(top.oid) ? [] : [...parents].reverse();
      }
      const next = top.parents.pop();
      if (next === undefined) {
        stack.pop();
        ordered.push(top.oid);
      } else if (!trees.has(next)) stack.push({ oid: next });
    }

    const firstSeen = new Map<string, FirstSeen>();
    const seenTrees = new Set<string>();
    const walkTree = (treeOid: string, prefix: string, commit: string): void => {
      if (seenTrees.has(treeOid)) return; // its blobs were all recorded the first time
      seenTrees.add(treeOid);
      for (const entry of parseTree(readObject(store, treeOid).data)) {
        if (entry.mode === MODE_TREE) walkTree(entry.oid, `${prefix}${entry.name}/`, commit);
        else if (entry.mode !== MODE_SYMLINK && entry.mode !== MODE_SUBMODULE && !firstSeen.has(entry.oid)) {
          firstSeen.set(entry.oid, { commit, path: prefix + entry.name });
        }
      }
    };
    for (const oid of ordered) walkTree(trees.get(oid)!, '', oid);

    const headBlobs = new Map<string, string>();
    const collect = (treeOid: string, prefix: string): void => {
      for (const entry of parseTree(readObject(store, treeOid).data)) {
        if (entry.mode === MODE_TREE) collect(entry.oid, `${prefix}${entry.name}/`);
        else if (entry.mode !== MODE_SUBMODULE) headBlobs.set(prefix + entry.name, entry.oid);
      }
    };
    const head = roots.get('HEAD');
    if (head !== undefined) collect(trees.get(head)!, '');
    return { commits: ordered.length, firstSeen, headBlobs, roots, shallow: boundary.size > 0, store };
  } catch (error) {
    store.close();
    throw error;
  }
}

export interface HistoryReadOptions {
  excludePaths: string[];
  maxFileBytes?: number;
}

/** The blobs of history that HEAD does not hold, each once, oldest first. */
export async function* historyOnlyBlobs(index: HistoryIndex, options: HistoryReadOptions): AsyncGenerator<HistoryEntry> {
  const { store } = index;
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
    // Sized before it is read: a huge blob is listed, never loaded.
    if ((store.sizeOf(oid) ?? 0) > maxBytes) {
      yield { type: 'not-scanned', path, commit, reason: 'too-large' };
      continue;
    }
    yield { type: 'file', oid, commit, path, bytes: readObject(store, oid).data };
  }
}
