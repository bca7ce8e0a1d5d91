import { existsSync } from 'node:fs';
import { DEFAULT_POLICY, type TriagePolicy } from '../triage/verdict.js';
import { ScanStore } from './scan-store.js';
import { StoreError } from './sqlite.js';
import { retriageRepoScan, triageDecisions } from './triage-store.js';

// `keepopen merge OUT IN...`: the databases of shards (or of separate runs) made
// into one, without duplicates: scans by id, repos by key, each repo result once
// per (scan, repo), findings and changes with the result they belong to, triage
// decisions by fingerprint (the newer decision wins) and their logs. Merging the
// same input twice changes nothing.

export interface MergeSummary {
  inputs: number;
  scans: number;
  repoResults: number;
  findings: number;
  decisions: number;
}

/** Copies one attached database (`src`) into the main one. Runs inside a transaction. */
async function mergeOne(store: ScanStore): Promise<{ scans: number; repoResults: number; findings: number; changedDecisions: string[] }> {
  const { db } = store;
  const scans = await db.run('INSERT OR IGNORE INTO scans (id, started_at, finished_at, command, detection_digest) SELECT id, started_at, finished_at, command, detection_digest FROM src.scans');
  // Repos by key; what the hosting API said is filled in where the output lacks it.
  await db.run(
    `INSERT INTO repos (key, name, source, remote_id, clone_url, default_branch, size_kb, pushed_at, archived, fork, visibility)
       SELECT key, name, source, remote_id, clone_url, default_branch, size_kb, pushed_at, archived, fork, visibility FROM src.repos WHERE true
       ON CONFLICT(key) DO UPDATE SET
         remote_id = COALESCE(repos.remote_id, excluded.remote_id), clone_url = COALESCE(repos.clone_url, excluded.clone_url),
         default_branch = COALESCE(repos.default_branch, excluded.default_branch), size_kb = COALESCE(repos.size_kb, excluded.size_kb),
         pushed_at = COALESCE(repos.pushed_at, excluded.pushed_at), archived = COALESCE(repos.archived, excluded.archived),
         fork = COALESCE(repos.fork, excluded.fork), visibility = COALESCE(repos.visibility, excluded.visibility)`,
  );
  await db.exec(`
    DROP TABLE IF EXISTS temp.repo_map;
    CREATE TEMP TABLE repo_map AS SELECT s.id AS src_id, m.id AS out_id FROM src.repos s JOIN main.repos m ON m.key = s.key;
    DROP TABLE IF EXISTS temp.new_results;
    CREATE TEMP TABLE new_results AS
      SELECT rs.scan_id, rs.repo_id AS src_repo, map.out_id AS out_repo FROM src.repo_scans rs JOIN repo_map map ON map.src_id = rs.repo_id
       WHERE NOT EXISTS (SELECT 1 FROM main.repo_scans m WHERE m.scan_id = rs.scan_id AND m.repo_id = map.out_id);
  `);
  const results = await db.run(
    `INSERT INTO repo_scans (scan_id, repo_id, head_commit, verdict, reasons, history_scanned, files_scanned, bytes_scanned, duration_ms,
                             error, finished_at, empty, extra_reasons, carried_from_scan)
       SELECT rs.scan_id, n.out_repo, rs.head_commit, rs.verdict, rs.reasons, rs.history_scanned, rs.files_scanned, rs.bytes_scanned,
              rs.duration_ms, rs.error, rs.finished_at, rs.empty, rs.extra_reasons, rs.carried_from_scan
         FROM src.repo_scans rs JOIN new_results n ON n.scan_id = rs.scan_id AND n.src_repo = rs.repo_id`,
  );
  const findings = await db.run(
    `INSERT INTO findings (scan_id, repo_id, fingerprint, secret_hash, rule_id, title, category, severity, confidence, path, line, col,
                           redacted, commit_id, in_history_only, suppressed_by, suppressed_line)
       SELECT f.scan_id, n.out_repo, f.fingerprint, f.secret_hash, f.rule_id, f.title, f.category, f.severity, f.confidence, f.path, f.line,
              f.col, f.redacted, f.commit_id, f.in_history_only, f.suppressed_by, f.suppressed_line
         FROM src.findings f JOIN new_results n ON n.scan_id = f.scan_id AND n.src_repo = f.repo_id ORDER BY f.id`,
  );
  await db.run(
    `INSERT INTO not_scanned (scan_id, repo_id, path, reason)
       SELECT x.scan_id, n.out_repo, x.path, x.reason FROM src.not_scanned x JOIN new_results n ON n.scan_id = x.scan_id AND n.src_repo = x.repo_id`,
  );
  await db.run(
    `INSERT INTO finding_changes (scan_id, repo_id, fingerprint, change, rule_id, path, line, from_path, from_line)
       SELECT c.scan_id, n.out_repo, c.fingerprint, c.change, c.rule_id, c.path, c.line, c.from_path, c.from_line
         FROM src.finding_changes c JOIN new_results n ON n.scan_id = c.scan_id AND n.src_repo = c.repo_id`,
  );
  await db.run(
    `INSERT OR IGNORE INTO skipped_repos (scan_id, repo_id, reason)
       SELECT k.scan_id, map.out_id, k.reason FROM src.skipped_repos k JOIN repo_map map ON map.src_id = k.repo_id`,
  );
  // Each finding's first and last sighting across both: by the scans' start times.
  await db.run(
    `INSERT INTO tracked_findings (repo_id, fingerprint, rule_id, first_seen_scan, last_seen_scan)
       SELECT map.out_id, t.fingerprint, t.rule_id, t.first_seen_scan, t.last_seen_scan FROM src.tracked_findings t JOIN repo_map map ON map.src_id = t.repo_id WHERE true
       ON CONFLICT(repo_id, fingerprint) DO UPDATE SET
         first_seen_scan = CASE WHEN (SELECT started_at FROM scans WHERE id = excluded.first_seen_scan) < (SELECT started_at FROM scans WHERE id = tracked_findings.first_seen_scan)
                                THEN excluded.first_seen_scan ELSE tracked_findings.first_seen_scan END,
         last_seen_scan = CASE WHEN (SELECT started_at FROM scans WHERE id = excluded.last_seen_scan) > (SELECT started_at FROM scans WHERE id = tracked_findings.last_seen_scan)
                               THEN excluded.last_seen_scan ELSE tracked_findings.last_seen_scan END`,
  );
  // Decisions: the newer one wins; the log keeps every decision once.
  const changed = await db.all<{ fingerprint: string }>(
    `SELECT s.fingerprint FROM src.triage s LEFT JOIN main.triage m ON m.fingerprint = s.fingerprint
      WHERE m.fingerprint IS NULL OR (s.at > m.at AND s.status != m.status)`,
  );
  await db.run(
    `INSERT INTO triage (fingerprint, status, note, who, at) SELECT fingerprint, status, note, who, at FROM src.triage WHERE true
       ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, note = excluded.note, who = excluded.who, at = excluded.at
       WHERE excluded.at > triage.at`,
  );
  await db.run(
    `INSERT INTO triage_log (fingerprint, status, note, who, at)
       SELECT s.fingerprint, s.status, s.note, s.who, s.at FROM src.triage_log s
        WHERE NOT EXISTS (SELECT 1 FROM main.triage_log m WHERE m.fingerprint = s.fingerprint AND m.status = s.status AND m.note = s.note AND m.who = s.who AND m.at = s.at)
        ORDER BY s.id`,
  );
  return { scans: scans.changes, repoResults: results.changes, findings: findings.changes, changedDecisions: changed.map((r) => r.fingerprint) };
}

