import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// The request a job was queued by (issue 16): the worker that runs it, on any machine, logs the
// same id as the web server that answered the request, so one submission can be followed across
// processes. Null for jobs queued outside a request (schedulers, the command line).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('request_id', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('request_id').execute();
}
