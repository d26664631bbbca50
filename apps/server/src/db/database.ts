import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

/** A connected database and what kind it is. */
export interface Db {
  kysely: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** Where it lives, for logs: the SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  /** How it was opened: another thread opens its own connection from these (the grade report's worker). */
  options: DbOptions;
  /** PostgreSQL: the pool's connections (for `/metrics`); SQLite has one connection and no pool. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  /**
   * SQLite only: a read-only connection to an existing file, without the writer's pragmas (WAL lets
   * it read while the server writes).
   */
  readonly?: boolean;
}

/**
 * Opens PostgreSQL when a URL is given, else the SQLite file `carnet.db` in the data directory
 * (WAL, synchronous FULL: a committed write survives a crash of the process or of the machine).
 */
export function openDatabase(options: DbOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle connection closed by the server (restart, failover, dropped database) is discarded by
    // the pool; without a listener its error would crash the process. Queries in flight still fail.
    pool.on('error', () => {});
    // A connection cut while checked out (in a query or a transaction) rejects its query, and pg
    // then also emits 'error' on the client, which pg-pool listens to only while the client is
    // idle: without this listener a PostgreSQL restart crashed every process (issue 16's faults).
    // The dead client is dropped when released (pg-pool checks it is still queryable).
    pool.on('connect', (client) => client.on('error', () => {}));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      kysely,
      dialect: 'postgres',
      location: redact(options.databaseUrl),
      options,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => kysely.destroy(),
    };
  }
  const file = join(options.dataDir, 'carnet.db');
  let sqlite: SQLite.Database;
  if (options.readonly) {
    sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
  }
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { kysely, dialect: 'sqlite', location: file, options, close: () => kysely.destroy() };
}

/**
 * Kysely prepares every query anew; preparing costs as much as running a small query. Queries are
 * built from a fixed set of shapes, so their compiled statements are kept and reused.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= 1000) statements.delete(statements.keys().next().value!);
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  } as SqliteDatabase;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres';
  }
}

// PostgreSQL returns 64-bit integers (count(*), sums) as strings; they fit in a JS number here.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
