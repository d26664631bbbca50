import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL, createTestDb, type TestDb } from './databases.ts';

describe('PostgreSQL connections', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('survive the server closing idle connections (restart, failover): the next query reconnects', async () => {
    await Promise.all([1, 2, 3].map(() => t.db.kysely.selectFrom('courses').selectAll().execute()));
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    const { rowCount } = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [new URL(t.databaseUrl!).pathname.slice(1)],
    );
    await admin.end();
    expect(rowCount).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await t.db.kysely.selectFrom('courses').selectAll().execute()).toEqual([]);
  });
});
