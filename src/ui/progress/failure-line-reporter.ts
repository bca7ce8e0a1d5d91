import type { Writable } from 'node:stream';
import type { RepoResult, ScanReporter } from '../../scan/events.js';
import { printable, printablePath } from '../../report/printable.js';

// What --quiet still says while a scan runs: only the repos whose scan failed, one
// line each, as they fail (the report at the end has them too).

export class FailureLineReporter implements ScanReporter {
  constructor(private readonly out: Writable) {}

  onRepoFailed(result: RepoResult): void {
    this.out.write(`keepopen: error ${printablePath(result.repo.name)}: ${printable(result.error ?? result.reasons[0] ?? 'scan failed')}\n`);
  }
}
