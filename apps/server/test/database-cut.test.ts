import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../src/db/unavailable.ts';
import { ADMIN_URL, createTestDb, type TestDb } from './databases.ts';

/**
 * A connection cut while it is checked out of the pool — in a transaction, between two of its
 * statements, as during a PostgreSQL restart under load (issue 16) — fails that transaction and
 * nothing else: before, pg's 'error' event on the checked-out client had no listener and the
 * process died (every web server and worker of the surge, at once).
 */
describe('PostgreSQL connections cut while in use', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('fail the transaction that held them; the process lives and the next query reconnects', async () => {
    const crashes: unknown[] = [];
    const onUncaught = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const transaction = t.db.kysely.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        const admin = new pg.Client({ connectionString: ADMIN_URL });
        await admin.connect();
        await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        await admin.end();
        // The socket closes while the client is checked out and idle between statements.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await trx.selectFrom('courses').selectAll().execute();
      });
      const failure = await transaction.then(
        () => null,
        (error: unknown) => error,
      );
      // What the error handler answers 503 (retry shortly) rather than 500.
      expect(isDatabaseUnavailable(failure)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(crashes).toEqual([]);
      expect(await t.db.kysely.selectFrom('courses').selectAll().execute()).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});

describe('isDatabaseUnavailable', () => {
  it('tells a database out of reach from a wrong query', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
