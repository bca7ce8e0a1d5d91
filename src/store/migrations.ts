import { SqliteDatabase, StoreError } from './sqlite.js';

// Schema by version. A migration is appended, never edited: a database made by
// an older keepopen is brought forward step by step when it is opened.

export const MIGRATIONS: readonly string[] = [
  // 1: scans, repos, each repo's result per scan, findings (hash and redacted preview only).
  `
  CREATE TABLE scans (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    command TEXT NOT NULL
  );
  CREATE TABLE repos (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    source TEXT NOT NULL
  );
  CREATE TABLE repo_scans (
    scan_id TEXT NOT NULL REFERENCES scans(id),
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    head_commit TEXT,
    verdict TEXT NOT NULL CHECK (verdict IN ('keep-open', 'review-needed', 'error')),
    reasons TEXT NOT NULL,
    history_scanned INTEGER NOT NULL,
    files_scanned INTEGER NOT NULL,
    bytes_scanned INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    error TEXT,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (scan_id, repo_id)
  );
  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    scan_id TEXT NOT NULL,
    repo_id INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    category TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    redacted TEXT NOT NULL,
    commit_id TEXT,
    in_history_only INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (scan_id, repo_id) REFERENCES repo_scans(scan_id, repo_id)
  );
  CREATE INDEX findings_by_fingerprint ON findings(fingerprint);
  CREATE INDEX findings_by_repo_scan ON findings(scan_id, repo_id);
  CREATE TABLE not_scanned (
    scan_id TEXT NOT NULL,
    repo_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  `,
  // 2: what a reviewer needs beside the value: the rule's title, how sure the match is, and
  // whether the repo itself suppressed it (marker and line; the finding is kept either way).
  `
  ALTER TABLE findings ADD COLUMN title TEXT NOT NULL DEFAULT '';
  ALTER TABLE findings ADD COLUMN confidence TEXT NOT NULL DEFAULT 'medium';
  ALTER TABLE findings ADD COLUMN suppressed_by TEXT;
  ALTER TABLE findings ADD COLUMN suppressed_line INTEGER;
  `,
  // 3: what the hosting API says about each repo, and the repos a scan listed but skipped (forks, archived).
  `
  ALTER TABLE repos ADD COLUMN remote_id INTEGER;
  ALTER TABLE repos ADD COLUMN clone_url TEXT;
  ALTER TABLE repos ADD COLUMN default_branch TEXT;
  ALTER TABLE repos ADD COLUMN size_kb INTEGER;
  ALTER TABLE repos ADD COLUMN pushed_at TEXT;
  ALTER TABLE repos ADD COLUMN archived INTEGER;
  ALTER TABLE repos ADD COLUMN fork INTEGER;
  ALTER TABLE repos ADD COLUMN visibility TEXT;
  CREATE TABLE skipped_repos (
    scan_id TEXT NOT NULL REFERENCES scans(id),
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    reason TEXT NOT NULL,
    PRIMARY KEY (scan_id, repo_id)
  );
  `,
  // 4: triage decisions per finding fingerprint that survive rescans (with an audit log),
  // each repo's findings tracked across scans (first and last seen), and what a repo
  // result needs to be re-triaged without a rescan (empty repo, reasons from its config),
  // and which earlier scan an unchanged repo's results were carried from.
  `
  CREATE TABLE triage (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'false-positive', 'accepted-risk', 'revoked')),
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE triage_log (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    who TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE TABLE tracked_findings (
    repo_id INTEGER NOT NULL REFERENCES repos(id),
    fingerprint TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    first_seen_scan TEXT NOT NULL,
    last_seen_scan TEXT NOT NULL,
    PRIMARY KEY (repo_id, fingerprint)
  );
  CREATE TABLE finding_changes (
    scan_id TEXT NOT NULL,
    repo_id INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('fixed', 'still-present', 'moved', 'new')),
    rule_id TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    from_path TEXT,
    from_line INTEGER
  );
  CREATE INDEX finding_changes_by_scan ON finding_changes(scan_id, repo_id);
  ALTER TABLE repo_scans ADD COLUMN empty INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE repo_scans ADD COLUMN extra_reasons TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE repo_scans ADD COLUMN carried_from_scan TEXT;
  CREATE INDEX repo_scans_by_repo ON repo_scans(repo_id);
  `,
  // 5: which process runs a scan (pid and host) and what it scans (a digest of its repos
  // and the options that change results), so an interrupted scan (finished_at still NULL,
  // its process gone) is resumed by running the same scan again.
  `
  ALTER TABLE scans ADD COLUMN owner_pid INTEGER;
  ALTER TABLE scans ADD COLUMN owner_host TEXT;
  ALTER TABLE scans ADD COLUMN resume_key TEXT;
  CREATE INDEX scans_by_resume_key ON scans(resume_key);
  `,
  // 6: what a scan's findings depend on besides repo content (rules, detection code,
  // excluded paths), so an unchanged repo is carried forward only to a scan that would
  // find the same (NULL for older scans: never carried forward).
  `
  ALTER TABLE scans ADD COLUMN detection_digest TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Switches the file to WAL. Switching needs every other connection's locks gone, and
 * SQLite answers BUSY at once (without waiting out busy_timeout) when two connections
 * opening one new file switch together: so it is retried, briefly, for as long as
 * busy_timeout would have waited.
 */
async function enableWal(db: SqliteDatabase): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; ; attempt++) {
    try {
      await db.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (error) {
      const busy = error instanceof StoreError && /SQLITE_BUSY/.test(error.message);
      if (!busy || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20 * Math.min(attempt + 1, 10)));
    }
  }
}

/** Brings the database to the current schema. Refuses a file that is not SQLite or is from a newer keepopen. */
export async function migrate(db: SqliteDatabase): Promise<void> {
  try {
    // busy_timeout first: a second process opening the same new file waits for the first's locks.
    await db.exec('PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;');
    await enableWal(db);
    await db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  } catch (error) {
    if (error instanceof StoreError) throw error; // already says what is wrong with the file
    throw new StoreError(`${db.path} is not a usable keepopen database (${(error as Error).message}); give another --db path or move this file aside`);
  }
  const readVersion = async () => {
    const current = (await db.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_version'))?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StoreError(`${db.path} was written by a newer keepopen (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade keepopen`);
    }
    return current;
  };
  if ((await readVersion()) === SCHEMA_VERSION) return;
  await db.transaction(async () => {
    // Read again under the write lock: two scans starting on one new file at once must not
    // both run the same migration (the second waits here, then finds nothing to do).
    const current = await readVersion();
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      await db.exec(MIGRATIONS[version - 1]!);
      await db.run('INSERT INTO schema_version (version) VALUES (?)', [version]);
    }
  });
}
