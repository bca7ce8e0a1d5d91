import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildScannedDatabase, type ScannedDatabase } from './helpers/scanned-database.js';
import { TmuxTerminal, tmuxAvailable } from './helpers/tmux-terminal.js';

// The built CLI in a real terminal (tmux, 80x24): keys in, the screen read back.
// .ci/run installs tmux; without it these tests are skipped, and say why.

const hasTmux = tmuxAvailable();
if (!hasTmux) console.warn('terminal-e2e: tmux is not installed, so the terminal tests are skipped (apt-get install -y tmux)');

/** A colour (SGR 30-37, 40-47, 90-97, 100-107, 38;..., 48;...), not bold, inverse or tmux's resets to the default colours (39, 49). */
const COLOUR = /\u001B\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;

let fixture: ScannedDatabase;
let terminal: TmuxTerminal | undefined;
beforeAll(() => {
  if (hasTmux) fixture = buildScannedDatabase();
}, 60_000);
afterAll(() => fixture?.remove());
afterEach(() => {
  terminal?.close();
  terminal = undefined;
});

describe.skipIf(!hasTmux)('keepopen in a terminal (tmux, 80x24)', () => {
  it('ui: navigate to a review-needed repo, mark its only finding false-positive, and see the repo become keep-open', async () => {
    const db = fixture.copyDb('e2e');
    const seen: string[] = [];
    terminal = new TmuxTerminal();
    terminal.start(`node ${CLI} ui --db ${db}`, { cwd: fixture.dir, env: { KEEPOPEN_USER: 'e2e-tester' } });
    const t = terminal;
    const look = async (check: string | RegExp) => {
      const screen = await t.until(check);
      seen.push(screen);
      return screen;
    };

    const dashboard = await look('LAST SCANS');
    expect(dashboard.split('\n')[0]).toMatch(/^keepopen · dashboard\s+\? keys {2}q quit$/);
    expect(dashboard).toMatch(/5 repos\s+review-needed 2\s+error 1\s+keep-open 2/);
    expect(COLOUR.test(t.screen(true))).toBe(true); // colours, when NO_COLOR is not set

    await t.keys('Enter');
    await look(/› review-needed\s+2\s+200\s+records/);
    await t.keys('j');
    await look(/› review-needed\s+1\s+100\s+billing-api/);
    await t.keys('Enter');
    const repo = await look('FINDINGS (1, 1 open)');
    expect(repo).toMatch(/^billing-api\s+review-needed$/m);
    expect(repo).toMatch(/› deploy\/ci\.env:3\s+aws-access-key-id\s+high\s+AKIA\*+\w{4}\s+open/);

    await t.keys('f');
    await look('note for false-positive:');
    await t.type('fixture key');
    await t.keys('Enter');
    await look('billing-api is keep-open: deploy/ci.env:3 marked false-positive');
    // The repo's header and counts are redrawn from the database after the decision: wait for them too.
    await look(/^billing-api\s+keep-open \(HEAD only\)$/m);
    await look('FINDINGS (1, 0 open)');

    await t.keys('Escape');
    await look(/ {2}keep-open\s+0\s+0\s+billing-api/);
    await t.keys('Escape');
    await look(/5 repos\s+review-needed 1\s+error 1\s+keep-open 3/);
    await t.keys('q');
    await look('[exited 0]');

    for (const screen of seen) {
      for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
      for (const value of fixture.rawValues) expect(screen).not.toContain(value);
    }
    const exported = JSON.parse(runCli(['export', '--db', db]).stdout) as { repos: { name: string; verdict: string }[] };
    expect(exported.repos.find((r) => r.name === 'billing-api')!.verdict).toBe('keep-open');
    const baseline = join(tempDir(), 'decisions.json');
    expect(runCli(['triage', '--export', baseline, '--db', db]).status).toBe(0);
    const decisions = JSON.parse(readFileSync(baseline, 'utf8')) as { decisions: { status: string; note: string; who: string }[] };
    expect(decisions.decisions.map((d) => [d.status, d.note, d.who])).toEqual([['false-positive', 'fixture key', 'e2e-tester']]);
  }, 30_000);

  it('ui: honours NO_COLOR, and a missing database gets a helpful screen', async () => {
    terminal = new TmuxTerminal();
    terminal.start(`node ${CLI} ui --db ${fixture.db}`, { cwd: fixture.dir, env: { NO_COLOR: '1' } });
    await terminal.until('LAST SCANS');
    await terminal.keys('Enter');
    await terminal.until('riskiest first');
    expect(terminal.screen(true)).not.toMatch(COLOUR);
    terminal.close();

    const missing = join(tempDir(), 'nothing-here.db');
    terminal = new TmuxTerminal();
    terminal.start(`node ${CLI} ui --db ${missing}`, { cwd: fixture.dir });
    const screen = await terminal.until('Press q to quit.');
    expect(screen).toContain(`There is no keepopen database at ${missing}.`);
    expect(screen).not.toMatch(/Error|at .*\.js:\d+/);
    await terminal.keys('q');
    await terminal.until('[exited 0]');
  }, 30_000);

  it('scan: the live progress view on a terminal, plain lines with --no-progress', async () => {
    terminal = new TmuxTerminal();
    const db = join(tempDir(), 'live.db');
    terminal.start(`node ${CLI} scan ${fixture.reposDir} --db ${db} --workers 0 > ${db}.report`, { cwd: fixture.dir });
    const live = await terminal.until('[exited 0]');
    expect(live).toMatch(/✗ error broken: git object [0-9a-f]{40} is missing/);
    expect(live).toMatch(/^scanned  █+ 5\/5 100%$/m);
    expect(live).toMatch(/^[\d.]+ repos\/min · \d+ kB\/s · took \d+:\d\d$/m);
    expect(live).toContain('keep-open 2  review-needed 2  error 1  findings 5');
    terminal.close();

    terminal = new TmuxTerminal();
    terminal.start(`node ${CLI} scan ${fixture.reposDir} --db ${db}.2 --workers 0 --no-progress > ${db}.report2`, { cwd: fixture.dir });
    const plain = await terminal.until('[exited 0]');
    expect(plain).toMatch(/^\[1\/5\] /m);
    expect(plain).toMatch(/^\[5\/5\] /m);
    expect(plain).not.toContain('█');
  }, 30_000);
});
