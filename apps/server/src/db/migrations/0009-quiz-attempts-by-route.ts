import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Staff figures per quiz (ADR 028) read a course's attempts by route: without this index every
// staff page would scan the whole table (every learner, every course).

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('quiz_attempts_course_route')
    .on('quiz_attempts')
    .columns(['course_id', 'route', 'version_id'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('quiz_attempts_course_route').execute();
}
