import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.js';

// A real terminal for end-to-end tests: a detached tmux session of a given size,
// on a tmux server of its own (its own socket, in a temporary folder removed on
// close), so a person's tmux is never touched.
// Keys go in with send-keys; the screen comes back with capture-pane.

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export class TmuxTerminal {
  private readonly dir = mkdtempSync(join(tmpdir(), 'keepopen-tmux-'));
  private readonly socket = join(this.dir, 'socket');

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /**
   * Runs `command` (a shell command line) in a new session. CI is unset in it: Ink
   * draws only its last frame when it believes it is in CI, and this is a terminal.
   * After the command ends, the pane stays, showing how it exited.
   */
  start(command: string, options: { cwd: string; columns?: number; rows?: number; env?: Record<string, string> }): void {
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    const line = `env -u CI -u CONTINUOUS_INTEGRATION TERM=xterm-256color ${env} ${command}; echo "[exited $?]"; sleep 60`;
    this.tmux('new-session', '-d', '-s', 'main', '-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24), '-c', options.cwd, line);
  }

  /** The screen as text (trailing blanks trimmed). With `escapes`, colours and attributes too. */
  screen(escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main').replace(/\s+$/, '');
  }

  /** Sends keys by tmux name (Enter, Escape, Down, j) one at a time, as a person types. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await this.send(key);
  }

  /** Types text literally, a character at a time. */
  async type(text: string): Promise<void> {
    for (const char of text) await this.send('-l', char);
  }

  private async send(...args: string[]): Promise<void> {
    this.tmux('send-keys', '-t', 'main', ...args);
    await new Promise((resolve) => setTimeout(resolve, 60));
  }

  async until(check: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const matches = () => (typeof check === 'string' ? this.screen().includes(check) : check.test(this.screen()));
    await waitFor(matches, () => this.screen(), timeoutMs);
    return this.screen();
  }

  close(): void {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
