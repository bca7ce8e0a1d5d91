import { afterAll, afterEach, beforeAll } from 'vitest';
import { openBrowser, type BrowserHarness } from './browser-harness.js';
import { buildScannedDatabase, type ScannedDatabase } from './scanned-database.js';

/**
 * The lifecycle every browser screen test shares: one scanned database per test
 * file (built once, removed at the end), and every browser a test opens closed
 * after that test.
 */
export function browserSuite(): { fixture: () => ScannedDatabase; open: typeof openBrowser } {
  let fixture: ScannedDatabase | undefined;
  const opened: BrowserHarness[] = [];
  beforeAll(() => {
    fixture = buildScannedDatabase();
  }, 60_000);
  afterAll(() => fixture?.remove());
  afterEach(async () => {
    for (const browser of opened.splice(0)) await browser.close();
  });
  return {
    fixture: () => fixture!,
    open: async (...args) => {
      const browser = await openBrowser(...args);
      // A test may close a browser itself; closing twice would close the store twice.
      let closed: Promise<void> | undefined;
      const close = browser.close.bind(browser);
      browser.close = () => (closed ??= close());
      opened.push(browser);
      return browser;
    },
  };
}
