import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScanStore } from '../../src/store/scan-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { KEYS, type BrowserHarness } from './helpers/browser-harness.js';
import { browserSuite } from './helpers/browser-suite.js';

const suite = browserSuite();
let browser: BrowserHarness | undefined;

/** The repo names in list order, as drawn. */
function listed(screen: string): string[] {
  return screen.split('\n').flatMap((line) => {
    const match = /^[› ] (review-needed|error|keep-open)\s+\d+\s+\d+\s+(\S+)/.exec(line);
    return match ? [match[2]!] : [];
  });
}

const allRepos = { screen: 'repos', filter: {}, selected: 0 } as const;

describe('repo list screen', () => {
  it('lists every repo riskiest first and moves the selection with arrows and j/k', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: allRepos });
    const screen = await browser.until('5 repos, riskiest first');
    expect(listed(screen)).toEqual(['records', 'billing-api', 'broken', 'network-docs', 'portal']);
    expect(screen).toMatch(/› review-needed\s+2\s+200\s+records/);
    await browser.press('j', KEYS.down);
    expect(await browser.until(/› error\s+0\s+0\s+broken/)).toContain('  review-needed      1    100   billing-api');
    await browser.press('k');
    await browser.until(/› review-needed\s+1\s+100\s+billing-api/);
    await browser.press('G');
    await browser.until(/› keep-open\s+0\s+0\s+portal/);
    await browser.press('g');
    await browser.until(/› review-needed\s+2\s+200\s+records/);
  });

  it('cycles the verdict, category and rule filters, and x clears them', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: allRepos });
    await browser.until('5 repos');
    const filtered = (title: string, summary: string) => browser!.until(new RegExp(`repos · ${title}[^]*\\n${summary}`));
    await browser.press('v');
    expect(listed(await filtered('verdict=review-needed', '2 repos'))).toEqual(['records', 'billing-api']);
    await browser.press('v');
    expect(listed(await filtered('verdict=error', '1 repo,'))).toEqual(['broken']);
    await browser.press('v');
    expect(listed(await filtered('verdict=keep-open', '2 repos'))).toEqual(['network-docs', 'portal']);
    await browser.press('c');
    expect(listed(await filtered('verdict=keep-open category=credential', 'no repo matches: x clears the filters'))).toEqual([]);
    await browser.press('x', 'r');
    expect(listed(await filtered('rule=aws-access-key-id', '1 repo,'))).toEqual(['billing-api']);
    await browser.press('x');
    await filtered('no filter', '5 repos');
    await browser.press('o');
    expect(listed(await filtered('owner=\\(local\\)', '5 repos'))).toHaveLength(5);
  });

  it('searches names, paths and rules with /, and Esc in the prompt cancels', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: allRepos });
    await browser.until('5 repos');
    await browser.press('/', 'c', 'i', '.', 'e', 'n', 'v');
    expect(await browser.until('search: ci.env')).toContain('Enter save  Esc cancel');
    await browser.press(KEYS.enter);
    expect(listed(await browser.until(/repos · "ci\.env"[^]*\n1 repo,/))).toEqual(['billing-api']);
    // q typed into the prompt is text, not quit.
    await browser.press('/', KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, 'q');
    await browser.until('search: q');
    await browser.press(KEYS.escape);
    expect(await browser.until('cancelled')).toContain('repos · "ci.env"');
  });

  it('pages through a list longer than the screen', async () => {
    // 40 repos recorded through the store: the test terminal has 24 rows, so a page is 17 repos.
    const db = join(tempDir(), 'many.db');
    const store = await ScanStore.open(db);
    await store.startScan({ id: 's1', startedAt: '2026-01-01T00:00:00Z', command: 'keepopen scan --org acme' });
    for (let i = 1; i <= 40; i++) {
      const name = `acme/svc-${String(i).padStart(2, '0')}`;
      await store.recordRepoScan('s1', { key: `github.com/${name}`, name, source: `https://github.com/${name}.git` }, {
        headCommit: 'c'.repeat(40), verdict: 'keep-open', reasons: [], historyScanned: false, filesScanned: 1, bytesScanned: 1, durationMs: 1, findings: [], notScanned: [],
      });
    }
    await store.close();
    browser = await suite.open(db, { cwd: tempDir(), initial: allRepos });
    expect(await browser.until('40 repos, riskiest first · 1–17 · page 1 of 3')).toMatch(/› keep-open\s+0\s+0\s+acme\/svc-01/);
    await browser.press(KEYS.pageDown);
    expect(await browser.until('18–34 · page 2 of 3')).toMatch(/› keep-open\s+0\s+0\s+acme\/svc-18/);
    await browser.press(']');
    expect(await browser.until('35–40 · page 3 of 3')).toMatch(/› keep-open\s+0\s+0\s+acme\/svc-35/);
    await browser.press(KEYS.up);
    expect(await browser.until('18–34 · page 2 of 3')).toMatch(/› keep-open\s+0\s+0\s+acme\/svc-34/);
    await browser.press('o');
    await browser.until('owner=acme');
  });

  it('opens the selected repo with Enter and comes back with Esc to the same place', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: allRepos });
    await browser.until('5 repos');
    await browser.press('j', KEYS.enter);
    expect(await browser.until('FINDINGS (1, 1 open)')).toContain('keepopen · repo · billing-api');
    await browser.press(KEYS.escape);
    await browser.until(/› review-needed\s+1\s+100\s+billing-api/);
  });
});
