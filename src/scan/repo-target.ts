/** What a hosting API says about a repo (kept in the database with the results). */
export interface RemoteRepoMetadata {
  id?: number;
  defaultBranch?: string;
  /** Size in KB, as the GitHub API reports it. */
  sizeKb?: number;
  pushedAt?: string | null;
  archived?: boolean;
  fork?: boolean;
  visibility?: string;
}

/** One repository to scan, however it was found. */
export interface RepoTarget {
  /** Stable identity across scans: `local:<absolute path>` for local repos, `host/owner/name` for remote ones. */
  key: string;
  /** As reported: owner/name, or the folder's name without .git for local repos. */
  name: string;
  /** Where it came from: a clone URL or a path. */
  source: string;
  kind: 'git-worktree' | 'git-bare' | 'folder' | 'git-remote';
  /** For local git repos: the git directory (objects, refs). */
  gitdir?: string;
  /** For remote repos: the URL to clone (http or https). */
  cloneUrl?: string;
  metadata?: RemoteRepoMetadata;
}

/** A repo a source listed but that is not scanned, and why (forks, archived). */
export interface SkippedRepo {
  key: string;
  name: string;
  source: string;
  reason: string;
  metadata?: RemoteRepoMetadata;
}

/** Identity of a remote repo from its clone URL: host/path without .git, lower-cased (GitHub names are case-insensitive). */
export function remoteKey(cloneUrl: string): string {
  const url = new URL(cloneUrl);
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  return `${url.host}${path}`.toLowerCase();
}
