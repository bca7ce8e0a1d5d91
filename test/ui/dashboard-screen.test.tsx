import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { KEYS, type BrowserHarness } from './helpers/browser-harness.js';
import { browserSuite } from './helpers/browser-suite.js';

const suite = browserSuite();
let browser: BrowserHarness | undefined;

describe('dashboard screen', () => {
  it('shows verdict counts, findings by category and rule, and the last scans', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir() });
    const screen = await browser.until('LAST SCANS');
    expect(screen).toContain('keepopen · dashboard');
    expect(screen).toMatch(/5 repos\s+review-needed 2\s+error 1\s+keep-open 2/);
    expect(screen).toContain('5 findings, 5 open');
    expect(screen).toMatch(/credential\s+2\s+2/);
    expect(screen).toMatch(/private-key\s+1\s+1/);
    expect(screen).toMatch(/aws-access-key-id\s+1\s+1/);
    expect(screen).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d\s+5 repos\s+\d+:\d\d\s+keepopen scan /);
  });

  it('opens the repo list with Enter, or only one verdict with 1 2 3', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir() });
    await browser.until('LAST SCANS');
    await browser.press('2');
    expect(await browser.until(/› error\s+0\s+0\s+broken/)).toContain('repos · verdict=error');
    await browser.press(KEYS.escape);
    await browser.until('LAST SCANS');
    await browser.press(KEYS.enter);
    expect(await browser.until('5 repos, riskiest first')).toContain('repos · no filter');
  });
});
