import * as fs from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import git from 'isomorphic-git';
import { decodeBytes } from '../../detect/decode.js';
import { clonePathFor } from '../../fetch/clone-cache.js';
import { repoAt } from '../../sources/local-paths.js';

// The text of the file a finding is in, as it was scanned: the blob at the recorded
// HEAD commit, read from the repo's own object store (local repos) or from the clone
// cache (remote repos scanned with --keep-clones). Nothing is fetched: when no copy
// is at hand the reason says so, and how to get one.

export interface FindingFileRepo {
  key: string;
  headCommit: string | null;
}

export type FindingFile =
  | { kind: 'text'; text: string; /** Where the text came from, for the screen. */ from: string }
  | { kind: 'unavailable'; reason: string };

const LOCAL_PREFIX = 'local:';
const MAX_BYTES = 5 * 1024 * 1024;

async function blobAt(gitdir: string, commit: string, path: string, from: string): Promise<FindingFile> {
  let blob: Uint8Array;
  try {
    ({ blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath: path }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    return {
      kind: 'unavailable',
      reason: code === 'NotFoundError'
        ? `${path} at ${commit.slice(0, 12)} is no longer in ${from} (the repo moved on or was re-fetched): rescan to see it`
        : `cannot read ${path} at ${commit.slice(0, 12)} from ${from}: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  return decoded(blob, `${path} at ${commit.slice(0, 12)} (${from})`);
}

function decoded(bytes: Uint8Array, from: string): FindingFile {
  if (bytes.length > MAX_BYTES) return { kind: 'unavailable', reason: 'the file is too large to show' };
  const text = decodeBytes(bytes);
  return text.kind === 'binary' ? { kind: 'unavailable', reason: 'binary file: there are no lines to show' } : { kind: 'text', text: text.text, from };
}

/** A plain folder (no git) has no commit: the file as it is on disk now, never following a link out of the folder. */
function folderFile(root: string, path: string): FindingFile {
  const full = resolve(root, path);
  const inside = relative(root, full);
  if (inside.startsWith('..') || isAbsolute(inside)) return { kind: 'unavailable', reason: `${path} is outside the repo folder` };
  let stat;
  try {
    stat = fs.lstatSync(full);
  } catch {
    return { kind: 'unavailable', reason: `${path} is no longer in ${root}` };
  }
  if (!stat.isFile()) return { kind: 'unavailable', reason: `${path} is not a regular file (links are never followed)` };
  return decoded(fs.readFileSync(full), `${path} on disk now (a plain folder has no commits)`);
}

export async function readFindingFile(repo: FindingFileRepo, path: string, cacheDir: string): Promise<FindingFile> {
  if (repo.key.startsWith(LOCAL_PREFIX)) {
    const root = repo.key.slice(LOCAL_PREFIX.length);
    if (!fs.existsSync(root)) return { kind: 'unavailable', reason: `the repo is no longer at ${root}` };
    const target = repoAt(root);
    if (!target?.gitdir) return folderFile(root, path);
    if (!repo.headCommit) return { kind: 'unavailable', reason: 'no commit was recorded for this result' };
    return blobAt(target.gitdir, repo.headCommit, path, root);
  }
  const gitdir = clonePathFor(cacheDir, repo.key);
  if (!fs.existsSync(`${gitdir}/HEAD`)) {
    return { kind: 'unavailable', reason: `no clone of this repo in ${cacheDir}: scan with --keep-clones to keep one for context` };
  }
  if (!repo.headCommit) return { kind: 'unavailable', reason: 'no commit was recorded for this result' };
  return blobAt(gitdir, repo.headCommit, path, 'the clone cache');
}
