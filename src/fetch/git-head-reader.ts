import * as fs from 'node:fs';
import git from 'isomorphic-git';
import picomatch from 'picomatch';
import { GitObjectStore, parseHeaders, parseTree } from './git-object-store.js';
import { DEFAULT_MAX_FILE_BYTES, isLfsPointer, type RepoEntry, type RepoSnapshot } from './repo-files.js';

// Reads a repo's files at HEAD straight from the object store: no checkout, so bare
// mirrors and work trees read the same, and uncommitted changes in a work tree are
// (rightly) not what is published. isomorphic-git resolves HEAD; objects are read by
// our own pack reader (native zlib, cached delta bases), which also tells a blob's
// size before reading it, so a huge file is listed, never loaded.

const MODE_TREE = '40000';
const MODE_SYMLINK = '120000';
const MODE_SUBMODULE = '160000';

export interface GitReadOptions {
  /** Globs of paths not read at all (vendored folders). */
  excludePaths: string[];
  maxFileBytes?: number;
  /** A HEAD holding more paths than this is not scanned (error): see DEFAULT_MAX_PATHS. */
  maxPaths?: number;
  /** Folders nested deeper than this are not scanned (error): see DEFAULT_MAX_TREE_DEPTH. */
  maxTreeDepth?: number;
}

/**
 * More paths than any real repo holds at HEAD (the largest public monorepos hold a few
 * hundred thousand), and far fewer than a tree that repeats itself can expand to.
 */
export const DEFAULT_MAX_PATHS = 2_000_000;
/** git itself refuses trees deeper than this (core.maxTreeDepth, 4096 since git 2.44). */
export const DEFAULT_MAX_TREE_DEPTH = 4096;

type TreeEntry = ReturnType<typeof parseTree>[number];

/**
 * How many paths the tree expands to, counting each distinct subtree once (memoised by
 * object id), so the count costs one read per distinct tree however often trees repeat.
 * Stops as soon as the count passes `limit` (returns limit + 1). Throws when folders
 * nest deeper than `maxDepth`.
 */
function countPaths(root: string, readTree: (oid: string) => TreeEntry[], limit: number, maxDepth: number, excluded: (path: string) => boolean): number {
  const counted = new Map<string, number>();
  // Post-order with a stack: a tree's count is known once all its subtrees' are.
  const stack: { oid: string; prefix: string; entries: TreeEntry[]; index: number; sum: number }[] = [{ oid: root, prefix: '', entries: readTree(root), index: 0, sum: 0 }];
  let result = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const entry = frame.entries[frame.index];
    if (entry === undefined) {
      stack.pop();
      const total = Math.min(frame.sum, limit + 1);
      counted.set(frame.oid, total);
      if (stack.length === 0) result = total;
      else stack[stack.length - 1]!.sum += total;
      continue;
    }
    if (entry.mode !== MODE_TREE || excluded(`${frame.prefix}${entry.name}/`)) {
      // A file, or a folder the walk will not enter (vendored code): one path.
      frame.sum += 1;
      frame.index++;
    } else {
      const known = counted.get(entry.oid);
      if (known !== undefined) {
        frame.sum += 1 + known;
        frame.index++;
      } else {
        // A tree that (in a forged object store) contains itself never completes: it ends here too.
        if (stack.length >= maxDepth) throw new Error(`HEAD's tree nests folders more than ${maxDepth} deep (git refuses such trees): not scanned`);
        frame.sum += 1;
        frame.index++;
        stack.push({ oid: entry.oid, prefix: `${frame.prefix}${entry.name}/`, entries: readTree(entry.oid), index: 0, sum: 0 });
      }
    }
    if (frame.sum > limit) return limit + 1;
  }
  return result;
}

/** Turns isomorphic-git's errors into a reason a person can act on. */
export function describeGitError(error: unknown): Error {
  const e = error as { code?: string; data?: { what?: string }; message?: string };
  if (e.code === 'NotFoundError') {
    return new Error(`git object ${e.data?.what ?? ''} is missing: the repository is incomplete or corrupt (re-fetch or repair it)`.replace('  ', ' '));
  }
  return error instanceof Error ? error : new Error(String(error));
}

