import { closeSync, existsSync, openSync } from 'node:fs';
import sqlite3 from 'sqlite3';

// A small promise face on the sqlite3 package. Transactions are serialized: the
// scan finishes repos concurrently, and two interleaved BEGINs on one connection
// would corrupt each other's writes.

export class StoreError extends Error {
  override name = 'StoreError';
}

export type Row = Record<string, unknown>;
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
      this.db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  all<T extends Row = Row>(sql: string, params: Param[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[])));
    });
  }

  get<T extends Row = Row>(sql: string, params: Param[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (error, row) => (error ? reject(error) : resolve(row as T | undefined)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (error) => (error ? reject(error) : resolve()));
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
