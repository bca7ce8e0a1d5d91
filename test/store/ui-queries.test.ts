import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanStore } from '../../src/store/scan-store.js';
import { recordDecision } from '../../src/store/triage-store.js';
import { dashboard, filterChoices, hasResults, LOCAL_OWNER, repoDetail, repoPage } from '../../src/store/ui-queries.js';
import { tempDir } from '../helpers/temp-dir.js';
import { buildScannedDatabase, type ScannedDatabase } from '../ui/helpers/scanned-database.js';

// The browser's queries on a real database made by a real scan of real repos
// (billing-api: 1 credential; records: a password and a private key; network-docs:
// low infrastructure findings only; portal: clean; broken: unreadable).

let fixture: ScannedDatabase;
beforeAll(() => {
  fixture = buildScannedDatabase();
}, 60_000);
afterAll(() => fixture.remove());

async function withStore<T>(path: string, work: (store: ScanStore) => Promise<T>): Promise<T> {
  const store = await ScanStore.open(path);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('ui-queries (real scan, real SQLite)', () => {
  it('counts verdicts, findings by category and rule, and lists the last scans', async () => {
    await withStore(fixture.db, async (store) => {
      const d = await dashboard(store.db);
      expect(d.repos).toBe(5);
      expect(d.verdicts).toEqual({ 'keep-open': 2, 'review-needed': 2, error: 1 });
      expect(d.byCategory.map((c) => [c.name, c.findings, c.open])).toEqual([
        ['credential', 2, 2], ['infrastructure', 2, 2], ['private-key', 1, 1],
      ]);
      expect(d.byRule.map((r) => r.name)).toEqual(expect.arrayContaining(['aws-access-key-id', 'pem-private-key', 'private-ipv4-in-config']));
      expect(d.findings).toBe(5);
      expect(d.lastScans).toHaveLength(1);
      expect(d.lastScans[0]!.repos).toBe(5);
      expect(d.lastScans[0]!.command).toMatch(/^keepopen scan /);
    });
  });

  it('lists repos riskiest first: review-needed by weighted open findings, then error, then keep-open', async () => {
    await withStore(fixture.db, async (store) => {
      const page = await repoPage(store.db, {}, { offset: 0, limit: 10 });
      expect(page.total).toBe(5);
      expect(page.rows.map((r) => [r.name, r.verdict, r.risk, r.openFindings])).toEqual([
        ['records', 'review-needed', 200, 2],
        ['billing-api', 'review-needed', 100, 1],
        ['broken', 'error', 0, 0],
        ['network-docs', 'keep-open', 2, 2],
        ['portal', 'keep-open', 0, 0],
      ]);
      expect(page.rows.every((r) => r.owner === LOCAL_OWNER)).toBe(true);
    });
  });

  it('filters by verdict, category, rule and text (taken literally), and pages', async () => {
    await withStore(fixture.db, async (store) => {
      const names = async (filter: Parameters<typeof repoPage>[1]) => (await repoPage(store.db, filter, { offset: 0, limit: 10 })).rows.map((r) => r.name);
      expect(await names({ verdict: 'keep-open' })).toEqual(['network-docs', 'portal']);
      expect(await names({ category: 'credential' })).toEqual(['records', 'billing-api']);
      expect(await names({ rule: 'pem-private-key' })).toEqual(['records']);
      expect(await names({ category: 'infrastructure', verdict: 'keep-open' })).toEqual(['network-docs']);
      expect(await names({ text: 'CI.ENV' })).toEqual(['billing-api']); // a finding's path, any case
      expect(await names({ text: 'portal' })).toEqual(['portal']);
      expect(await names({ text: '%' })).toEqual([]); // not a wildcard
      expect(await names({ owner: 'nobody' })).toEqual([]);
      const second = await repoPage(store.db, {}, { offset: 2, limit: 2 });
      expect(second.total).toBe(5);
      expect(second.rows.map((r) => r.name)).toEqual(['broken', 'network-docs']);
    });
  });

  it('offers each filter the values present in the latest results', async () => {
    await withStore(fixture.db, async (store) => {
      expect(await filterChoices(store.db)).toEqual({
        verdicts: ['review-needed', 'error', 'keep-open'],
        categories: ['credential', 'infrastructure', 'private-key'],
        owners: [LOCAL_OWNER],
        rules: expect.arrayContaining(['aws-access-key-id', 'password-in-ado-connection-string', 'pem-private-key', 'private-ipv4-in-config']),
      });
    });
  });

  it("reads one repo's latest result with its findings and their triage state; a decision moves it at once", async () => {
    const db = fixture.copyDb('detail');
    await withStore(db, async (store) => {
      const billing = (await repoPage(store.db, { text: 'billing' }, { offset: 0, limit: 1 })).rows[0]!;
      const before = (await repoDetail(store.db, billing.key))!;
      expect(before.verdict).toBe('review-needed');
      expect(before.findings.map((f) => [f.path, f.line, f.ruleId, f.severity, f.triage])).toEqual([['deploy/ci.env', 3, 'aws-access-key-id', 'high', 'open']]);
      expect(before.findings[0]!.redacted).not.toBe(fixture.secrets['aws-access-key-id']);
      expect(before.headCommit).toMatch(/^[0-9a-f]{40}$/);

      await recordDecision(store.db, { fingerprint: before.findings[0]!.fingerprint, status: 'false-positive', note: 'CI dummy', who: 'tester', at: '2026-02-01T00:00:00Z' });
      const after = (await repoDetail(store.db, billing.key))!;
      expect(after.verdict).toBe('keep-open');
      expect(after.findings[0]).toMatchObject({ triage: 'false-positive', triageNote: 'CI dummy', triageWho: 'tester' });
      expect((await dashboard(store.db)).verdicts).toEqual({ 'keep-open': 3, 'review-needed': 1, error: 1 });
      // The decided finding no longer adds to the risk.
      expect((await repoPage(store.db, { text: 'billing' }, { offset: 0, limit: 1 })).rows[0]).toMatchObject({ risk: 0, openFindings: 0, findings: 1 });
      expect(await repoDetail(store.db, 'local:/no/such/repo')).toBeUndefined();
    });
  });

  it('takes owners from owner/name, uses only the latest scan of each repo, and pages through thousands of repos', async () => {
    const path = join(tempDir(), 'many.db');
    await withStore(path, async (store) => {
      expect(await hasResults(store.db)).toBe(false);
      const finding = {
        ruleId: 'aws-access-key-id', title: 'AWS', category: 'credential' as const, severity: 'high' as const, confidence: 'high' as const,
        path: 'a.tf', line: 3, column: 5, fingerprint: 'fp-old', secretHash: 'h', redacted: 'AKIA****ABCD',
      };
      const result = (verdict: string, findings: (typeof finding)[]) => ({
        headCommit: 'c'.repeat(40), verdict, reasons: [], historyScanned: false, filesScanned: 1, bytesScanned: 1, durationMs: 1, findings, notScanned: [],
      });
      await store.startScan({ id: 's1', startedAt: '2026-01-01T00:00:00Z', command: 'keepopen scan --org acme' });
      await store.recordRepoScan('s1', { key: 'github.com/acme/app', name: 'acme/app', source: 'https://github.com/acme/app.git' }, result('review-needed', [finding]));
      await store.startScan({ id: 's2', startedAt: '2026-01-02T00:00:00Z', command: 'keepopen scan --org acme --org beta' });
      // The newer scan of acme/app found it clean: that is what counts.
      await store.recordRepoScan('s2', { key: 'github.com/acme/app', name: 'acme/app', source: 'https://github.com/acme/app.git' }, result('keep-open', []));
      await store.db.transaction(async () => {
        for (let i = 0; i < 1500; i++) {
          const repoId = (await store.db.run('INSERT INTO repos (key, name, source) VALUES (?, ?, ?)', [`github.com/beta/r${i}`, `beta/r${String(i).padStart(4, '0')}`, 'x'])).lastID;
          await store.db.run(
            `INSERT INTO repo_scans (scan_id, repo_id, head_commit, verdict, reasons, history_scanned, files_scanned, bytes_scanned, duration_ms, finished_at)
               VALUES ('s2', ?, NULL, ?, '[]', 0, 0, 0, 0, '2026-01-02T00:00:01Z')`,
            [repoId, i % 100 === 0 ? 'error' : 'keep-open'],
          );
        }
      });
      expect(await hasResults(store.db)).toBe(true);
      expect((await dashboard(store.db)).verdicts).toEqual({ 'keep-open': 1486, 'review-needed': 0, error: 15 });
      expect((await dashboard(store.db)).lastScans.map((s) => s.id)).toEqual(['s2', 's1']);
      expect((await filterChoices(store.db)).owners).toEqual(['acme', 'beta']);
      expect((await repoPage(store.db, { owner: 'acme' }, { offset: 0, limit: 5 })).rows.map((r) => [r.name, r.verdict])).toEqual([['acme/app', 'keep-open']]);
      const started = performance.now();
      const last = await repoPage(store.db, { owner: 'beta', verdict: 'keep-open' }, { offset: 1480, limit: 20 });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(last.total).toBe(1485);
      expect(last.rows.map((r) => r.name)).toEqual(['beta/r1495', 'beta/r1496', 'beta/r1497', 'beta/r1498', 'beta/r1499']);
      const errors = await repoPage(store.db, {}, { offset: 0, limit: 3 });
      expect(errors.rows.map((r) => r.verdict)).toEqual(['error', 'error', 'error']);
    });
  });
});
