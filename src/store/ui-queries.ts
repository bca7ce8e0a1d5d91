import type { TriageStatus } from '../triage/verdict.js';
import type { SqliteDatabase } from './sqlite.js';

// What the terminal browser reads: dashboard counts, a filtered and paged repo
// list sorted by risk, one repo's latest result with its findings, and the
// choices each filter can take. All of it is over the LATEST result of each repo
// (its newest scan), as exports are, so a triage decision shows at once.

/** The latest result of every repo: one row per repo, from its newest scan (a window, so it stays one pass for thousands of repos). */
const LATEST = `
  latest AS (
    SELECT repo_id, scan_id, verdict, reasons, head_commit, finished_at, error, history_scanned FROM (
      SELECT rs.repo_id, rs.scan_id, rs.verdict, rs.reasons, rs.head_commit, rs.finished_at, rs.error, rs.history_scanned,
             ROW_NUMBER() OVER (PARTITION BY rs.repo_id ORDER BY s.started_at DESC, rs.finished_at DESC) AS n
        FROM repo_scans rs JOIN scans s ON s.id = rs.scan_id)
     WHERE n = 1)`;

/** A finding still counts when nobody took it out (false-positive, accepted-risk) and the repo did not suppress it. */
const OPEN_FINDING = `(t.status IS NULL OR t.status NOT IN ('false-positive', 'accepted-risk')) AND f.suppressed_by IS NULL`;

/** Owner of a repo: the part of owner/name before the slash; local repos (a folder name) have none. */
export const LOCAL_OWNER = '(local)';
const OWNER_OF = `CASE WHEN instr(r.name, '/') > 0 THEN substr(r.name, 1, instr(r.name, '/') - 1) ELSE '${LOCAL_OWNER}' END`;

/** How risky a repo is, for sorting: open findings weighted by severity, so one high outranks nine mediums. */
const RISK_OF_FINDING = `CASE WHEN f.id IS NULL OR NOT (${OPEN_FINDING}) THEN 0 WHEN f.severity = 'high' THEN 100 WHEN f.severity = 'medium' THEN 10 ELSE 1 END`;

/** Review-needed first (they need a person), then errors (nothing is known), then keep-open. */
const VERDICT_RANK = `CASE l.verdict WHEN 'review-needed' THEN 0 WHEN 'error' THEN 1 ELSE 2 END`;

export interface VerdictCounts {
  'keep-open': number;
  'review-needed': number;
  error: number;
}

export interface FindingGroupCount {
  /** The category or rule id. */
  name: string;
  findings: number;
  /** Not decided false-positive or accepted-risk, and not suppressed by the repo. */
  open: number;
}

export interface ScanOverview {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  command: string;
  repos: number;
}

export interface Dashboard {
  repos: number;
  verdicts: VerdictCounts;
  findings: number;
  openFindings: number;
  byCategory: FindingGroupCount[];
  byRule: FindingGroupCount[];
  lastScans: ScanOverview[];
}

export interface RepoFilter {
  verdict?: string;
  category?: string;
  owner?: string;
  rule?: string;
  /** Matched (case-insensitively) against the repo's name and key, and its findings' paths and rules. */
  text?: string;
}

export interface RepoRow {
  key: string;
  name: string;
  owner: string;
  verdict: string;
  /** Open findings weighted by severity (high 100, medium 10, low 1). */
  risk: number;
  findings: number;
  openFindings: number;
  scannedAt: string;
}

export interface RepoPage {
  rows: RepoRow[];
  /** How many repos match the filter, over all pages. */
  total: number;
}

export interface FilterChoices {
  verdicts: string[];
  categories: string[];
  owners: string[];
  rules: string[];
}

export interface RepoFinding {
  fingerprint: string;
  path: string;
  line: number;
  column: number;
  ruleId: string;
  title: string;
  category: string;
  severity: string;
  confidence: string;
  redacted: string;
  commit: string | null;
  suppressedBy: { marker: string; line: number } | null;
  triage: TriageStatus;
  triageNote: string;
  triageWho: string | null;
  triageAt: string | null;
}

export interface RepoDetail {
  key: string;
  name: string;
  source: string;
  verdict: string;
  reasons: string[];
  headCommit: string | null;
  historyScanned: boolean;
  error: string | null;
  scanId: string;
  scannedAt: string;
  findings: RepoFinding[];
}