function missing(oid: string): Error {
  return new Error(`git object ${oid} is missing: the repository is incomplete or corrupt (re-fetch or repair it)`);
}

/** Opens the repo in `gitdir` at HEAD. Throws when HEAD cannot be resolved in a repo that has refs. */
export async function openGitHead(gitdir: string, options: GitReadOptions): Promise<RepoSnapshot> {
  let headCommit: string;
  try {
    headCommit = await git.resolveRef({ fs, gitdir, ref: 'HEAD' });
  } catch (error) {
    const branches = await git.listBranches({ fs, gitdir }).catch(() => [] as string[]);
    if ((error as { code?: string }).code === 'NotFoundError' && branches.length === 0) {
      return { headCommit: null, empty: true, async *entries() {} };
    }
    throw new Error(`cannot resolve HEAD: ${(error as Error).message}`);
  }
  const excluded = options.excludePaths.length > 0 ? picomatch(options.excludePaths, { dot: true }) : () => false;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxPaths = options.maxPaths ?? DEFAULT_MAX_PATHS;
  const maxDepth = options.maxTreeDepth ?? DEFAULT_MAX_TREE_DEPTH;

  async function* entries(): AsyncGenerator<RepoEntry> {
    const store = GitObjectStore.open(gitdir);
    try {
      const read = (oid: string) => {
        const object = store.read(oid);
        if (!object) throw missing(oid);
        return object;
      };
      const readTree = (oid: string) => {
        const object = read(oid);
        if (object.type !== 'tree') throw new Error(`git object ${oid} should be a tree but is a ${object.type}: the repository is corrupt`);
        return parseTree(object.data);
      };
      const commit = read(headCommit);
      const tree = commit.type === 'commit' ? parseHeaders(commit.data).tree : undefined;
      if (tree === undefined) throw new Error(`HEAD (${headCommit}) is not a commit: the repository is corrupt`);

      // Before a single file is read: a tree that nests itself into billions of paths (a
      // "git bomb": each folder holds the same subtree many times) or deeper than git
      // allows ends here, in the time it takes to read each distinct tree once.
      const paths = countPaths(tree, readTree, maxPaths, maxDepth, excluded);
      if (paths > maxPaths) {
        throw new Error(`HEAD's tree holds more than ${maxPaths.toLocaleString('en-GB')} paths (folders repeating the same content, a "git bomb"?): too many to scan`);
      }

      // Depth first, in tree order, with a stack rather than recursion: however deep the tree.
      const stack: { entries: TreeEntry[]; index: number; prefix: string }[] = [{ entries: readTree(tree), index: 0, prefix: '' }];
      while (stack.length > 0) {
        const frame = stack[stack.length - 1]!;
        const entry = frame.entries[frame.index++];
        if (entry === undefined) {
          stack.pop();
          continue;
        }
        const path = frame.prefix + entry.name;
        if (entry.mode === MODE_TREE) {
          if (excluded(path + '/')) yield { type: 'not-scanned', path: path + '/', reason: 'excluded-path' };
          else stack.push({ entries: readTree(entry.oid), index: 0, prefix: path + '/' });
        } else if (entry.mode === MODE_SUBMODULE) {
          yield { type: 'not-scanned', path, reason: 'submodule' };
        } else if (entry.mode === MODE_SYMLINK) {
          yield { type: 'not-scanned', path, reason: 'symlink' };
        } else if (excluded(path)) {
          yield { type: 'not-scanned', path, reason: 'excluded-path' };
        } else {
          // Sized before it is read: a huge blob is listed, never loaded.
          const size = store.sizeOf(entry.oid);
          if (size === undefined) throw missing(entry.oid);
          if (size > maxBytes) {
            yield { type: 'not-scanned', path, reason: 'too-large' };
            continue;
          }
          const bytes = read(entry.oid).data;
          // A pointer's own text is scanned (anything can follow its first line); the content it stands for was not.
          if (isLfsPointer(bytes)) yield { type: 'not-scanned', path, reason: 'lfs-pointer' };
          yield { type: 'file', path, bytes };
        }
      }
    } finally {
      store.close();
    }
  }

  return { headCommit, entries };
}
