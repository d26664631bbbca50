import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

/** Every database test runs on both: `describe.each(DIALECTS)`. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** The server used for PostgreSQL tests; each test database is created and dropped on it. */
export const ADMIN_URL = process.env['CARNET_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  dataDir: string;
  /** For PostgreSQL, the URL of this test's database. */
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

/** A fresh, migrated database of the given kind, and a data directory, both removed by cleanup(). */
export async function createTestDb(dialect: Dialect, options: { migrate?: boolean } = {}): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-test-'));
  let databaseUrl: string | undefined;
  let dropDatabase = async (): Promise<void> => {};
  if (dialect === 'postgres') {
    const name = `carnet_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(
        `PostgreSQL is not reachable at ${ADMIN_URL} (${(error as Error).message}). Start it (see .ci/run) or set CARNET_TEST_DATABASE_URL.`,
      );
    }
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  }
  const db = openDatabase({ databaseUrl, dataDir, poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    db,
    dataDir,
    databaseUrl,
    async cleanup() {
      await db.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
