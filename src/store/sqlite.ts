import { accessSync, closeSync, constants, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';

// A small promise face on the sqlite3 package. Transactions are serialized: the
// scan finishes repos concurrently, and two interleaved BEGINs on one connection
// would corrupt each other's writes.

export class StoreError extends Error {
  override name = 'StoreError';
}

export type Row = Record<string, unknown>;

/** Why a database file (or its folder, where SQLite puts its -wal and -shm files) cannot be written, if it cannot. */
function notWritable(path: string): string | undefined {
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code ?? 'not writable';
    }
  }
  return undefined;
}

/**
 * SQLite's failures that are about the file, not the SQL, as one line saying what to
 * do (the caller prints it and exits 2). Anything else stays as it is: a bug.
 */
export function describeSqliteError(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code;
  const detail = (error as Error).message?.replace(/^SQLITE_[A-Z_]+: /, '') ?? String(error);
  switch (code) {
    case 'SQLITE_FULL':
      return new StoreError(`cannot write to database ${path}: the disk is full (SQLITE_FULL); free space, then run the same command again to resume`);
    case 'SQLITE_READONLY':
      return new StoreError(`cannot write to database ${path}: it is read-only (SQLITE_READONLY); give a writable --db path or fix its permissions`);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new StoreError(`database ${path} stayed locked by another process for too long (${code}); wait for the other keepopen to finish, or give another --db`);
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new StoreError(`${path} is not a usable keepopen database (${detail}); give another --db path or move this file aside`);
    case 'SQLITE_CANTOPEN': {
      const why = notWritable(path);
      return why
        ? new StoreError(`cannot write to database ${path}: it is read-only (${why}); give a writable --db path or fix its permissions`)
        : new StoreError(`cannot open database ${path} (${detail}); check the folder exists and is writable`);
    }
    case 'SQLITE_IOERR':
      return new StoreError(`cannot read or write database ${path}: I/O error (${detail}); check the disk, then run the same command again to resume`);
    default:
      return error;
  }
}
type Param = string | number | null | bigint | Buffer;

export class SqliteDatabase {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: sqlite3.Database,
    readonly path: string,
  ) {}

  /** Opens (creating owner-only if new) a database file. */
  static async open(path: string): Promise<SqliteDatabase> {
    if (path !== ':memory:' && !existsSync(path)) {
      try {
        // Created here first so its permissions are owner-only (0600) from the start;
        // SQLite gives its -wal and -shm files the same permissions.
        closeSync(openSync(path, 'wx', 0o600));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new StoreError(`cannot create database ${path}: ${code ?? (error as Error).message}; check the folder exists and is writable`);
      }
    }
    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const handle = new sqlite3.Database(path, (error) => (error ? reject(error) : resolve(handle)));
    }).catch((error: Error) => {
      throw new StoreError(`cannot open database ${path}: ${error.message}`);
    });
    return new SqliteDatabase(db, path);
  }

  run(sql: string, params: Param[] = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) => {
      const path = this.path;
      this.db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(describeSqliteError(error, path));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  all<T extends Row = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (error, rows) => (error ? reject(describeSqliteError(error, this.path)) : resolve(rows as T[])));
    });
  }

  get<T extends Row = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (error, row) => (error ? reject(describeSqliteError(error, this.path)) : resolve(row as T | undefined)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (error) => (error ? reject(describeSqliteError(error, this.path)) : resolve()));
    });
  }

  /** Runs `work` inside BEGIN IMMEDIATE ... COMMIT, after any transaction already queued; rolls back on error. */
  transaction<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      await this.run('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await this.run('COMMIT');
        return result;
      } catch (error) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  close(): Promise<void> {
    return this.tail.then(
      () => new Promise<void>((resolve, reject) => this.db.close((error) => (error ? reject(error) : resolve()))),
    );
  }
}
