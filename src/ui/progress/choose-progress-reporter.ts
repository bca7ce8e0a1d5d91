import { LineProgressReporter } from '../../report/line-progress-reporter.js';
import type { ScanReporter } from '../../scan/events.js';
import { FailureLineReporter } from './failure-line-reporter.js';

// Which progress a scan shows on stderr: the live view on a terminal; one plain
// line per repo for pipes, CI logs and --no-progress; only failures with --quiet.

export interface ProgressChoice {
  quiet: boolean;
  /** false with --no-progress. */
  progress: boolean;
  stream: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export type ProgressReporter = ScanReporter & { stop?(): void };

/** CI logs are files even when a pseudo-terminal is attached; Ink itself draws only the last frame there. */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const set = (name: string) => env[name] !== undefined && env[name] !== '0' && env[name] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

export async function chooseProgressReporter({ quiet, progress, stream, env = process.env }: ProgressChoice): Promise<ProgressReporter> {
  if (quiet) return new FailureLineReporter(stream);
  const live = progress && stream.isTTY === true && env.TERM !== 'dumb' && !inCi(env);
  if (!live) return new LineProgressReporter(stream);
  // Ink and React are loaded only when the live view is drawn: pipes and CI do not pay for them.
  const { InkProgressReporter } = await import('./ink-progress-reporter.js');
  return new InkProgressReporter(stream, { env });
}