export async function dashboard(db: SqliteDatabase, options: { scans?: number; rules?: number } = {}): Promise<Dashboard> {
  const verdictRows = await db.all<{ verdict: string; n: number }>(`WITH ${LATEST} SELECT verdict, COUNT(*) AS n FROM latest GROUP BY verdict`);
  const verdicts: VerdictCounts = { 'keep-open': 0, 'review-needed': 0, error: 0 };
  for (const row of verdictRows) if (row.verdict in verdicts) verdicts[row.verdict as keyof VerdictCounts] = row.n;
  const grouped = (column: 'category' | 'rule_id', limit: number) =>
    db.all<{ name: string; findings: number; open: number }>(
      `WITH ${LATEST}
       SELECT f.${column} AS name, COUNT(*) AS findings, SUM(CASE WHEN ${OPEN_FINDING} THEN 1 ELSE 0 END) AS open
         FROM latest l JOIN findings f ON f.scan_id = l.scan_id AND f.repo_id = l.repo_id
         LEFT JOIN triage t ON t.fingerprint = f.fingerprint
        GROUP BY f.${column} ORDER BY open DESC, findings DESC, name LIMIT ?`,
      [limit],
    );
  const byCategory = await grouped('category', 100);
  const byRule = await grouped('rule_id', options.rules ?? 10);
  const totals = await db.get<{ findings: number; open: number }>(
    `WITH ${LATEST}
     SELECT COUNT(f.id) AS findings, COALESCE(SUM(CASE WHEN ${OPEN_FINDING} THEN 1 ELSE 0 END), 0) AS open
       FROM latest l JOIN findings f ON f.scan_id = l.scan_id AND f.repo_id = l.repo_id
       LEFT JOIN triage t ON t.fingerprint = f.fingerprint`,
  );
  const lastScans = await db.all<{ id: string; started_at: string; finished_at: string | null; command: string; repos: number }>(
    `SELECT s.id, s.started_at, s.finished_at, s.command, (SELECT COUNT(*) FROM repo_scans rs WHERE rs.scan_id = s.id) AS repos
       FROM scans s ORDER BY s.started_at DESC LIMIT ?`,
    [options.scans ?? 5],
  );
  return {
    repos: verdicts['keep-open'] + verdicts['review-needed'] + verdicts.error,
    verdicts,
    findings: totals?.findings ?? 0,
    openFindings: totals?.open ?? 0,
    byCategory,
    byRule,
    lastScans: lastScans.map((s) => ({ id: s.id, startedAt: s.started_at, finishedAt: s.finished_at, command: s.command, repos: s.repos })),
  };
}

