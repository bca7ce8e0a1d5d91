import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_HELP } from '../../src/ui/browser/key-help.js';
import { tempDir } from '../helpers/temp-dir.js';
import { KEYS, type BrowserHarness } from './helpers/browser-harness.js';
import { browserSuite } from './helpers/browser-suite.js';

// The keys that work on every screen: ? (help), e (export), Esc (back), q (quit).

const suite = browserSuite();
let browser: BrowserHarness | undefined;

describe('browser app', () => {
  it('? shows every key, by screen, and ? or Esc goes back to where you were', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: { screen: 'repos', filter: {}, selected: 1 } });
    await browser.until('5 repos');
    await browser.press('?');
    const help = await browser.until('keepopen · keys');
    for (const group of KEY_HELP) {
      expect(help).toContain(group.where);
      for (const [key, what] of group.keys) expect(help).toContain(`${key.padEnd(9)}${what}`);
    }
    await browser.press('j'); // keys other than ?, Esc and q do nothing under the help
    await browser.press(KEYS.escape);
    await browser.until(/› review-needed\s+1\s+100\s+billing-api/);
    await browser.press('?');
    await browser.until('keepopen · keys');
    await browser.press('?');
    await browser.until(/› review-needed\s+1\s+100\s+billing-api/);
  });

  it('e writes the keep-open shortlist to the working folder and says where', async () => {
    const cwd = tempDir();
    browser = await suite.open(suite.fixture().db, { cwd });
    await browser.until('LAST SCANS');
    await browser.press('e');
    const file = join(cwd, 'keepopen-shortlist.md');
    const screen = await browser.until('wrote the keep-open shortlist');
    expect(screen).toContain(`wrote the keep-open shortlist (2 repos) to ${file}`);
    expect(existsSync(file)).toBe(true);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toMatch(/^# Keep-open shortlist\n\n2 repositories \(2 keep-open\)/);
    expect(markdown).toContain('| network-docs | keep-open (HEAD only) |');
    expect(markdown).toContain('| portal | keep-open (HEAD only) |');
    expect(markdown).not.toContain('billing-api');
  });

  it('handles a burst of keys (typed faster than read) key by key: moves, opens, decides with a note', async () => {
    const db = suite.fixture().copyDb('burst');
    browser = await suite.open(db, { cwd: tempDir(), initial: { screen: 'repos', filter: {}, selected: 0 } });
    await browser.until('5 repos');
    await browser.burst('j\r');
    await browser.until('FINDINGS (1, 1 open)');
    expect(browser.frame()).toContain('keepopen · repo · billing-api');
    await browser.burst('fburst note\r');
    await browser.until('billing-api is keep-open: deploy/ci.env:3 marked false-positive');
    expect(await browser.store.db.all('SELECT status, note FROM triage_log')).toEqual([{ status: 'false-positive', note: 'burst note' }]);
    await browser.burst(KEYS.escape);
    await browser.until('5 repos');
    // billing-api is keep-open now, so it moved down: from the top, one down is broken (error).
    await browser.burst('gj\r');
    await browser.until(/^broken\s+error$/m);
  });

  it('q quits from any screen (the app unmounts), but not while typing a note', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: { screen: 'repo', key: `local:${suite.fixture().reposDir}/billing-api`, selected: 0 } });
    await browser.until('FINDINGS (1, 1 open)');
    await browser.press('f', 'q');
    await browser.until('note for false-positive: q');
    await browser.press(KEYS.escape);
    await browser.until('cancelled');
    await browser.press('q');
    // Ink unmounted the app: it no longer reads the terminal, and keys draw nothing more.
    const frames = browser.everything().length;
    await browser.press('j', '?');
    expect(browser.everything().length).toBe(frames);
    expect(browser.stdinListeners()).toBe(0);
  });
});
