import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Video pages (issue 12): what a learner has seen of each video (played segments, where they
// stopped), and a session's choice to count videos toward completion.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('video_views')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('video', 'text', (c) => c.notNull())
    .addColumn('duration', 'real', (c) => c.notNull())
    .addColumn('position', 'real', (c) => c.notNull())
    // JSON: [[start, end], …] in seconds, merged and sorted.
    .addColumn('segments', 'text', (c) => c.notNull())
    .addColumn('watched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('video_views_pk', ['user_id', 'course_id', 'route', 'video'])
    .execute();
  await db.schema
    .alterTable('runs')
    .addColumn('videos_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('videos_count').execute();
  await db.schema.dropTable('video_views').execute();
}
