import type { TriageStatus } from '../triage/verdict.js';
import type { SqliteDatabase } from './sqlite.js';

// The latest recorded result of every repo, with its findings and their triage
// state: what exports (shortlists, SARIF, JSON) are made from.

export interface ExportFinding {
  path: string;
  line: number;
  column: number;
  ruleId: string;
  title: string;
  category: string;
  severity: string;
  confidence: string;
  fingerprint: string;
  redacted: string;
  commit: string | null;
  inHistoryOnly: boolean;
  suppressedBy: { marker: string; line: number } | null;
  triage: TriageStatus;
  triageNote: string;
}

export interface ExportRepo {
  name: string;
  key: string;
  source: string;
  verdict: string;
  reasons: string[];
  headCommit: string | null;
  historyScanned: boolean;
  scanId: string;
  scannedAt: string;
  findings: ExportFinding[];
}

export interface ExportSet {
  repos: ExportRepo[];
  /** The newest scan that contributed, for the JSON contract's `scan` object. */
  latestScan: { id: string; startedAt: string; finishedAt: string | null } | undefined;
}

export async function latestResults(db: SqliteDatabase, verdict?: string): Promise<ExportSet> {
  const rows = await db.all<{
    repo_id: number; name: string; key: string; source: string; verdict: string; reasons: string; head_commit: string | null;
    history_scanned: number; scan_id: string; finished_at: string;
  }>(
    `SELECT rs.repo_id, r.name, r.key, r.source, rs.verdict, rs.reasons, rs.head_commit, rs.history_scanned, rs.scan_id, rs.finished_at
       FROM repo_scans rs JOIN repos r ON r.id = rs.repo_id JOIN scans s ON s.id = rs.scan_id
      WHERE rs.scan_id = (SELECT rs2.scan_id FROM repo_scans rs2 JOIN scans s2 ON s2.id = rs2.scan_id
                           WHERE rs2.repo_id = rs.repo_id ORDER BY s2.started_at DESC LIMIT 1)
        ${verdict ? 'AND rs.verdict = ?' : ''}
      ORDER BY r.name, r.key`,
    verdict ? [verdict] : [],
  );
  const repos: ExportRepo[] = [];
  for (const row of rows) {
    const findings = await db.all<{
      path: string; line: number; col: number; rule_id: string; title: string; category: string; severity: string; confidence: string;
      fingerprint: string; redacted: string; commit_id: string | null; in_history_only: number; suppressed_by: string | null;
      suppressed_line: number | null; status: TriageStatus | null; note: string | null;
    }>(
      `SELECT f.path, f.line, f.col, f.rule_id, f.title, f.category, f.severity, f.confidence, f.fingerprint, f.redacted, f.commit_id,
              f.in_history_only, f.suppressed_by, f.suppressed_line, t.status, t.note
         FROM findings f LEFT JOIN triage t ON t.fingerprint = f.fingerprint
        WHERE f.scan_id = ? AND f.repo_id = ? ORDER BY f.path, f.line, f.col`,
      [row.scan_id, row.repo_id],
    );
    repos.push({
      name: row.name, key: row.key, source: row.source, verdict: row.verdict, reasons: JSON.parse(row.reasons) as string[],
      headCommit: row.head_commit, historyScanned: row.history_scanned === 1, scanId: row.scan_id, scannedAt: row.finished_at,
      findings: findings.map((f) => ({
        path: f.path, line: f.line, column: f.col, ruleId: f.rule_id, title: f.title, category: f.category, severity: f.severity,
        confidence: f.confidence, fingerprint: f.fingerprint, redacted: f.redacted, commit: f.commit_id, inHistoryOnly: f.in_history_only === 1,
        suppressedBy: f.suppressed_by === null ? null : { marker: f.suppressed_by, line: f.suppressed_line ?? 0 },
        triage: f.status ?? 'open', triageNote: f.note ?? '',
      })),
    });
  }
  const latest = await db.get<{ id: string; started_at: string; finished_at: string | null }>(
    'SELECT id, started_at, finished_at FROM scans ORDER BY started_at DESC LIMIT 1',
  );
  return { repos, latestScan: latest ? { id: latest.id, startedAt: latest.started_at, finishedAt: latest.finished_at } : undefined };
}
