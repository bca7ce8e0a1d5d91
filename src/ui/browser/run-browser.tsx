import { runFullScreen } from '../full-screen.js';
import { BrowserApp } from './browser-app.js';
import type { BrowserSource } from './browser-source.js';
import { NoDataScreen } from './no-data-screen.js';

// The two ways `keepopen ui` starts: the browser over a database with results, or
// the screen that says there is nothing to browse yet and how to get something.

export function runBrowser(source: BrowserSource): Promise<void> {
  return runFullScreen(<BrowserApp source={source} />);
}

export function runNoData(db: string, reason: 'missing' | 'empty'): Promise<void> {
  return runFullScreen(<NoDataScreen db={db} reason={reason} />);
}
