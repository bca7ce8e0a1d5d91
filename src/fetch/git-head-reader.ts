import * as fs from 'node:fs';
import git from 'isomorphic-git';
import picomatch from 'picomatch';
import { DEFAULT_MAX_FILE_BYTES, type RepoEntry, type RepoSnapshot } from './repo-files.js';

// Reads a repo's files at HEAD straight from the object store with isomorphic-git:
// no checkout, so bare mirrors and work trees read the same, and uncommitted
// changes in a work tree are (rightly) not what is published.

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

async function gitCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw describeGitError(error);
  }
}

/** Opens the repo in `gitdir` at HEAD. Throws when HEAD cannot be resolved in a repo that has refs. */
export async function openGitHead(gitdir: string, options: GitReadOptions): Promise<RepoSnapshot> {
  const cache = {};
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
  const { commit } = await gitCall(git.readCommit({ fs, gitdir, oid: headCommit, cache }));
  const excluded = options.excludePaths.length > 0 ? picomatch(options.excludePaths, { dot: true }) : () => false;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  async function* walk(treeOid: string, prefix: string): AsyncGenerator<RepoEntry> {
    const { tree } = await gitCall(git.readTree({ fs, gitdir, oid: treeOid, cache }));
    for (const entry of tree) {
      const path = prefix + entry.path;
      if (entry.type === 'tree') {
        if (excluded(path + '/')) {
          yield { type: 'not-scanned', path: path + '/', reason: 'excluded-path' };
          continue;
        }
        yield* walk(entry.oid, path + '/');
      } else if (entry.mode === MODE_SUBMODULE || entry.type === 'commit') {
        yield { type: 'not-scanned', path, reason: 'submodule' };
      } else if (entry.mode === MODE_SYMLINK) {
        yield { type: 'not-scanned', path, reason: 'symlink' };
      } else if (excluded(path)) {
        yield { type: 'not-scanned', path, reason: 'excluded-path' };
      } else {
        const { blob } = await gitCall(git.readBlob({ fs, gitdir, oid: entry.oid, cache }));
        if (blob.length > maxBytes) yield { type: 'not-scanned', path, reason: 'too-large' };
        else yield { type: 'file', path, bytes: blob };
      }
    }
  }

  return { headCommit, entries: () => walk(commit.tree, '') };
}