/** LIKE with the user's text taken literally (their % and _ are not wildcards). */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterClause(filter: RepoFilter): { where: string; params: string[] } {
  const conditions: string[] = [];
  const params: string[] = [];
  if (filter.verdict) {
    conditions.push('l.verdict = ?');
    params.push(filter.verdict);
  }
  if (filter.owner) {
    conditions.push(`${OWNER_OF} = ?`);
    params.push(filter.owner);
  }
  const hasFinding = (condition: string) =>
    `EXISTS (SELECT 1 FROM findings f WHERE f.scan_id = l.scan_id AND f.repo_id = l.repo_id AND ${condition})`;
  if (filter.category) {
    conditions.push(hasFinding('f.category = ?'));
    params.push(filter.category);
  }
  if (filter.rule) {
    conditions.push(hasFinding('f.rule_id = ?'));
    params.push(filter.rule);
  }
  if (filter.text && filter.text.trim() !== '') {
    const pattern = likePattern(filter.text.trim());
    conditions.push(
      `(lower(r.name) LIKE ? ESCAPE '\\' OR lower(r.key) LIKE ? ESCAPE '\\' OR ` +
        hasFinding(`(lower(f.path) LIKE ? ESCAPE '\\' OR lower(f.rule_id) LIKE ? ESCAPE '\\')`) + ')',
    );
    params.push(pattern, pattern, pattern, pattern);
  }
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** One page of repos matching `filter`, riskiest first (then by name), and how many match in all. */
export async function repoPage(db: SqliteDatabase, filter: RepoFilter, page: { offset: number; limit: number }): Promise<RepoPage> {
  const { where, params } = filterClause(filter);
  const total = await db.get<{ n: number }>(`WITH ${LATEST} SELECT COUNT(*) AS n FROM latest l JOIN repos r ON r.id = l.repo_id ${where}`, params);
  const rows = await db.all<{
    key: string; name: string; owner: string; verdict: string; risk: number; findings: number; open_findings: number; finished_at: string;
  }>(
    `WITH ${LATEST},
     page AS (
       SELECT l.repo_id, l.scan_id, l.verdict, l.finished_at, r.key, r.name, ${OWNER_OF} AS owner, ${VERDICT_RANK} AS rank
         FROM latest l JOIN repos r ON r.id = l.repo_id ${where})
     SELECT p.key, p.name, p.owner, p.verdict, p.finished_at,
            COALESCE(SUM(${RISK_OF_FINDING}), 0) AS risk,
            COUNT(f.id) AS findings,
            COALESCE(SUM(CASE WHEN f.id IS NOT NULL AND ${OPEN_FINDING} THEN 1 ELSE 0 END), 0) AS open_findings
       FROM page p
       LEFT JOIN findings f ON f.scan_id = p.scan_id AND f.repo_id = p.repo_id
       LEFT JOIN triage t ON t.fingerprint = f.fingerprint
      GROUP BY p.repo_id
      ORDER BY p.rank, risk DESC, open_findings DESC, p.name, p.key
      LIMIT ? OFFSET ?`,
    [...params, page.limit, page.offset],
  );
  return {
    total: total?.n ?? 0,
    rows: rows.map((r) => ({
      key: r.key, name: r.name, owner: r.owner, verdict: r.verdict, risk: r.risk, findings: r.findings, openFindings: r.open_findings, scannedAt: r.finished_at,
    })),
  };
}

/** The values each filter can take, from the latest results (so a choice never gives an empty list by itself). */
export async function filterChoices(db: SqliteDatabase): Promise<FilterChoices> {
  const column = async (sql: string) => (await db.all<{ v: string }>(`WITH ${LATEST} ${sql}`)).map((r) => r.v);
  const inFindings = (name: string) =>
    `SELECT DISTINCT f.${name} AS v FROM latest l JOIN findings f ON f.scan_id = l.scan_id AND f.repo_id = l.repo_id ORDER BY v`;
  return {
    verdicts: await column(`SELECT DISTINCT verdict AS v FROM latest ORDER BY CASE verdict WHEN 'review-needed' THEN 0 WHEN 'error' THEN 1 ELSE 2 END`),
    categories: await column(inFindings('category')),
    owners: await column(`SELECT DISTINCT ${OWNER_OF} AS v FROM latest l JOIN repos r ON r.id = l.repo_id ORDER BY v`),
    rules: await column(inFindings('rule_id')),
  };
}

/** A repo's latest result with its findings (open ones first, by severity) and their triage state; undefined when the repo is unknown. */
export async function repoDetail(db: SqliteDatabase, key: string): Promise<RepoDetail | undefined> {
  const row = await db.get<{
    repo_id: number; scan_id: string; name: string; key: string; source: string; verdict: string; reasons: string;
    head_commit: string | null; error: string | null; finished_at: string; history_scanned: number;
  }>(
    `WITH ${LATEST}
     SELECT l.repo_id, l.scan_id, r.name, r.key, r.source, l.verdict, l.reasons, l.head_commit, l.error, l.finished_at, l.history_scanned
       FROM latest l JOIN repos r ON r.id = l.repo_id WHERE r.key = ?`,
    [key],
  );
  if (!row) return undefined;
  const findings = await db.all<{
    fingerprint: string; path: string; line: number; col: number; rule_id: string; title: string; category: string; severity: string;
    confidence: string; redacted: string; commit_id: string | null; suppressed_by: string | null; suppressed_line: number | null;
    status: TriageStatus | null; note: string | null; who: string | null; at: string | null;
  }>(
    `SELECT f.fingerprint, f.path, f.line, f.col, f.rule_id, f.title, f.category, f.severity, f.confidence, f.redacted, f.commit_id,
            f.suppressed_by, f.suppressed_line, t.status, t.note, t.who, t.at
       FROM findings f LEFT JOIN triage t ON t.fingerprint = f.fingerprint
      WHERE f.scan_id = ? AND f.repo_id = ?
      ORDER BY CASE WHEN ${OPEN_FINDING} THEN 0 ELSE 1 END,
               CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, f.path, f.line, f.col`,
    [row.scan_id, row.repo_id],
  );
  return {
    key: row.key, name: row.name, source: row.source, verdict: row.verdict, reasons: JSON.parse(row.reasons) as string[],
    headCommit: row.head_commit, historyScanned: row.history_scanned === 1, error: row.error, scanId: row.scan_id, scannedAt: row.finished_at,
    findings: findings.map((f) => ({
      fingerprint: f.fingerprint, path: f.path, line: f.line, column: f.col, ruleId: f.rule_id, title: f.title, category: f.category,
      severity: f.severity, confidence: f.confidence, redacted: f.redacted, commit: f.commit_id,
      suppressedBy: f.suppressed_by === null ? null : { marker: f.suppressed_by, line: f.suppressed_line ?? 0 },
      triage: f.status ?? 'open', triageNote: f.note ?? '', triageWho: f.who, triageAt: f.at,
    })),
  };
}

/** Whether the database holds any scan result at all (the browser shows a helpful screen when not). */
export async function hasResults(db: SqliteDatabase): Promise<boolean> {
  return (await db.get<{ found: number }>('SELECT EXISTS (SELECT 1 FROM repo_scans) AS found'))?.found === 1;
}
