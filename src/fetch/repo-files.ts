/** What a reader yields for one path of a repo: its bytes, or why it was not read. */
export type RepoEntry =
  | { type: 'file'; path: string; bytes: Uint8Array }
  | { type: 'not-scanned'; path: string; reason: NotScannedReason };

/**
 * Why a path was not read: a link (never followed), a submodule (another repo, never
 * fetched), too large, excluded by policy, or a Git LFS pointer (the real content lives
 * on an LFS server, not in the repo; what it holds was not scanned).
 */
export type NotScannedReason = 'symlink' | 'submodule' | 'too-large' | 'excluded-path' | 'lfs-pointer';

/** A repo's content at one commit (null for a plain folder or an empty repo), read lazily. */
export interface RepoSnapshot {
  headCommit: string | null;
  /** Set when the repo has no commits at all. */
  empty?: boolean;
  entries(): AsyncIterable<RepoEntry>;
}

/** Files above this size are listed as not scanned rather than read (issue: bounded memory). */
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;

const LFS_POINTER_START = Buffer.from('version https://git-lfs.github.com/spec/v1');
/** Git LFS pointers are small text files with a fixed first line (the spec allows up to 1024 bytes). */
export function isLfsPointer(bytes: Uint8Array): boolean {
  return bytes.length <= 1024 && Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, LFS_POINTER_START.length)).equals(LFS_POINTER_START);
}
