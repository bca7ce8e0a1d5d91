import { chmodSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where shallow clones live between fetch and scan (and between scans, with
// --keep-clones). Owner-only: clones of private repos are as sensitive as the repos.

/** The OS cache folder for keepopen's clones ($XDG_CACHE_HOME or ~/.cache, ~/Library/Caches on macOS). */
export function defaultCacheDir(): string {
  const base =
    process.env.XDG_CACHE_HOME ??
    (process.platform === 'darwin' ? join(homedir(), 'Library', 'Caches') : process.platform === 'win32' ? (process.env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local')) : join(homedir(), '.cache'));
  return join(base, 'keepopen', 'clones');
}

/** Creates the cache folder, owner-only. */
export function prepareCacheDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

/** The clone's folder for a repo key (host/owner/name): each segment made safe for any file system. */
export function clonePathFor(cacheDir: string, repoKey: string): string {
  const segments = repoKey.split('/').map((s) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_');
  return join(cacheDir, ...segments) + '.git';
}
