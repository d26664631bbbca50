import type { Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// The forum's votes, follows, staff endorsement and anonymity (issue 13, second part). Counters
// (`vote_count`, `endorsed_count`) are kept by the statements that change what they count; a
// thread's `vote_count` is its opening post's, so the list sorts by votes from its own row.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('forum_votes')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('forum_posts.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('forum_votes_pk', ['post_id', 'user_id'])
    .execute();
  await db.schema.createIndex('forum_votes_user').on('forum_votes').columns(['user_id']).execute();

  // A row with following = 0 is an explicit "unfollow": automatic follows leave it as it is.
  await db.schema
    .createTable('forum_follows')
    .addColumn('thread_id', 'integer', (c) => c.notNull().references('forum_threads.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('following', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('forum_follows_pk', ['thread_id', 'user_id'])
    .execute();
  // Notifications read a thread's followers; the "followed" filter reads a user's threads.
  await db.schema.createIndex('forum_follows_thread').on('forum_follows').columns(['thread_id', 'following']).execute();
  await db.schema
    .createIndex('forum_follows_user')
    .on('forum_follows')
    .columns(['user_id', 'following', 'thread_id'])
    .execute();

  await db.schema
    .alterTable('forum_posts')
    .addColumn('vote_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('forum_posts')
    .addColumn('endorsed_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();
  await db.schema.alterTable('forum_posts').addColumn('endorsed_at', 'text').execute();
  await db.schema
    .alterTable('forum_posts')
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .alterTable('forum_threads')
    .addColumn('vote_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Replies endorsed by staff and not deleted.
  await db.schema
    .alterTable('forum_threads')
    .addColumn('endorsed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('forum_threads')
    .addColumn('anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('forum_threads_votes')
    .on('forum_threads')
    .columns(['course_id', 'deleted', 'vote_count'])
    .execute();

  // Set by course staff on the course's staff page (carnet.yml does not carry it).
  await db.schema
    .alterTable('courses')
    .addColumn('forum_anonymous', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('courses').dropColumn('forum_anonymous').execute();
  await db.schema.dropIndex('forum_threads_votes').execute();
  for (const column of ['anonymous', 'endorsed_count', 'vote_count'])
    await db.schema.alterTable('forum_threads').dropColumn(column).execute();
  for (const column of ['anonymous', 'endorsed_at', 'endorsed_by', 'vote_count'])
    await db.schema.alterTable('forum_posts').dropColumn(column).execute();
  await db.schema.dropTable('forum_follows').execute();
  await db.schema.dropTable('forum_votes').execute();
}
