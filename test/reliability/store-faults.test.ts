import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSecrets, makeBareRepoFast } from '../../fixtures/build-fixture-repos.mjs';
import { dbSnapshot, queryReadOnly } from '../helpers/db-snapshot.js';
import { runCli, runCliAsync } from '../helpers/run-cli.js';
import { mountSmallFilesystem, type SmallFilesystem } from '../helpers/small-filesystem.js';

// Store faults: a file that is not a database, a damaged one, a read-only one, two
// scans writing one database at once, and the disk filling up mid-scan. Each ends in
// one clear line (exit 2) or a clean result; never a partial repo result or a
// corrupted database.

let root: string;
let repos: string;
let reference: Awaited<ReturnType<typeof dbSnapshot>>;
const scanArgs = (db: string, path = repos) => ['scan', path, '--db', db, '--format', 'json', '--quiet', '--workers', '0', '--concurrency', '2'];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'keepopen-store-faults-'));
  repos = join(root, 'repos');
  for (let i = 0; i < 120; i++) {
    // Many findings per repo (an address plan), so the database grows as the scan goes.
    const files: Record<string, string> = {
      'README.md': `# site ${i}\n`,
      'docs/network.md': Array.from({ length: 30 }, (_, n) => `- host${n}.site${i}: 10.${i}.${n}.${(n * 7) % 250 + 2}`).join('\n') + '\n',
    };
    if (i % 6 === 0) files['deploy.env'] = `AWS_ACCESS_KEY_ID=${fakeSecrets(700 + i)['aws-access-key-id']}\n`;
    makeBareRepoFast(join(repos, `site-${String(i).padStart(3, '0')}.git`), files);
  }
  const db = join(root, 'reference.db');
  expect((await runCliAsync(scanArgs(db))).status).toBe(0);
  reference = await dbSnapshot(db);
  expect(reference.findings.length).toBeGreaterThan(3000);
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function integrity(db: string): Promise<string> {
  const [row] = await queryReadOnly<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
  return row!.integrity_check;
}

describe('store faults', () => {
  it('a file that is not a database: one line, exit 2, the file untouched', () => {
    const db = join(root, 'notes.db');
    writeFileSync(db, 'these are my notes, not a database\n'.repeat(100));
    const before = readFileSync(db);
    const result = runCli(scanArgs(db, join(repos, 'site-001.git')));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`keepopen: ${db} is not a usable keepopen database (file is not a database); give another --db path or move this file aside\n`);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('a damaged database (cut short): one line, exit 2, no stack trace', () => {
    const db = join(root, 'damaged.db');
    copyFileSync(join(root, 'reference.db'), db);
    truncateSync(db, Math.floor(statSync(db).size / 3));
    const result = runCli(['export', '--db', db, '--format', 'json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^keepopen: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a usable keepopen database \\(database disk image is malformed\\); give another --db path or move this file aside\\n$`));
  });

  it('two scans writing one database at once both complete, and the database holds both whole', async () => {
    const db = join(root, 'shared.db');
    const half = (from: number) => Array.from({ length: 30 }, (_, i) => join(repos, `site-${String(from + i).padStart(3, '0')}.git`));
    const [a, b] = await Promise.all([
      runCliAsync(['scan', ...half(0), '--db', db, '--format', 'json', '--quiet', '--workers', '0']),
      runCliAsync(['scan', ...half(30), '--db', db, '--format', 'json', '--quiet', '--workers', '0']),
    ]);
    expect([a.status, a.stderr, b.status, b.stderr]).toEqual([0, '', 0, '']);
    expect(await integrity(db)).toBe('ok');
    const scans = await queryReadOnly<{ finished_at: string | null }>(db, 'SELECT finished_at FROM scans');
    expect(scans).toHaveLength(2);
    expect(scans.every((s) => s.finished_at !== null)).toBe(true);
    const snapshot = await dbSnapshot(db);
    const keys = new Set(snapshot.repos.map((r) => r.key));
    expect(keys.size).toBe(60);
    expect(snapshot.findings).toEqual(reference.findings.filter((f) => keys.has(f.key)));
  }, 120_000);
});

describe('store faults on a real small file system', () => {
  let fs: SmallFilesystem | undefined;
  let unavailable = '';
  beforeAll(() => {
    const mounted = mountSmallFilesystem(512);
    if ('unavailable' in mounted) unavailable = mounted.unavailable;
    else fs = mounted;
  });
  afterAll(() => fs?.unmount());

  it('disk full mid-scan: one line, exit 2, no partial repo result, no corruption; with space again, the same command resumes', async (context) => {
    if (!fs) return context.skip(unavailable);
    const db = join(fs.dir, 'k.db');
    const full = await runCliAsync(scanArgs(db));
    expect(full.status).toBe(2);
    expect(full.stderr).toBe(`keepopen: cannot write to database ${db}: the disk is full (SQLITE_FULL); free space, then run the same command again to resume\n`);
    fs.remount({ sizeKb: 64 * 1024 });
    expect(await integrity(db)).toBe('ok');
    const partial = await dbSnapshot(db);
    expect(partial.repos.length).toBeGreaterThan(0);
    expect(partial.repos.length).toBeLessThan(120);
    // Every recorded repo is whole: its verdict and every one of its findings.
    for (const repo of partial.repos) expect(repo).toEqual(reference.repos.find((r) => r.key === repo.key));
    const keys = new Set(partial.repos.map((r) => r.key));
    expect(partial.findings).toEqual(reference.findings.filter((f) => keys.has(f.key)));

    const resumed = await runCliAsync(scanArgs(db).filter((a) => a !== '--quiet'));
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`resuming the interrupted scan [0-9a-f]{8} of .*: ${partial.repos.length} of 120 repos already done`));
    expect(await dbSnapshot(db)).toEqual(reference);
  }, 180_000);

  it('a read-only database: one line, exit 2, unchanged', async (context) => {
    if (!fs) return context.skip(unavailable);
    const db = join(fs.dir, 'readonly.db');
    expect((await runCliAsync(scanArgs(db, join(repos, 'site-002.git')))).status).toBe(0);
    const before = await dbSnapshot(db);
    fs.remount({ readOnly: true });
    try {
      const result = runCli(scanArgs(db, join(repos, 'site-003.git')));
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^keepopen: cannot write to database .*readonly\.db: it is read-only \((EROFS|SQLITE_READONLY)\); give a writable --db path or fix its permissions\n$/);
    } finally {
      fs.remount({ readOnly: false });
    }
    expect(await dbSnapshot(db)).toEqual(before);
  }, 60_000);
});
