import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeSecrets, makeRepo } from '../../fixtures/build-fixture-repos.mjs';
import { ScanStore } from '../../src/store/scan-store.js';
import { repoDetail } from '../../src/store/ui-queries.js';
import { startGitServer } from '../helpers/git-http-server.js';
import { runCliAsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { KEYS, type BrowserHarness } from './helpers/browser-harness.js';
import { browserSuite } from './helpers/browser-suite.js';

const suite = browserSuite();
let browser: BrowserHarness | undefined;

/** The finding view of the first finding at `path` in a repo of the suite.fixture(). */
async function findingView(db: string, repo: string, path: string, reveal = false) {
  const key = `local:${suite.fixture().reposDir}/${repo}`;
  const store = await ScanStore.open(db);
  const found = (await repoDetail(store.db, key))!.findings.find((f) => f.path === path)!;
  await store.close();
  browser = await suite.open(db, { cwd: tempDir(), reveal, initial: { screen: 'finding', key, fingerprint: found.fingerprint, path: found.path, line: found.line, column: found.column } });
  return found;
}

describe('finding screen', () => {
  it('shows what and where, the triage state, and the lines around it read from the repo at the scanned commit, redacted', async () => {
    const finding = await findingView(suite.fixture().db, 'billing-api', 'deploy/ci.env');
    const screen = await browser!.until('secrets masked');
    expect(screen).toContain('deploy/ci.env:3:19  aws-access-key-id');
    expect(screen).toContain(`preview ${finding.redacted}  ·  fingerprint ${finding.fingerprint}`);
    expect(screen).toMatch(/^triage open$/m);
    expect(screen).toMatch(/secrets masked · from deploy\/ci\.env at [0-9a-f]{12} \(.*billing-api\)/);
    expect(screen).toContain('  1 │ # CI settings for billing-api');
    expect(screen).toContain('  2 │ REGION=eu-west-2');
    expect(screen).toContain(`> 3 │ AWS_ACCESS_KEY_ID=${finding.redacted}`);
    expect(screen).toContain('  4 │ DEPLOY_ENV=staging');
    for (const value of suite.fixture().rawValues) expect(browser!.everything()).not.toContain(value);
  });

  it('with --reveal (and only then) shows the value itself, under a plain warning', async () => {
    const finding = await findingView(suite.fixture().db, 'billing-api', 'deploy/ci.env', true);
    const screen = await browser!.until('SECRETS SHOWN');
    expect(screen).toMatch(/SECRETS SHOWN \(--reveal\) · from deploy\/ci\.env at [0-9a-f]{12}/);
    const line = screen.split('\n').find((l) => l.startsWith('> 3 │ AWS_ACCESS_KEY_ID='))!;
    const value = line.slice('> 3 │ AWS_ACCESS_KEY_ID='.length).trim();
    expect(suite.fixture().rawValues).toContain(value);
    expect(value).not.toBe(finding.redacted);
    expect(screen).not.toContain('secrets masked');
  });

  it('masks every line of a private key, and brings a value far to the right onto the screen', async () => {
    await findingView(suite.fixture().db, 'records.git', 'config/server.key');
    const key = await browser!.until('secrets masked');
    expect(key).toContain('  1 │ -----BEGIN RSA PRIVATE KEY-----');
    expect(key).toMatch(/> 2 │ \S{4}\*{16}\S{4}$/m);
    expect(key).toMatch(/ {2}3 │ \*{16}$/m);
    await browser!.close();

    const password = await findingView(suite.fixture().db, 'records.git', 'config/appsettings.json');
    const screen = await browser!.until('secrets masked');
    // The line is longer than the screen: its middle is elided so the label and the masked value show.
    const star = (text: string) => text.replace(/\*/g, '\\*');
    expect(screen).toMatch(new RegExp(`> 3 │ {5}"Records": "Server=records-db[^…\\n]*…[^…\\n]*;Password=${star(password.redacted)}"$`, 'm'));
    expect(screen).toContain('  2 │   "ConnectionStrings": {');
    for (const value of suite.fixture().rawValues) expect(browser!.everything()).not.toContain(value);
  });

  it('triages from here too: f, a note, and the triage line shows who decided and why', async () => {
    const db = suite.fixture().copyDb('finding-triage');
    await findingView(db, 'billing-api', 'deploy/ci.env');
    await browser!.until('secrets masked');
    await browser!.press('f', ...'placeholder key', KEYS.enter);
    const screen = await browser!.until(/^triage false-positive by tester \d{4}-\d\d-\d\d \d\d:\d\d: "placeholder key"$/m);
    expect(screen).toContain('in billing-api (keep-open)');
    expect(screen).toContain('billing-api is keep-open: deploy/ci.env:3 marked false-positive');
  });

  it('reads a remote repo from the clone cache when kept (--keep-clones), and says how to get context when not', async () => {
    const root = tempDir();
    const aws = fakeSecrets(31)['aws-access-key-id'];
    makeRepo(join(root, 'served', 'acme', 'billing.git'), [{ files: { 'ci.env': `# ci\nAWS_ACCESS_KEY_ID=${aws}\n` } }], { bare: true });
    const server = await startGitServer(join(root, 'served'));
    try {
      const list = join(root, 'repos.txt');
      writeFileSync(list, `${server.url}/acme/billing.git\n`);
      const kept = join(root, 'kept.db');
      const scan = await runCliAsync(['scan', '--repos', list, '--db', kept, '--cache-dir', join(root, 'cache'), '--keep-clones', '--quiet']);
      expect(scan.status).toBe(0);
      const notKept = join(root, 'not-kept.db');
      expect((await runCliAsync(['scan', '--repos', list, '--db', notKept, '--cache-dir', join(root, 'cache2'), '--quiet'])).status).toBe(0);
      const key = new URL(server.url).host + '/acme/billing';

      browser = await suite.open(kept, { cwd: root, cacheDir: join(root, 'cache'), initial: { screen: 'repo', key, selected: 0 } });
      await browser.until('FINDINGS (1, 1 open)');
      await browser.press(KEYS.enter);
      const screen = await browser.until('secrets masked');
      expect(screen).toMatch(/secrets masked · from ci\.env at [0-9a-f]{12} \(the clone cache\)/);
      expect(screen).toMatch(/> 2 │ AWS_ACCESS_KEY_ID=AKIA\*+\w{4}$/m);
      expect(browser.everything()).not.toContain(aws);
      await browser.close();

      browser = await suite.open(notKept, { cwd: root, cacheDir: join(root, 'cache2'), initial: { screen: 'repo', key, selected: 0 } });
      await browser.until('FINDINGS (1, 1 open)');
      await browser.press(KEYS.enter);
      const unavailable = (await browser.until('No context:')).replace(/\s+/g, ' ');
      expect(unavailable).toContain(`No context: no clone of this repo in ${join(root, 'cache2')}: scan with --keep-clones to keep one for context.`);
    } finally {
      await server.close();
    }
  }, 60_000);
  it('shows escape sequences and bidi controls from a file name or its text escaped, never sent to the terminal', async () => {
    const root = tempDir();
    const aws = fakeSecrets(37)['aws-access-key-id'];
    // A title-setting escape (OSC) in the text, an escape and a right-to-left override in the name.
    const name = 'deploy/\u001b[2Jci\u202eenv.txt';
    makeRepo(join(root, 'repos', 'odd'), [{ files: { [name]: `# \u001b]0;owned\u0007 ci\nAWS_ACCESS_KEY_ID=${aws}\n` } }]);
    const db = join(root, 'k.db');
    expect((await runCliAsync(['scan', join(root, 'repos'), '--db', db, '--quiet'])).status).toBe(0);
    const key = `local:${join(root, 'repos', 'odd')}`;
    const store = await ScanStore.open(db);
    const found = (await repoDetail(store.db, key))!.findings[0]!;
    await store.close();
    expect(found.path).toBe(name); // the stored path is the exact name
    browser = await suite.open(db, { cwd: root, initial: { screen: 'finding', key, fingerprint: found.fingerprint, path: found.path, line: found.line, column: found.column } });
    const screen = await browser.until('secrets masked');
    expect(screen).toContain('"deploy/\\x1b[2Jci\\u202eenv.txt":2:');
    expect(screen).toContain('  1 │ # \\x1b]0;owned\\x07 ci');
    const everything = browser.everything();
    for (const raw of ['\u001b]0;', '\u001b[2J', '\u202e', '\u0007']) expect(everything).not.toContain(raw);
    await browser.close();

    browser = await suite.open(db, { cwd: root, initial: { screen: 'repo', key, selected: 0 } });
    const repoScreen = await browser.until('FINDINGS (1, 1 open)');
    expect(repoScreen).toContain('deploy/\\x1b[2Jci\\u202eenv.txt:2');
    for (const raw of ['\u001b[2J', '\u202e']) expect(browser.everything()).not.toContain(raw);
  }, 60_000);
});
