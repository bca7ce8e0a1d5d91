import { render } from 'ink';
import type { ReactElement } from 'react';
import { ThemeContext, themeFor } from './theme.js';

// Runs an interactive Ink app on the terminal's alternate screen, as full-screen
// terminal programs do: the shell's scrollback is untouched, and whatever happens
// (q, Ctrl+C, an error) the terminal gets its normal screen and cursor back.

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';

export async function runFullScreen(element: ReactElement, out: NodeJS.WriteStream = process.stdout): Promise<void> {
  out.write(ENTER_ALTERNATE_SCREEN);
  const restore = () => out.write(LEAVE_ALTERNATE_SCREEN);
  process.once('exit', restore);
  try {
    const app = render(<ThemeContext.Provider value={themeFor()}>{element}</ThemeContext.Provider>, { stdout: out, exitOnCtrlC: true });
    await app.waitUntilExit();
  } finally {
    process.off('exit', restore);
    restore();
  }
}
