import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { RepoTarget } from '../scan/repo-target.js';
import { UsageError } from '../usage-error.js';

// Which repos a list of local PATHs stands for: a git work tree or bare repo is one
// repo; a folder that is not a repo is searched for repos below it (a folder of
// mirrors); a folder with no repo anywhere below is scanned as one plain repo.

/** Folders never searched for repos: they hold dependencies, not the owner's repos. */
const NOT_SEARCHED = new Set(['node_modules', '.git', 'vendor', 'bower_components', '.venv', 'site-packages']);
/** A folder of mirrors is rarely deep; this bounds the search on a huge tree. */
const MAX_SEARCH_DEPTH = 6;

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The git directory of a work tree: `.git` itself, or the folder a `.git` file (gitlink) points to. */
function worktreeGitdir(dir: string): string | undefined {
  const dotGit = join(dir, '.git');
  let stat;
  try {
    stat = lstatSync(dotGit);
  } catch {
    return undefined;
  }
  if (stat.isDirectory()) return dotGit;
  if (stat.isFile()) {
    const match = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (match?.[1]) {
      const target = match[1].trim();
      return isAbsolute(target) ? target : resolve(dir, target);
    }
  }
  return undefined;
}

function isBareRepo(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && isDir(join(dir, 'objects')) && isDir(join(dir, 'refs'));
}

function repoName(dir: string): string {
  return basename(dir).replace(/\.git$/, '') || dir;
}

/** The repo at exactly `dir`, if it is one. */
export function repoAt(dir: string): RepoTarget | undefined {
  const absolute = realpathSync(dir);
  const gitdir = worktreeGitdir(absolute);
  if (gitdir !== undefined) {
    return { key: `local:${absolute}`, name: repoName(absolute), source: absolute, kind: 'git-worktree', gitdir };
  }
  if (isBareRepo(absolute)) {
    return { key: `local:${absolute}`, name: repoName(absolute), source: absolute, kind: 'git-bare', gitdir: absolute };
  }
  return undefined;
}

function searchBelow(dir: string, depth: number, found: RepoTarget[]): void {
  if (depth > MAX_SEARCH_DEPTH) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable folders below the given PATH are not repos we were asked for
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    // Symlinked folders are never followed: they may point outside what was asked for.
    if (!entry.isDirectory() || NOT_SEARCHED.has(entry.name)) continue;
    const child = join(dir, entry.name);
    const repo = repoAt(child);
    if (repo) found.push(repo);
    else searchBelow(child, depth + 1, found);
  }
}

/** Resolves the PATHs a user gave into repos. Throws UsageError for a PATH that does not exist. */
export function discoverLocalRepos(paths: string[]): RepoTarget[] {
  const targets: RepoTarget[] = [];
  for (const given of paths) {
    if (!existsSync(given)) throw new UsageError(`${given}: no such file or folder; give a git repo or a folder of repos`);
    if (!isDir(given)) throw new UsageError(`${given}: is a file, not a folder; give a git repo or a folder of repos`);
    const repo = repoAt(given);
    if (repo) {
      targets.push(repo);
      continue;
    }
    const below: RepoTarget[] = [];
    searchBelow(realpathSync(given), 1, below);
    if (below.length > 0) targets.push(...below);
    else {
      const absolute = realpathSync(given);
      targets.push({ key: `local:${absolute}`, name: repoName(absolute), source: absolute, kind: 'folder' });
    }
  }
  // The same repo named twice (or found under two PATHs) is scanned once.
  const seen = new Set<string>();
  return targets.filter((t) => (seen.has(t.key) ? false : (seen.add(t.key), true)));
}
