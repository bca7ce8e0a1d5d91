import sqlite3 from 'sqlite3';

// What users see of a results database, for comparing two runs that should agree
// (sharded vs unsharded, interrupted-and-resumed vs uninterrupted): each repo's latest
// result and its findings, and the skipped repos. Opened read-only, so it can be read
// while a scan is still writing.

export interface DbSnapshot {
  repos: { key: string; verdict: string; reasons: string; head_commit: string | null }[];
  findings: { key: string; fingerprint: string; path: string; line: number; rule_id: string }[];
  skipped: { key: string; reason: string }[];
}

export function queryReadOnly<T>(path: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (openError) => {
      if (openError) return reject(openError);
      db.all(sql, params, (error, rows) => {
        db.close();
        if (error) reject(error);
        else resolve(rows as T[]);
      });
    });
  });
}

const LATEST = `SELECT rs.* FROM repo_scans rs WHERE rs.scan_id = (SELECT rs2.scan_id FROM repo_scans rs2 JOIN scans s ON s.id = rs2.scan_id
                  WHERE rs2.repo_id = rs.repo_id ORDER BY s.started_at DESC LIMIT 1)`;

export async function dbSnapshot(path: string): Promise<DbSnapshot> {
  const repos = await queryReadOnly<DbSnapshot['repos'][number]>(
    path,
    `SELECT r.key, l.verdict, l.reasons, l.head_commit FROM (${LATEST}) l JOIN repos r ON r.id = l.repo_id ORDER BY r.key`,
  );
  const findings = await queryReadOnly<DbSnapshot['findings'][number]>(
    path,
    `SELECT r.key, f.fingerprint, f.path, f.line, f.rule_id FROM (${LATEST}) l JOIN findings f ON f.scan_id = l.scan_id AND f.repo_id = l.repo_id
       JOIN repos r ON r.id = l.repo_id ORDER BY r.key, f.path, f.line, f.fingerprint`,
  );
  const skipped = await queryReadOnly<DbSnapshot['skipped'][number]>(
    path,
    'SELECT DISTINCT r.key, k.reason FROM skipped_repos k JOIN repos r ON r.id = k.repo_id ORDER BY r.key',
  );
  return { repos, findings, skipped };
}
