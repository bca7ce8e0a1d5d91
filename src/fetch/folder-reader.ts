import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fg from 'fast-glob';
import { DEFAULT_MAX_FILE_BYTES, isLfsPointer, type RepoEntry, type RepoSnapshot } from './repo-files.js';

// Reads a plain folder (no git) as one repo. Symlinks are never followed: a
// repo is untrusted input and a link may point anywhere on the machine.

export interface FolderReadOptions {
  excludePaths: string[];
  maxFileBytes?: number;
}

export function openFolder(root: string, options: FolderReadOptions): RepoSnapshot {
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  async function* entries(): AsyncGenerator<RepoEntry> {
    const paths = await fg('**/*', {
      cwd: root,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      ignore: ['**/.git/**', ...options.excludePaths],
    });
    paths.sort();
    for (const path of paths) {
      const full = join(root, path);
      const stat = await lstat(full);
      if (stat.isSymbolicLink()) yield { type: 'not-scanned', path, reason: 'symlink' };
      else if (!stat.isFile()) continue;
      else if (stat.size > maxBytes) yield { type: 'not-scanned', path, reason: 'too-large' };
      else {
        const bytes = await readFile(full);
        if (isLfsPointer(bytes)) yield { type: 'not-scanned', path, reason: 'lfs-pointer' };
        else yield { type: 'file', path, bytes };
      }
    }
  }
  return { headCommit: null, entries };
}
