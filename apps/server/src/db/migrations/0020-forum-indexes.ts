import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Indexes for the forum's read paths at issue 13's scale (100,000 threads, 2,000,000 posts; ADR 047).
// Each one holds a query's equality filters, then its order, so that a page is read in order and
// stops after its rows: no sort, no OFFSET over joined rows, counts from the index alone.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const index = (name: string, table: string, columns: string[]) =>
    db.schema.createIndex(name).on(table).columns(columns).execute();
  // The lists learners see: not deleted, not hidden, pinned apart; by activity or by votes.
  await index('forum_threads_listed', 'forum_threads', [
    'course_id',
    'deleted',
    'hidden',
    'pinned',
    'last_activity_at',
    'id',
  ]);
  await index('forum_threads_listed_votes', 'forum_threads', [
    'course_id',
    'deleted',
    'hidden',
    'pinned',
    'vote_count',
    'last_activity_at',
    'id',
  ]);
  await index('forum_threads_topic_listed', 'forum_threads', [
    'topic_id',
    'deleted',
    'hidden',
    'pinned',
    'last_activity_at',
    'id',
  ]);
  // An item's panel: its latest threads, and how many (counted in the index).
  await index('forum_threads_route_listed', 'forum_threads', [
    'course_id',
    'route',
    'deleted',
    'hidden',
    'last_activity_at',
    'id',
  ]);
  // A thread's replies a learner sees (hidden ones left out), in order: pages and counts.
  await index('forum_posts_shown', 'forum_posts', ['thread_id', 'depth', 'hidden', 'id']);
  // The comments of one page's replies, whatever the thread's length.
  await db.schema
    .createIndex('forum_posts_comments')
    .on('forum_posts')
    .columns(['parent_id', 'id'])
    .where(sql.ref('parent_id'), 'is not', null)
    .execute();
  // Similar titles: the titles of threads not deleted, apart from the posts (in forum_search, a
  // title word is one row among its body matches: finding five titles read most of its list).
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Folded and stemmed as forum_search is.
    await sql`create index forum_threads_title on forum_threads
      using gin (to_tsvector('french'::regconfig, carnet_fold(title)))`.execute(db);
    return;
  }
  // SQLite: a contentless FTS5 table (rowid = thread id, tokenised as forum_search), kept by triggers.
  await sql`create virtual table forum_titles using fts5(
    title, content = '', contentless_delete = 1, tokenize = "unicode61 remove_diacritics 2")`.execute(db);
  await sql`create trigger forum_titles_insert after insert on forum_threads when new.deleted = 0 begin
    insert into forum_titles (rowid, title) values (new.id, new.title);
  end`.execute(db);
  await sql`create trigger forum_titles_update after update of title, deleted on forum_threads begin
    delete from forum_titles where rowid = old.id;
    insert into forum_titles (rowid, title) select new.id, new.title where new.deleted = 0;
  end`.execute(db);
  await sql`create trigger forum_titles_delete after delete on forum_threads begin
    delete from forum_titles where rowid = old.id;
  end`.execute(db);
  await sql`insert into forum_titles (rowid, title) select id, title from forum_threads where deleted = 0`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await db.schema.dropIndex('forum_threads_title').execute();
  else {
    for (const trigger of ['forum_titles_insert', 'forum_titles_update', 'forum_titles_delete']) {
      await sql`drop trigger ${sql.id(trigger)}`.execute(db);
    }
    await sql`drop table forum_titles`.execute(db);
  }
  for (const name of [
    'forum_posts_comments',
    'forum_posts_shown',
    'forum_threads_route_listed',
    'forum_threads_topic_listed',
    'forum_threads_listed_votes',
    'forum_threads_listed',
  ]) {
    await db.schema.dropIndex(name).execute();
  }
}
