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

  async function* entries(): AsyncGenerator<RepoEntry> {
    const store = GitObjectStore.open(gitdir);
    try {
      const read = (oid: string) => {
        const object = store.read(oid);
        if (!object) throw missing(oid);
        return object;
      };
      const commit = read(headCommit);
      const tree = commit.type === 'commit' ? parseHeaders(commit.data).tree : undefined;
      if (tree === undefined) throw new Error(`HEAD (${headCommit}) is not a commit: the repository is corrupt`);

      function* walk(treeOid: string, prefix: string): Generator<RepoEntry> {
        for (const entry of parseTree(read(treeOid).data)) {
          const path = prefix + entry.name;
          if (entry.mode === MODE_TREE) {
            if (excluded(path + '/')) yield { type: 'not-scanned', path: path + '/', reason: 'excluded-path' };
            else yield* walk(entry.oid, path + '/');
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
            if (isLfsPointer(bytes)) yield { type: 'not-scanned', path, reason: 'lfs-pointer' };
            else yield { type: 'file', path, bytes };
          }
        }
      }
      yield* walk(tree, '');
    } finally {
      store.close();
    }
  }

  return { headCommit, entries };
}
