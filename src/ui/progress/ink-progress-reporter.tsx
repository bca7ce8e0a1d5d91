import { render, type Instance } from 'ink';
import type { RepoResult, ScanReporter } from '../../scan/events.js';
import type { RepoTarget } from '../../scan/repo-target.js';
import { ThemeContext, themeFor } from '../theme.js';
import { ProgressTracker } from './progress-tracker.js';
import { ProgressView } from './progress-view.js';

// The live progress view on a terminal (stderr, so stdout stays clean for the report).
// Events only update counters; a timer draws at most `1000 / intervalMs` times a
// second, and only when something changed (or once a second, for the clock), so a
// scan emitting thousands of events a second is never slowed by its own progress.

export interface InkProgressOptions {
  /** Milliseconds between draws (default 200: five a second at most). */
  intervalMs?: number;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
}

const CLOCK_MS = 1000;

export class InkProgressReporter implements ScanReporter {
  private readonly tracker: ProgressTracker;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly env: NodeJS.ProcessEnv;
  private instance: Instance | undefined;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private lastDraw = 0;
  /** How many times the view was drawn: the throttle's measure. */
  framesDrawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    options: InkProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 200;
    this.env = options.env ?? process.env;
    this.tracker = new ProgressTracker(this.now);
  }

  onScanStart(): void {
    this.tracker.onScanStart();
    this.instance = render(this.element(), {
      stdout: this.out,
      stderr: this.out,
      // The scan owns the terminal's input (Ctrl+C stops it as usual); the view only draws.
      exitOnCtrlC: false,
      patchConsole: false,
    });
    this.framesDrawn++;
    this.lastDraw = this.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }
  onRepoSkipped(): void {
    this.tracker.onRepoSkipped();
    this.dirty = true;
  }
  onRepoQueued(): void {
    this.tracker.onRepoQueued();
    this.dirty = true;
  }
  onRepoStarted(repo: RepoTarget): void {
    this.tracker.onRepoStarted(repo);
    this.dirty = true;
  }
  onFinding(): void {
    this.tracker.onFinding();
    this.dirty = true;
  }
  onRepoFinished(result: RepoResult): void {
    this.tracker.onRepoFinished(result);
    this.dirty = true;
  }
  onRepoFailed(result: RepoResult): void {
    this.tracker.onRepoFailed(result);
    this.dirty = true;
  }
  async onScanEnd(): Promise<void> {
    this.tracker.onScanEnd();
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.instance) return;
    this.draw(); // the final figures, left on the terminal above the report
    const instance = this.instance;
    this.instance = undefined;
    instance.unmount();
    await instance.waitUntilExit();
  }

  /** Stops drawing without a final frame (the scan failed before its end). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.instance?.unmount();
    this.instance = undefined;
  }

  private tick(): void {
    if (this.dirty || this.now() - this.lastDraw >= CLOCK_MS) this.draw();
  }

  private draw(): void {
    this.dirty = false;
    this.lastDraw = this.now();
    this.framesDrawn++;
    this.instance?.rerender(this.element());
  }

  private element() {
    return (
      <ThemeContext.Provider value={themeFor(this.env)}>
        <ProgressView snapshot={this.tracker.snapshot()} columns={this.out.columns || 80} now={this.now()} />
      </ThemeContext.Provider>
    );
  }
}
