import type { Writable } from 'node:stream';
import type { RepoResult, ScanReporter } from '../scan/events.js';
import type { SkippedRepo } from '../scan/repo-target.js';
import { printable, printablePath } from './printable.js';

// Plain progress for pipes and CI: one line per repo as it ends, on stderr, so
// stdout stays clean for --format json.

export class LineProgressReporter implements ScanReporter {
  private total = 0;
  private done = 0;
  constructor(private readonly out: Writable) {}

  onRepoSkipped(repo: SkippedRepo): void {
    this.out.write(`skipped ${printablePath(repo.name)}: ${printable(repo.reason)}\n`);
  }
  onRepoQueued(): void {
    this.total++;
  }
  onRepoFinished(result: RepoResult): void {
    this.line(result);
  }
  onRepoFailed(result: RepoResult): void {
    this.line(result);
  }
  private line(result: RepoResult): void {
    this.done++;
    const detail = result.verdict === 'error' ? ` (${printable(result.error ?? 'failed')})`
      : result.unchangedSince ? ' (unchanged since the last scan)'
      : result.findings.length > 0 ? ` (${result.findings.length} findings)` : '';
    this.out.write(`[${this.done}/${this.total}] ${result.verdict} ${printablePath(result.repo.name)}${detail}\n`);
  }
}
