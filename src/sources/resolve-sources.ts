import { readFileSync } from 'node:fs';
import type { RepoTarget, SkippedRepo } from '../scan/repo-target.js';
import { UsageError } from '../usage-error.js';
import { listOrgRepos, SourceError, type GitHubSourceOptions } from './github-org.js';
import { discoverLocalRepos } from './local-paths.js';
import { parseRepoList } from './repo-list.js';

// All the places a scan's repos come from, combined: local PATHs, --org, --repos.
// A source that fails is one problem line; the others go on.

export interface SourceRequest {
  paths: string[];
  orgs: string[];
  repoLists: string[];
  github: GitHubSourceOptions;
  /** GITHUB_SERVER_URL, for owner/name lines in repo lists. */
  serverUrl: string;
}

export interface ResolvedSources {
  targets: RepoTarget[];
  skipped: SkippedRepo[];
  /** One line each: what went wrong with a source, and what to do. */
  problems: string[];
}

export async function resolveSources(request: SourceRequest): Promise<ResolvedSources> {
  const targets: RepoTarget[] = [];
  const skipped: SkippedRepo[] = [];
  const problems: string[] = [];
  // Local paths that do not exist are usage errors: the user typed them.
  targets.push(...discoverLocalRepos(request.paths));
  for (const file of request.repoLists) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read repo list ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give a file with one owner/name or clone URL a line`);
    }
    const list = parseRepoList(text, file, request.serverUrl);
    targets.push(...list.targets);
    problems.push(...list.problems);
  }
  for (const org of request.orgs) {
    try {
      const listed = await listOrgRepos(org, request.github);
      targets.push(...listed.targets);
      skipped.push(...listed.skipped);
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      problems.push(error.message);
    }
  }
  const seen = new Set<string>();
  return { targets: targets.filter((t) => (seen.has(t.key) ? false : (seen.add(t.key), true))), skipped, problems };
}
