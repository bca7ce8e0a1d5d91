import type { Key } from 'ink';
import { createContext, useContext, type MutableRefObject } from 'react';
import type { BrowserSource } from './browser-source.js';
import type { TerminalSize } from './use-terminal-size.js';
import type { View } from './views.js';

// What every screen may use: the data source, navigation, the status line and the
// one-line prompt, the terminal's size, and whether keys are theirs right now.

export interface Prompt {
  label: string;
  onSubmit: (value: string) => Promise<void> | void;
  /** Text already in the field (the current search, when editing it). */
  initial?: string;
}

export interface Browser {
  source: BrowserSource;
  size: TerminalSize;
  /** Lines a screen's body has: the terminal's rows less the title, rule, status and hint lines. */
  bodyRows: number;
  /** The current screen's key handler: the app hands it every key the prompt, help and global keys leave. */
  screenKeys: MutableRefObject<ScreenKeys | undefined>;
  open(view: View): void;
  /** Replaces the current screen's state (its selection, its filters). */
  update(view: View): void;
  back(): void;
  notify(message: string): void;
  ask(prompt: Prompt): void;
  prompt: (Prompt & { value: string }) | undefined;
  status: string;
}

export type ScreenKeys = (input: string, key: Key) => void;

export const BrowserContext = createContext<Browser | undefined>(undefined);

export function useBrowser(): Browser {
  const browser = useContext(BrowserContext);
  if (!browser) throw new Error('a browser screen was rendered outside BrowserApp');
  return browser;
}

/**
 * Makes `handler` the screen's key handler (the one from its latest render). Keys go
 * through the app, which hands a screen only what the prompt, help and global keys leave.
 */
export function useScreenKeys(handler: ScreenKeys): void {
  useBrowser().screenKeys.current = handler;
}
