import { hostname } from 'node:os';
import type { Finding } from '../detect/rule-types.js';
import type { RemoteRepoMetadata } from '../scan/repo-target.js';
import type { PreviousResult, RepoChanges } from '../triage/compare-scans.js';
import { FINDING_COLUMNS, findingFromRow, type FindingRow } from './finding-rows.js';
import { migrate } from './migrations.js';
import { SqliteDatabase } from './sqlite.js';

// The only place that knows SQL for scan results. Callers hand it plain records;
// each repo's result goes in one transaction so a crash never leaves half a repo.

export interface ScanRecord {
  id: string;
  startedAt: string;
  finishedAt?: string;
  command: string;
  /** What the scan covers (its repos and result-changing options), to find it again for a resume. */
  resumeKey?: string;
  /** What the findings depend on besides repo content (see scan/detection-digest.ts). */
  detectionDigest?: string;
}

export interface RepoRecord {
  key: string;
  name: string;
  source: string;
  cloneUrl?: string;
  metadata?: RemoteRepoMetadata;
}

export interface RepoScanRecord {
  headCommit: string | null;
  verdict: string;
  reasons: string[];
  historyScanned: boolean;
  filesScanned: number;
  bytesScanned: number;
  durationMs: number;
  error?: string;
  findings: Finding[];
  notScanned: { path: string; reason: string }[];
  /** The repo has no commits. */
  empty?: boolean;
  /** Reasons that do not come from findings (a broken .keepopen.yaml), kept for re-triage. */
  extraReasons?: string[];
  /** The scan whose results were carried forward because HEAD had not moved. */
  carriedFrom?: string;
  /** Against the repo's previous result: what was fixed, moved, is new or still present. */
  changes?: RepoChanges;
}

/** A repo result as recorded, without its changes (enough to report it again). */
export type RecordedResult = Omit<RepoScanRecord, 'changes'>;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export interface StoredRepoScan {
  name: string;
  key: string;
  source: string;
  headCommit: string | null;
  verdict: string;
  reasons: string[];
  historyScanned: boolean;
}

export interface StoredFinding {
  repo: string;
  path: string;
  line: number;
  column: number;
  ruleId: string;
  category: string;
  severity: string;
  fingerprint: string;
  redacted: string;
  commit: string | null;
  inHistoryOnly: boolean;
  title: string;
  confidence: string;
  suppressedBy: { marker: string; line: number } | null;
}

export class ScanStore {
  private constructor(readonly db: SqliteDatabase) {}

