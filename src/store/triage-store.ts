import { DEFAULT_POLICY, isPlainFolder, triage, TRIAGE_STATUSES, type TriagePolicy, type TriageStatus } from '../triage/verdict.js';
import { FINDING_COLUMNS, findingFromRow, type FindingRow } from './finding-rows.js';
import type { SqliteDatabase } from './sqlite.js';

// Triage decisions per finding fingerprint (open, false-positive, accepted-risk,
// revoked), kept apart from scan results so they survive every rescan, as Nosey
// Parker's accept/reject does. A decision re-triages the latest result of every
// repo holding that finding at once, so verdicts and counts follow the decision.

export interface TriageDecision {
  fingerprint: string;
  status: TriageStatus;
  note: string;
  who: string;
  at: string;
}

export async function triageDecisions(db: SqliteDatabase): Promise<Map<string, TriageStatus>> {
  const rows = await db.all<{ fingerprint: string; status: TriageStatus }>('SELECT fingerprint, status FROM triage');
  return new Map(rows.map((r) => [r.fingerprint, r.status]));
}

export async function listDecisions(db: SqliteDatabase): Promise<TriageDecision[]> {
  return db.all<TriageDecision & Record<string, unknown>>('SELECT fingerprint, status, note, who, at FROM triage ORDER BY at, fingerprint');
}

/** The repo results (latest per repo) that hold a fingerprint. */
async function latestResultsWith(db: SqliteDatabase, fingerprint: string): Promise<{ scan_id: string; repo_id: number }[]> {
  return db.all<{ scan_id: string; repo_id: number }>(
    `SELECT rs.scan_id, rs.repo_id FROM repo_scans rs JOIN scans s ON s.id = rs.scan_id
      WHERE rs.scan_id = (SELECT rs2.scan_id FROM repo_scans rs2 JOIN scans s2 ON s2.id = rs2.scan_id
                           WHERE rs2.repo_id = rs.repo_id ORDER BY s2.started_at DESC LIMIT 1)
        AND EXISTS (SELECT 1 FROM findings f WHERE f.scan_id = rs.scan_id AND f.repo_id = rs.repo_id AND f.fingerprint = ?)`,
    [fingerprint],
  );
}

/** Recomputes one stored repo result's verdict and reasons under the current decisions. Call inside a transaction. */
export async function retriageRepoScan(db: SqliteDatabase, scanId: string, repoId: number, policy: TriagePolicy): Promise<void> {
  const result = await db.get<{ verdict: string; error: string | null; history_scanned: number; empty: number; extra_reasons: string; head_commit: string | null }>(
    'SELECT verdict, error, history_scanned, empty, extra_reasons, head_commit FROM repo_scans WHERE scan_id = ? AND repo_id = ?',
    [scanId, repoId],
  );
  if (!result || result.error !== null) return; // an error stays an error: nothing was fully scanned
  const findings = (await db.all<FindingRow & Record<string, unknown>>(`SELECT ${FINDING_COLUMNS} FROM findings f WHERE f.scan_id = ? AND f.repo_id = ? ORDER BY f.path, f.line, f.col`, [scanId, repoId])).map(findingFromRow);
  const notScanned = await db.all<{ path: string; reason: string }>('SELECT path, reason FROM not_scanned WHERE scan_id = ? AND repo_id = ?', [scanId, repoId]);
  const empty = result.empty === 1;
  const outcome = triage({ findings, notScanned, historyScanned: result.history_scanned === 1, empty, notGit: isPlainFolder(result.head_commit, empty) }, policy);
  outcome.reasons.push(...(JSON.parse(result.extra_reasons) as string[]));
  await db.run('UPDATE repo_scans SET verdict = ?, reasons = ? WHERE scan_id = ? AND repo_id = ?', [outcome.verdict, JSON.stringify(outcome.reasons), scanId, repoId]);
}

/**
 * Records a decision (and logs it), then re-triages the latest result of every repo
 * holding the finding. Returns how many repo results were re-triaged.
 */
export async function recordDecision(db: SqliteDatabase, decision: TriageDecision, policy: TriagePolicy = DEFAULT_POLICY): Promise<number> {
  if (!(TRIAGE_STATUSES as readonly string[]).includes(decision.status)) throw new Error(`unknown triage status ${decision.status}`);
  return db.transaction(async () => {
    await db.run(
      `INSERT INTO triage (fingerprint, status, note, who, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, note = excluded.note, who = excluded.who, at = excluded.at`,
      [decision.fingerprint, decision.status, decision.note, decision.who, decision.at],
    );
    await db.run('INSERT INTO triage_log (fingerprint, status, note, who, at) VALUES (?, ?, ?, ?, ?)', [decision.fingerprint, decision.status, decision.note, decision.who, decision.at]);
    const decisions = await triageDecisions(db);
    const affected = await latestResultsWith(db, decision.fingerprint);
    for (const { scan_id, repo_id } of affected) await retriageRepoScan(db, scan_id, repo_id, { ...policy, decisions });
    return affected.length;
  });
}

/** Whether any finding with this fingerprint (or a unique fingerprint prefix) is known; returns the full fingerprint. */
export async function resolveFingerprint(db: SqliteDatabase, given: string): Promise<string[]> {
  const rows = await db.all<{ fingerprint: string }>(
    'SELECT DISTINCT fingerprint FROM findings WHERE fingerprint >= ? AND fingerprint < ? LIMIT 5',
    [given, `${given}\uffff`],
  );
  return rows.map((r) => r.fingerprint);
}
