/** One repository to scan, however it was found. */
export interface RepoTarget {
  /** Stable identity across scans: `local:<absolute path>` for local repos, `host/owner/name` for remote ones. */
  key: string;
  /** As reported: owner/name, or the folder's name without .git for local repos. */
  name: string;
  /** Where it came from: a clone URL or a path. */
  source: string;
  kind: 'git-worktree' | 'git-bare' | 'folder';
  /** For git repos: the git directory (objects, refs). */
  gitdir?: string;
}
