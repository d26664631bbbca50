import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// A topic's number of threads kept on the topic (issue 13's benchmark: counting them per request
// took a second at 100,000 threads), moved in the transaction that creates or deletes a thread.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('forum_topics')
    .addColumn('thread_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update forum_topics set thread_count = (
      select count(*) from forum_threads
      where forum_threads.topic_id = forum_topics.id and forum_threads.deleted = 0
    )`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('forum_topics').dropColumn('thread_count').execute();
}
