import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// A version's videos (ADR 040): their bytes live in DATA_DIR/media/<sha256>.<ext>, never in the
// database; this table names them. Sizes reach 4 GiB: bigint (PostgreSQL's integer stops at 2 GiB).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('course_media')
    .addColumn('version_id', 'integer', (c) => c.notNull().references('course_versions.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_media_pk', ['version_id', 'path'])
    .execute();
  // Which versions still name a file (a later prune of DATA_DIR/media).
  await db.schema.createIndex('course_media_sha256').on('course_media').column('sha256').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('course_media').execute();
}
