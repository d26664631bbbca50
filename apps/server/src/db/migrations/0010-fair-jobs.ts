import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Fairness between learners in the job queue (ADR 035): a job may belong to a key (a learner) whose
// jobs run one at a time and in turn with other keys' (by rank), and to a group (the client's
// address) that admission limits count.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('fair_key', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('fair_group', 'text').execute();
  await db.schema
    .alterTable('jobs')
    .addColumn('fair_rank', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Claims: queued jobs by rank; a key's head and whether it has a job running; a group's pending jobs.
  await db.schema.createIndex('jobs_rank').on('jobs').columns(['status', 'fair_rank', 'id']).execute();
  await db.schema.createIndex('jobs_fair_key').on('jobs').columns(['fair_key', 'status', 'id']).execute();
  await db.schema.createIndex('jobs_fair_group').on('jobs').columns(['fair_group', 'status']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_fair_group').execute();
  await db.schema.dropIndex('jobs_fair_key').execute();
  await db.schema.dropIndex('jobs_rank').execute();
  await db.schema.alterTable('jobs').dropColumn('fair_rank').execute();
  await db.schema.alterTable('jobs').dropColumn('fair_group').execute();
  await db.schema.alterTable('jobs').dropColumn('fair_key').execute();
}
