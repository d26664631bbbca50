import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// A teacher's own notebooks (issue 14, ADR 052) are private courses: never listed, never
// enrollable, readable by their owner (and, through activities, by the pupils given them).
// `private` never changes once the course exists; `owner_id` is set null when the owner's account
// goes, so that activities pinned to the notebook's versions keep working for co-teachers.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('courses')
    .addColumn('private', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('courses')
    .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('courses_owner').on('courses').columns(['owner_id', 'id']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('courses_owner').execute();
  await db.schema.alterTable('courses').dropColumn('owner_id').execute();
  await db.schema.alterTable('courses').dropColumn('private').execute();
}
