import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// A session's staff figures (issue 14; the session-analytics ADR): what the
// existing tables cannot say at 100,000 learners — who was active on which day (only the last
// timestamp of most rows is kept), and which verdict rows fail most (parsing every failing verdict's
// JSON per page view is too slow) — kept as the writes happen; and the session's quiz attempts by
// problem, read from an index.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // One row per learner, session and day (the platform's time zone) with any activity; `week` is
  // that day's Monday, so weekly counts read the index of (run, week, user) in order.
  await db.schema
    .createTable('learner_activity')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('week', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('learner_activity_pk', ['run_id', 'day', 'user_id'])
    .execute();
  await db.schema
    .createIndex('learner_activity_week')
    .on('learner_activity')
    .columns(['run_id', 'week', 'user_id'])
    .execute();
  // The user's rows go with the account (foreign keys); this index makes that delete cheap.
  await db.schema.createIndex('learner_activity_user').on('learner_activity').column('user_id').execute();

  // Failing verdicts per session, exercise and check: one counter per row of the verdict that
  // failed (a hidden check once per submission, whatever its scenarios), added in the transaction
  // that stores the verdict.
  await db.schema
    .createTable('exercise_row_failures')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('module', 'text', (c) => c.notNull())
    .addColumn('exercise', 'text', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    // The row's call when it first failed (random exercises draw new ones: the index is the row).
    .addColumn('call', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('exercise_row_failures_pk', ['run_id', 'module', 'exercise', 'hidden', 'row_index'])
    .execute();

  // A session's attempts per problem, read from the index alone (quiz_attempts has the run's id).
  await db.schema
    .createIndex('quiz_attempts_run_problem')
    .on('quiz_attempts')
    .columns(['run_id', 'route', 'problem_id', 'attempt', 'score', 'max', 'user_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('quiz_attempts_run_problem').execute();
  await db.schema.dropTable('exercise_row_failures').execute();
  await db.schema.dropTable('learner_activity').execute();
}
