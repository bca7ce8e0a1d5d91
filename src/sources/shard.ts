import { createHash } from 'node:crypto';
import { UsageError } from '../usage-error.js';

// `--shard I/N`: a deterministic part of the repo list, so N machines can each scan
// one part into their own database (merged afterwards with `keepopen merge`). A repo
// belongs to a shard by a hash of its identity, not its position, so every worker
// agrees without talking to the others, even when their listings come back in a
// different order or one of them sees a repo the others missed.

export interface Shard {
  /** 1-based, as in Vitest's and Playwright's --shard. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${text} is not I/N with 1 <= I <= N (e.g. --shard 2/4; in a Kubernetes Indexed Job use $((JOB_COMPLETION_INDEX + 1))/N)`);
  }
  return { index, count };
}

/** Which shard (1-based) a repo belongs to, of `count`. */
export function shardOf(repoKey: string, count: number): number {
  const digest = createHash('sha256').update(repoKey).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

export function inShard(repoKey: string, shard: Shard): boolean {
  return shardOf(repoKey, shard.count) === shard.index;
}
