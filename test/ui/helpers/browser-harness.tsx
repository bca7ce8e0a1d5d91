import { render } from 'ink-testing-library';
import { ScanStore } from '../../../src/store/scan-store.js';
import { DEFAULT_POLICY } from '../../../src/triage/verdict.js';
import { BrowserApp } from '../../../src/ui/browser/browser-app.js';
import { storeBrowserSource, type BrowserSource } from '../../../src/ui/browser/browser-source.js';
import type { View } from '../../../src/ui/browser/views.js';
import { waitFor } from './wait-for.js';

// The browser over a real database, in ink-testing-library's terminal: keys in,
// frames out. Nothing is stubbed: the screens read and write the SQLite file.

export const KEYS = { enter: '\r', escape: '\u001B', down: '\u001B[B', up: '\u001B[A', pageDown: '\u001B[6~', backspace: '\u007F' } as const;

export interface BrowserHarness {
  store: ScanStore;
  source: BrowserSource;
  frame(): string;
  /** Waits until the screen shows `text` (a string or a pattern). */
  until(text: string | RegExp): Promise<string>;
  /** Sends keys one at a time, as a person types them. */
  press(...keys: string[]): Promise<void>;
  /** Sends keys in one write, as a terminal delivers keys typed faster than the app reads them. */
  burst(keys: string): Promise<void>;
  /** Every frame drawn so far, joined: for checks that nothing ever showed a value. */
  everything(): string;
  /** How many listeners read the terminal: 0 once the app has quit. */
  stdinListeners(): number;
  close(): Promise<void>;
}

export async function openBrowser(db: string, options: { cwd: string; cacheDir?: string; initial?: View; reveal?: boolean }): Promise<BrowserHarness> {
  const store = await ScanStore.open(db);
  const source = storeBrowserSource(store.db, {
    policy: DEFAULT_POLICY, who: 'tester', cwd: options.cwd, cacheDir: options.cacheDir ?? options.cwd, ...(options.reveal ? { reveal: true } : {}),
  });
  const ui = render(<BrowserApp source={source} {...(options.initial ? { initial: options.initial } : {})} />);
  const frame = () => ui.lastFrame() ?? '';
  return {
    store,
    source,
    frame,
    async until(text) {
      const matches = () => (typeof text === 'string' ? frame().includes(text) : text.test(frame()));
      await waitFor(matches, frame);
      return frame();
    },
    async press(...keys) {
      for (const key of keys) {
        ui.stdin.write(key);
        // Ink reads a lone Escape after a tick (it may start a sequence); let each key land.
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    },
    async burst(keys) {
      ui.stdin.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 30));
    },
    everything: () => ui.frames.join('\n'),
    stdinListeners: () => ui.stdin.listenerCount('readable'),
    async close() {
      ui.unmount();
      await store.close();
    },
  };
}