/** Merges `inputs` into the database at `output` (created when missing). */
export async function mergeDatabases(output: string, inputs: string[], policy: TriagePolicy = DEFAULT_POLICY): Promise<MergeSummary> {
  for (const input of inputs) {
    if (!existsSync(input)) throw new StoreError(`${input} does not exist: give the path of a keepopen database to merge`);
  }
  const store = await ScanStore.open(output);
  const summary: MergeSummary = { inputs: inputs.length, scans: 0, repoResults: 0, findings: 0, decisions: 0 };
  try {
    for (const input of inputs) {
      // Opening an input brings it to this keepopen's schema (and refuses what is not a keepopen database).
      await (await ScanStore.open(input)).close();
      await store.db.run('ATTACH DATABASE ? AS src', [input]);
      try {
        const merged = await store.db.transaction(async () => {
          const counts = await mergeOne(store);
          // Decisions new to the output re-triage the latest results that hold their findings.
          if (counts.changedDecisions.length > 0) {
            const decisions = await triageDecisions(store.db);
            const affected = await store.db.all<{ scan_id: string; repo_id: number }>(
              `SELECT rs.scan_id, rs.repo_id FROM repo_scans rs
                WHERE rs.scan_id = (SELECT rs2.scan_id FROM repo_scans rs2 JOIN scans s2 ON s2.id = rs2.scan_id WHERE rs2.repo_id = rs.repo_id ORDER BY s2.started_at DESC LIMIT 1)
                  AND EXISTS (SELECT 1 FROM findings f WHERE f.scan_id = rs.scan_id AND f.repo_id = rs.repo_id
                                AND f.fingerprint IN (${counts.changedDecisions.map(() => '?').join(', ')}))`,
              counts.changedDecisions,
            );
            for (const { scan_id, repo_id } of affected) await retriageRepoScan(store.db, scan_id, repo_id, { ...policy, decisions });
          }
          return counts;
        });
        summary.scans += merged.scans;
        summary.repoResults += merged.repoResults;
        summary.findings += merged.findings;
        summary.decisions += merged.changedDecisions.length;
      } finally {
        await store.db.run('DETACH DATABASE src');
      }
    }
  } finally {
    await store.close();
  }
  return summary;
}