  static async open(path: string): Promise<ScanStore> {
    const db = await SqliteDatabase.open(path);
    try {
      await migrate(db);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return new ScanStore(db);
  }

  /** Records a new scan, owned by this process. */
  async startScan(scan: ScanRecord): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('INSERT INTO scans (id, started_at, command, owner_pid, owner_host, resume_key, detection_digest) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        scan.id, scan.startedAt, scan.command, process.pid, hostname(), scan.resumeKey ?? null, scan.detectionDigest ?? null,
      ]);
    });
  }

  /** Takes over an interrupted scan to resume it. */
  async claimScan(scanId: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('UPDATE scans SET owner_pid = ?, owner_host = ? WHERE id = ?', [process.pid, hostname(), scanId]);
    });
  }

  /**
   * The latest scan of the same repos and options that never finished and whose process
   * is gone (killed, crashed, interrupted): running the same scan again resumes it. A
   * scan whose process still runs on this host is someone else's, never resumed.
   */
  async resumableScan(resumeKey: string): Promise<ScanRecord | undefined> {
    const row = await this.db.get<{ id: string; started_at: string; finished_at: string | null; command: string; owner_pid: number | null; owner_host: string | null }>(
      'SELECT id, started_at, finished_at, command, owner_pid, owner_host FROM scans WHERE resume_key = ? ORDER BY started_at DESC LIMIT 1',
      [resumeKey],
    );
    if (!row || row.finished_at !== null) return undefined;
    if (row.owner_pid !== null && (row.owner_host !== hostname() || processAlive(row.owner_pid))) return undefined;
    return { id: row.id, startedAt: row.started_at, command: row.command, resumeKey };
  }

  /** The repo results already recorded for a scan, by repo key (for a resumed scan). */
  async recordedResults(scanId: string): Promise<Map<string, RecordedResult>> {
    const rows = await this.db.all<{
      repo_id: number; key: string; head_commit: string | null; verdict: string; reasons: string; history_scanned: number; files_scanned: number;
      bytes_scanned: number; duration_ms: number; error: string | null; empty: number; extra_reasons: string; carried_from_scan: string | null;
    }>(
      `SELECT rs.repo_id, r.key, rs.head_commit, rs.verdict, rs.reasons, rs.history_scanned, rs.files_scanned, rs.bytes_scanned, rs.duration_ms,
              rs.error, rs.empty, rs.extra_reasons, rs.carried_from_scan
         FROM repo_scans rs JOIN repos r ON r.id = rs.repo_id WHERE rs.scan_id = ?`,
      [scanId],
    );
    const results = new Map<string, RecordedResult>();
    for (const row of rows) {
      const findings = (await this.db.all<FindingRow & Record<string, unknown>>(
        `SELECT ${FINDING_COLUMNS} FROM findings f WHERE f.scan_id = ? AND f.repo_id = ? ORDER BY f.id`,
        [scanId, row.repo_id],
      )).map(findingFromRow);
      const notScanned = await this.db.all<{ path: string; reason: string }>('SELECT path, reason FROM not_scanned WHERE scan_id = ? AND repo_id = ?', [scanId, row.repo_id]);
      results.set(row.key, {
        headCommit: row.head_commit, verdict: row.verdict, reasons: JSON.parse(row.reasons) as string[], historyScanned: row.history_scanned === 1,
        filesScanned: row.files_scanned, bytesScanned: row.bytes_scanned, durationMs: row.duration_ms,
        ...(row.error !== null ? { error: row.error } : {}),
        findings, notScanned, empty: row.empty === 1, extraReasons: JSON.parse(row.extra_reasons) as string[],
        ...(row.carried_from_scan !== null ? { carriedFrom: row.carried_from_scan } : {}),
      });
    }
    return results;
  }

  async finishScan(scanId: string, finishedAt: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('UPDATE scans SET finished_at = ? WHERE id = ?', [finishedAt, scanId]);
    });
  }

  /** Inserts or refreshes a repo (and what its host says about it); returns its id. Call inside a transaction. */
  private async upsertRepo(repo: RepoRecord): Promise<number> {
    const m = repo.metadata;
    const flag = (v: boolean | undefined) => (v === undefined ? null : v ? 1 : 0);
    await this.db.run(
      `INSERT INTO repos (key, name, source, clone_url, remote_id, default_branch, size_kb, pushed_at, archived, fork, visibility)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET name = excluded.name, source = excluded.source,
           clone_url = COALESCE(excluded.clone_url, clone_url), remote_id = COALESCE(excluded.remote_id, remote_id),
           default_branch = COALESCE(excluded.default_branch, default_branch), size_kb = COALESCE(excluded.size_kb, size_kb),
           pushed_at = COALESCE(excluded.pushed_at, pushed_at), archived = COALESCE(excluded.archived, archived),
           fork = COALESCE(excluded.fork, fork), visibility = COALESCE(excluded.visibility, visibility)`,
      [repo.key, repo.name, repo.source, repo.cloneUrl ?? null, m?.id ?? null, m?.defaultBranch ?? null, m?.sizeKb ?? null,
        m?.pushedAt ?? null, flag(m?.archived), flag(m?.fork), m?.visibility ?? null],
    );
    const row = await this.db.get<{ id: number }>('SELECT id FROM repos WHERE key = ?', [repo.key]);
    return row!.id;
  }

  /** Records that a scan listed a repo but did not scan it, and why. */
  async recordSkipped(scanId: string, repo: RepoRecord, reason: string): Promise<void> {
    await this.db.transaction(async () => {
      const repoId = await this.upsertRepo(repo);
      await this.db.run('INSERT OR REPLACE INTO skipped_repos (scan_id, repo_id, reason) VALUES (?, ?, ?)', [scanId, repoId, reason]);
    });
  }

  async skipped(scanId: string): Promise<{ name: string; key: string; reason: string }[]> {
    return this.db.all<{ name: string; key: string; reason: string }>(
      'SELECT r.name, r.key, s.reason FROM skipped_repos s JOIN repos r ON r.id = s.repo_id WHERE s.scan_id = ? ORDER BY r.name',
      [scanId],
    );
  }

  /** Writes one repo's whole result for a scan in one transaction. */
  async recordRepoScan(scanId: string, repo: RepoRecord, result: RepoScanRecord): Promise<void> {
    await this.db.transaction(async () => {
      const repoId = await this.upsertRepo(repo);
      await this.db.run(
        `INSERT INTO repo_scans (scan_id, repo_id, head_commit, verdict, reasons, history_scanned, files_scanned,
           bytes_scanned, duration_ms, error, finished_at, empty, extra_reasons, carried_from_scan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [scanId, repoId, result.headCommit, result.verdict, JSON.stringify(result.reasons), result.historyScanned ? 1 : 0,
          result.filesScanned, result.bytesScanned, result.durationMs, result.error ?? null, new Date().toISOString(),
          result.empty ? 1 : 0, JSON.stringify(result.extraReasons ?? []), result.carriedFrom ?? null],
      );
      if (result.changes) {
        const rows: [string, { fingerprint: string; ruleId: string; path: string; line: number; from?: { path: string; line: number } }[]][] = [
          ['fixed', result.changes.fixed], ['still-present', result.changes.stillPresent], ['moved', result.changes.moved], ['new', result.changes.new],
        ];
        for (const [change, places] of rows) {
          for (const p of places) {
            await this.db.run(
              'INSERT INTO finding_changes (scan_id, repo_id, fingerprint, change, rule_id, path, line, from_path, from_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
              [scanId, repoId, p.fingerprint, change, p.ruleId, p.path, p.line, p.from?.path ?? null, p.from?.line ?? null],
            );
          }
        }
      }
      // Each distinct finding of the repo is tracked across scans: when it was first and last seen.
      for (const fingerprint of new Set(result.findings.map((f) => f.fingerprint))) {
        const ruleId = result.findings.find((f) => f.fingerprint === fingerprint)!.ruleId;
        await this.db.run(
          `INSERT INTO tracked_findings (repo_id, fingerprint, rule_id, first_seen_scan, last_seen_scan) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(repo_id, fingerprint) DO UPDATE SET last_seen_scan = excluded.last_seen_scan`,
          [repoId, fingerprint, ruleId, scanId, scanId],
        );
      }
      for (const f of result.findings) {
        await this.db.run(
          `INSERT INTO findings (scan_id, repo_id, fingerprint, secret_hash, rule_id, title, category, severity, confidence,
             path, line, col, redacted, commit_id, in_history_only, suppressed_by, suppressed_line)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [scanId, repoId, f.fingerprint, f.secretHash, f.ruleId, f.title, f.category, f.severity, f.confidence, f.path, f.line,
            f.column, f.redacted, f.commit ?? result.headCommit, f.inHistoryOnly ? 1 : 0, f.suppressedBy?.marker ?? null, f.suppressedBy?.line ?? null],
        );
      }
      for (const n of result.notScanned) {
        await this.db.run('INSERT INTO not_scanned (scan_id, repo_id, path, reason) VALUES (?, ?, ?, ?)', [scanId, repoId, n.path, n.reason]);
      }
    });
  }

  /** A repo's most recent recorded result (any scan), with its findings, for comparison and carry-forward. */
  async previousResult(key: string): Promise<PreviousResult | undefined> {
    const row = await this.db.get<{
      scan_id: string; repo_id: number; head_commit: string | null; verdict: string; history_scanned: number; empty: number; extra_reasons: string;
      detection_digest: string | null;
    }>(
      `SELECT rs.scan_id, rs.repo_id, rs.head_commit, rs.verdict, rs.history_scanned, rs.empty, rs.extra_reasons, s.detection_digest
         FROM repo_scans rs JOIN repos r ON r.id = rs.repo_id JOIN scans s ON s.id = rs.scan_id
        WHERE r.key = ? ORDER BY s.started_at DESC LIMIT 1`,
      [key],
    );
    if (!row) return undefined;
    const findings = (await this.db.all<FindingRow & Record<string, unknown>>(
      `SELECT ${FINDING_COLUMNS} FROM findings f WHERE f.scan_id = ? AND f.repo_id = ? ORDER BY f.path, f.line, f.col`,
      [row.scan_id, row.repo_id],
    )).map(findingFromRow);
    const notScanned = await this.db.all<{ path: string; reason: string }>('SELECT path, reason FROM not_scanned WHERE scan_id = ? AND repo_id = ?', [row.scan_id, row.repo_id]);
    return {
      scanId: row.scan_id, headCommit: row.head_commit, verdict: row.verdict, historyScanned: row.history_scanned === 1,
      findings, notScanned, empty: row.empty === 1, extraReasons: JSON.parse(row.extra_reasons) as string[],
      detectionDigest: row.detection_digest,
    };
  }

  /** Known repos matching what a user typed: a name (owner/name or folder name), a key, a path or a clone URL. */
  async findRepos(query: string): Promise<{ key: string; name: string; source: string; clone_url: string | null }[]> {
    return this.db.all<{ key: string; name: string; source: string; clone_url: string | null }>(
      `SELECT key, name, source, clone_url FROM repos
        WHERE lower(name) = lower(?) OR key = ? OR key = ? OR source = ? OR clone_url = ? ORDER BY name`,
      [query, query, `local:${query}`, query, query],
    );
  }

  async allRepos(): Promise<{ key: string; name: string; source: string; clone_url: string | null }[]> {
    return this.db.all<{ key: string; name: string; source: string; clone_url: string | null }>(
      'SELECT key, name, source, clone_url FROM repos WHERE id IN (SELECT repo_id FROM repo_scans) ORDER BY name',
    );
  }

  async latestScanId(): Promise<string | undefined> {
    const row = await this.db.get<{ id: string }>('SELECT id FROM scans ORDER BY started_at DESC LIMIT 1');
    return row?.id;
  }

  async repoScans(scanId: string): Promise<StoredRepoScan[]> {
    const rows = await this.db.all<{
      name: string; key: string; source: string; head_commit: string | null; verdict: string; reasons: string; history_scanned: number;
    }>(
      `SELECT r.name, r.key, r.source, s.head_commit, s.verdict, s.reasons, s.history_scanned
         FROM repo_scans s JOIN repos r ON r.id = s.repo_id WHERE s.scan_id = ? ORDER BY r.name, r.key`,
      [scanId],
    );
    return rows.map((r) => ({
      name: r.name, key: r.key, source: r.source, headCommit: r.head_commit, verdict: r.verdict,
      reasons: JSON.parse(r.reasons) as string[], historyScanned: r.history_scanned === 1,
    }));
  }

  async findings(scanId: string): Promise<StoredFinding[]> {
    const rows = await this.db.all<{
      name: string; path: string; line: number; col: number; rule_id: string; category: string; severity: string;
      fingerprint: string; redacted: string; commit_id: string | null; in_history_only: number; title: string; confidence: string;
      suppressed_by: string | null; suppressed_line: number | null;
    }>(
      `SELECT r.name, f.path, f.line, f.col, f.rule_id, f.category, f.severity, f.fingerprint, f.redacted, f.commit_id, f.in_history_only,
              f.title, f.confidence, f.suppressed_by, f.suppressed_line
         FROM findings f JOIN repos r ON r.id = f.repo_id WHERE f.scan_id = ? ORDER BY r.name, f.path, f.line, f.col`,
      [scanId],
    );
    return rows.map((r) => ({
      repo: r.name, path: r.path, line: r.line, column: r.col, ruleId: r.rule_id, category: r.category, severity: r.severity,
      fingerprint: r.fingerprint, redacted: r.redacted, commit: r.commit_id, inHistoryOnly: r.in_history_only === 1,
      title: r.title, confidence: r.confidence,
      suppressedBy: r.suppressed_by === null ? null : { marker: r.suppressed_by, line: r.suppressed_line ?? 0 },
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
