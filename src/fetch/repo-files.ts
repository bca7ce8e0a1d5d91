/** What a reader yields for one path of a repo: its bytes, or why it was not read. */
export type RepoEntry =
  | { type: 'file'; path: string; bytes: Uint8Array }
  | { type: 'not-scanned'; path: string; reason: NotScannedReason };

export type NotScannedReason = 'symlink' | 'submodule' | 'too-large' | 'excluded-path';

/** A repo's content at one commit (null for a plain folder or an empty repo), read lazily. */
export interface RepoSnapshot {
  headCommit: string | null;
  /** Set when the repo has no commits at all. */
  empty?: boolean;
  entries(): AsyncIterable<RepoEntry>;
}

/** Files above this size are listed as not scanned rather than read (issue: bounded memory). */
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;
