import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/migrations.js';
import { ScanStore } from '../../src/store/scan-store.js';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers/temp-dir.js';

const finding = {
  ruleId: 'aws-access-key-id', title: 'AWS', category: 'credential' as const, severity: 'high' as const, confidence: 'high' as const, path: 'a.tf', line: 3, column: 5,
  fingerprint: 'fp1', secretHash: 'hash1', redacted: 'AKIA****ABCD',
};

describe('ScanStore (real SQLite file)', () => {
  it('creates an owner-only file at the current schema version, in WAL mode', async () => {
    const path = join(tempDir(), 'k.db');
    const store = await ScanStore.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await store.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await store.db.get('SELECT MAX(version) AS v FROM schema_version')).toEqual({ v: SCHEMA_VERSION });
    await store.close();
    // Opening again does not migrate twice.
    const again = await ScanStore.open(path);
    expect(await again.db.all('SELECT version FROM schema_version')).toHaveLength(SCHEMA_VERSION);
    await again.close();
  });

  it('several connections opening one new file at once migrate it once, and all open', async () => {
    for (let round = 0; round < 8; round++) {
      const path = join(tempDir(), 'k.db');
      const stores = await Promise.all(Array.from({ length: 4 }, () => ScanStore.open(path)));
      expect(await stores[0]!.db.all('SELECT version FROM schema_version ORDER BY version')).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
      );
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('records a scan and reads back repos and findings', async () => {
    const path = join(tempDir(), 'k.db');
    const store = await ScanStore.open(path);
    await store.startScan({ id: 's1', startedAt: '2026-01-01T00:00:00Z', command: 'keepopen scan x' });
    await store.recordRepoScan('s1', { key: 'local:/r', name: 'r', source: '/r' }, {
      headCommit: 'c'.repeat(40), verdict: 'review-needed', reasons: ['1 credential (aws-access-key-id in a.tf:3)'], historyScanned: false,
      filesScanned: 2, bytesScanned: 100, durationMs: 5, findings: [finding], notScanned: [{ path: 'big', reason: 'too-large' }],
    });
    await store.finishScan('s1', '2026-01-01T00:01:00Z');
    expect(await store.latestScanId()).toBe('s1');
    expect(await store.repoScans('s1')).toEqual([{
      name: 'r', key: 'local:/r', source: '/r', headCommit: 'c'.repeat(40), verdict: 'review-needed',
      reasons: ['1 credential (aws-access-key-id in a.tf:3)'], historyScanned: false,
    }]);
    expect(await store.findings('s1')).toEqual([{
      repo: 'r', path: 'a.tf', line: 3, column: 5, ruleId: 'aws-access-key-id', category: 'credential', severity: 'high',
      fingerprint: 'fp1', redacted: 'AKIA****ABCD', commit: 'c'.repeat(40), inHistoryOnly: false,
      title: 'AWS', confidence: 'high', suppressedBy: null,
    }]);
    await store.close();
  });

  it('writes a repo in one transaction: a failure leaves nothing of it', async () => {
    const store = await ScanStore.open(join(tempDir(), 'k.db'));
    await store.startScan({ id: 's1', startedAt: 'x', command: 'c' });
    // An invalid verdict violates the CHECK constraint after the repo row was inserted.
    await expect(store.recordRepoScan('s1', { key: 'k', name: 'n', source: 's' }, {
      headCommit: null, verdict: 'maybe', reasons: [], historyScanned: false, filesScanned: 0, bytesScanned: 0, durationMs: 0,
      findings: [finding], notScanned: [],
    })).rejects.toThrow(/CHECK constraint/);
    expect(await store.db.all('SELECT * FROM repos')).toEqual([]);
    expect(await store.db.all('SELECT * FROM findings')).toEqual([]);
    await store.close();
  });

  it('serializes concurrent transactions on one connection', async () => {
    const store = await ScanStore.open(join(tempDir(), 'k.db'));
    await store.startScan({ id: 's1', startedAt: 'x', command: 'c' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordRepoScan('s1', { key: `k${i}`, name: `n${i}`, source: 's' }, {
      headCommit: null, verdict: 'keep-open', reasons: [], historyScanned: false, filesScanned: 0, bytesScanned: 0, durationMs: 0,
      findings: [{ ...finding, fingerprint: `f${i}` }], notScanned: [],
    })));
    expect(await store.repoScans('s1')).toHaveLength(20);
    expect(await store.findings('s1')).toHaveLength(20);
    await store.close();
  });

  it('refuses a database from a newer keepopen', async () => {
    const path = join(tempDir(), 'k.db');
    (await ScanStore.open(path)).close();
    const raw = await SqliteDatabase.open(path);
    await raw.run('INSERT INTO schema_version (version) VALUES (?)', [SCHEMA_VERSION + 5]);
    await raw.close();
    await expect(ScanStore.open(path)).rejects.toThrow(/written by a newer keepopen/);
    expect(existsSync(path)).toBe(true);
  });
});
