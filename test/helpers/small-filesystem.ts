import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real, small file system for store faults: a tmpfs of a given size (so writes hit
// ENOSPC for real) that can be remounted read-only (which even root cannot write to).
// Needs the right to mount (root with CAP_SYS_ADMIN, as on the CI machines); where
// that is missing, `mountSmallFilesystem` returns undefined and says why.

export interface SmallFilesystem {
  dir: string;
  /** Remounts with a new size (e.g. '64m') and/or read-only. */
  remount(options: { sizeKb?: number; readOnly?: boolean }): void;
  unmount(): void;
}

export function mountSmallFilesystem(sizeKb: number): SmallFilesystem | { unavailable: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keepopen-smallfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]})` };
  }
  return {
    dir,
    remount({ sizeKb: size, readOnly }) {
      const opts = ['remount', ...(size !== undefined ? [`size=${size}k`] : []), readOnly === undefined ? [] : [readOnly ? 'ro' : 'rw']].flat();
      execFileSync('mount', ['-o', opts.join(','), dir], { stdio: 'pipe' });
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
