import { existsSync } from 'node:fs';
import type { RepoTarget } from '../../scan/repo-target.js';
import { repoAt } from '../../sources/local-paths.js';
import { ScanStore } from '../../store/scan-store.js';
import { UsageError } from '../../usage-error.js';
import { runAndReport, type RunOptions } from './scan-command.js';

// `keepopen recheck REPO...`: scan repos already in the database again and say,
// against their last scan, what was fixed, what is still there, what moved and
// what is new. Repos whose HEAD has not moved are not fetched (unless --force).

export interface RecheckOptions extends RunOptions {
  all: boolean;
}

type KnownRepo = { key: string; name: string; source: string; clone_url: string | null };

function targetOf(repo: KnownRepo): RepoTarget | string {
  if (repo.key.startsWith('local:')) {
    const path = repo.key.slice('local:'.length);
    if (!existsSync(path)) return `${repo.name}: ${path} no longer exists`;
    return repoAt(path) ?? { key: repo.key, name: repo.name, source: path, kind: 'folder' };
  }
  if (!repo.clone_url) return `${repo.name}: no clone URL recorded`;
  return { key: repo.key, name: repo.name, source: repo.clone_url, kind: 'git-remote', cloneUrl: repo.clone_url };
}

export async function recheckCommand(queries: string[], options: RecheckOptions, command: string): Promise<number> {
  if (queries.length === 0 && !options.all) throw new UsageError('give the repos to recheck (owner/name, folder name, path or clone URL), or --all');
  if (!existsSync(options.db)) throw new UsageError(`${options.db} does not exist: run keepopen scan first, or give --db`);
  const store = await ScanStore.open(options.db);
  let known: KnownRepo[];
  const problems: string[] = [];
  try {
    if (options.all) known = await store.allRepos();
    else {
      known = [];
      for (const query of queries) {
        const found = await store.findRepos(query);
        if (found.length === 0) problems.push(`${query} is not in ${options.db}: scan it first with keepopen scan`);
        known.push(...found);
      }
    }
  } finally {
    await store.close();
  }
  const targets: RepoTarget[] = [];
  const seen = new Set<string>();
  for (const repo of known) {
    if (seen.has(repo.key)) continue;
    seen.add(repo.key);
    const target = targetOf(repo);
    if (typeof target === 'string') problems.push(target);
    else targets.push(target);
  }
  if (targets.length === 0) throw new UsageError(problems.length > 0 ? problems.join('\nkeepopen: ') : `no repos in ${options.db} to recheck`);
  for (const problem of problems) process.stderr.write(`keepopen: ${problem}\n`);
  return runAndReport(targets, [], options, command);
}
