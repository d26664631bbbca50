import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Session analytics at 100,000 learners (ADR 049): the progress, exercise and quiz figures are
// counted by a background job, a slice of learners at a time, and kept here; the page reads them.
// The session's quiz attempts are read through its enrolments (the attempts' unique key), so the
// index 0022 added by session is not needed.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('run_analytics')
    .addColumn('run_id', 'integer', (c) => c.primaryKey().references('runs.id').onDelete('cascade'))
    // JSON: the grouped counts (lib/analytics/snapshot.ts).
    .addColumn('figures', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.dropIndex('quiz_attempts_run_problem').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('quiz_attempts_run_problem')
    .on('quiz_attempts')
    .columns(['run_id', 'route', 'problem_id', 'attempt', 'score', 'max', 'user_id'])
    .execute();
  await db.schema.dropTable('run_analytics').execute();
}
