import { describe, expect, it } from 'vitest';
import { dashboard } from '../../src/store/ui-queries.js';
import { tempDir } from '../helpers/temp-dir.js';
import { KEYS, type BrowserHarness } from './helpers/browser-harness.js';
import { browserSuite } from './helpers/browser-suite.js';

const suite = browserSuite();
let browser: BrowserHarness | undefined;

function repoView(name: string) {
  return { screen: 'repo' as const, key: `local:${suite.fixture().reposDir}/${name}`, selected: 0 };
}

async function decisions(b: BrowserHarness) {
  return b.store.db.all<{ status: string; note: string; who: string }>('SELECT status, note, who FROM triage_log ORDER BY id');
}

describe('repo screen', () => {
  it('shows the verdict, reasons, and each finding with path:line, rule, severity, redacted preview and triage state', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: repoView('records.git') });
    const screen = await browser.until('FINDINGS (2, 2 open)');
    expect(screen).toMatch(/^records\s+review-needed$/m);
    expect(screen).toContain('• 1 credential (password-in-ado-connection-string in config/appsettings.json:3)');
    expect(screen).toContain('• 1 private key (pem-private-key in config/server.key:2)');
    expect(screen).toMatch(/› config\/appsettings\.json:3\s+password-in-ado-\S*\s+high\s+Fk-\S*\*{6,}\S*\s+open/);
    expect(screen).toMatch(/ {2}config\/server\.key:2\s+pem-private-key\s+high\s+\S*\*{6,}\S*\s+open/);
    for (const value of suite.fixture().rawValues) expect(browser.everything()).not.toContain(value);
  });

  it('f marks the selected finding false-positive with a note: written at once, the repo and the counts follow', async () => {
    const db = suite.fixture().copyDb('false-positive');
    browser = await suite.open(db, { cwd: tempDir(), initial: repoView('billing-api') });
    await browser.until('FINDINGS (1, 1 open)');
    expect((await dashboard(browser.store.db)).verdicts).toEqual({ 'keep-open': 2, 'review-needed': 2, error: 1 });
    await browser.press('f');
    await browser.until('note for false-positive:');
    await browser.press(...'CI dummy'.split(''), KEYS.enter);
    await browser.until('billing-api is keep-open: deploy/ci.env:3 marked false-positive (1 repo result re-triaged)');
    await browser.until(/^billing-api\s+keep-open \(HEAD only\)$/m);
    expect(browser.frame()).toMatch(/› deploy\/ci\.env:3\s+aws-access-key-id\s+high\s+AKIA\S+\s+false-pos/);
    expect(browser.frame()).toContain('FINDINGS (1, 0 open)');
    expect(await decisions(browser)).toEqual([{ status: 'false-positive', note: 'CI dummy', who: 'tester' }]);
    expect((await dashboard(browser.store.db)).verdicts).toEqual({ 'keep-open': 3, 'review-needed': 1, error: 1 });
  });

  it('a marks accepted-risk, r revoked (still counts), o reopens; Esc in the note prompt decides nothing', async () => {
    const db = suite.fixture().copyDb('actions');
    browser = await suite.open(db, { cwd: tempDir(), initial: repoView('billing-api') });
    await browser.until('FINDINGS (1, 1 open)');
    await browser.press('a', KEYS.escape);
    await browser.until('cancelled');
    expect(await decisions(browser)).toEqual([]);

    await browser.press('a', ...'test account', KEYS.enter);
    await browser.until('billing-api is keep-open: deploy/ci.env:3 marked accepted-risk (1 repo result re-triaged)');
    await browser.until(/high\s+AKIA\S+\s+accepted\s*$/m);
    expect((await dashboard(browser.store.db)).verdicts['keep-open']).toBe(3);

    await browser.press('r', ...'rotated', KEYS.enter);
    await browser.until('billing-api is review-needed: deploy/ci.env:3 marked revoked (1 repo result re-triaged)');
    await browser.until(/^billing-api\s+review-needed$/m);
    expect((await dashboard(browser.store.db)).verdicts['review-needed']).toBe(2);

    await browser.press('o', KEYS.enter);
    await browser.until('billing-api is review-needed: deploy/ci.env:3 marked open (1 repo result re-triaged)');
    await browser.until(/high\s+AKIA\S+\s+open\s*$/m);
    await browser.press('o');
    await browser.until('deploy/ci.env:3 is already open');
    expect((await decisions(browser)).map((d) => [d.status, d.note])).toEqual([
      ['accepted-risk', 'test account'], ['revoked', 'rotated'], ['open', ''],
    ]);
  });

  it('moves between findings and opens the selected one with Enter', async () => {
    browser = await suite.open(suite.fixture().db, { cwd: tempDir(), initial: repoView('records.git') });
    await browser.until('FINDINGS (2, 2 open)  1/2');
    await browser.press('j');
    await browser.until('FINDINGS (2, 2 open)  2/2');
    await browser.press(KEYS.enter);
    expect(await browser.until('config/server.key:2:1  pem-private-key')).toContain('keepopen · finding · config/server.key:2');
  });
});
