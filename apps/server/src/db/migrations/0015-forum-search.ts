import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// Full-text search over the forum (issue 13, ADR 044): one index entry per post not deleted of a
// thread not deleted — the opening post carries the thread's title —, kept by triggers on
// forum_posts and forum_threads so that no write path can forget it. SQLite: a contentless FTS5
// table (rowid = post id; diacritics folded by its tokenizer). PostgreSQL: a table of tsvectors
// ('french', accents folded by carnet_fold since `unaccent` is an extension we may not install)
// under a GIN index. Posts written before this migration are indexed by it.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) await upPostgres(db);
  else await upSqlite(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upSqlite(db: Kysely<any>): Promise<void> {
  // Contentless: the text stays in forum_posts only; `contentless_delete` lets triggers remove rows.
  await sql`create virtual table forum_search using fts5(
    title, body, content = '', contentless_delete = 1, tokenize = "unicode61 remove_diacritics 2")`.execute(db);
  // A post is indexed when it and its thread are not deleted; the opening post (depth 0) with the title.
  const entry = (post: string, title: string) =>
    sql.raw(`insert into forum_search (rowid, title, body)
      select ${post}.id, case when ${post}.depth = 0 then ${title} else '' end, ${post}.body`);
  await sql`create trigger forum_search_post_insert after insert on forum_posts when new.deleted = 0 begin
    ${entry('new', 't.title')} from forum_threads t where t.id = new.thread_id and t.deleted = 0;
  end`.execute(db);
  await sql`create trigger forum_search_post_update after update of body, deleted, thread_id, depth on forum_posts begin
    delete from forum_search where rowid = old.id;
    ${entry('new', 't.title')} from forum_threads t where t.id = new.thread_id and t.deleted = 0 and new.deleted = 0;
  end`.execute(db);
  await sql`create trigger forum_search_post_delete after delete on forum_posts begin
    delete from forum_search where rowid = old.id;
  end`.execute(db);
  await sql`create trigger forum_search_thread_title after update of title on forum_threads
    when new.deleted = 0 and old.deleted = 0 begin
    delete from forum_search where rowid in (select id from forum_posts where thread_id = new.id and depth = 0);
    ${entry('p', 'new.title')} from forum_posts p where p.thread_id = new.id and p.depth = 0 and p.deleted = 0;
  end`.execute(db);
  await sql`create trigger forum_search_thread_deleted after update of deleted on forum_threads
    when new.deleted <> old.deleted begin
    delete from forum_search where rowid in (select id from forum_posts where thread_id = new.id);
    ${entry('p', 'new.title')} from forum_posts p where p.thread_id = new.id and p.deleted = 0 and new.deleted = 0;
  end`.execute(db);
  await sql`${entry('p', 't.title')} from forum_posts p join forum_threads t on t.id = p.thread_id
    where p.deleted = 0 and t.deleted = 0`.execute(db);
}

/** Accented Latin letters (lower case) by the letter they fold to (translate(), one for one). */
const FOLDS: Record<string, string> = {
  a: 'àáâãäåāăą',
  c: 'çćč',
  d: 'ďđ',
  e: 'èéêëēėęě',
  g: 'ğ',
  i: 'ìíîïīįı',
  l: 'ł',
  n: 'ñńň',
  o: 'òóôõöøōő',
  r: 'ř',
  s: 'śšş',
  t: 'ťţ',
  u: 'ùúûüūůű',
  y: 'ýÿ',
  z: 'źżž',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upPostgres(db: Kysely<any>): Promise<void> {
  // Upper case too (lower() may not know them under the C collation); İ for ı's upper case I.
  const pairs = Object.entries(FOLDS).flatMap(([to, letters]) =>
    [...letters].flatMap((l) => [
      [l, to],
      [l === 'ı' ? 'İ' : l.toUpperCase(), to],
    ]),
  );
  const from = pairs.map(([l]) => l).join('');
  const to = pairs.map(([, t]) => t).join('');
  // Lower case, ligatures spelt out, accents dropped: what both the index and the queries see.
  await sql`create function carnet_fold(text) returns text language sql immutable strict parallel safe as $$
    select translate(
      replace(replace(replace(replace(replace(lower($1), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'),
      ${sql.lit(from)}, ${sql.lit(to)})
  $$`.execute(db);
  // A post's document: the title (weight A, for the opening post) and the markdown body (weight D).
  await sql`create function forum_search_document(title text, body text) returns tsvector
    language sql immutable parallel safe as $$
    select setweight(to_tsvector('french'::regconfig, carnet_fold(coalesce(title, ''))), 'A')
        || setweight(to_tsvector('french'::regconfig, carnet_fold(body)), 'D')
  $$`.execute(db);
  await sql`create table forum_search (
    post_id integer primary key,
    thread_id integer not null,
    course_id integer not null,
    document tsvector not null
  )`.execute(db);
  await sql`create index forum_search_document on forum_search using gin (document)`.execute(db);
  await sql`create index forum_search_thread on forum_search (thread_id)`.execute(db);

  await sql`create function forum_search_post() returns trigger language plpgsql as $$
  begin
    if tg_op <> 'INSERT' then
      delete from forum_search where post_id = old.id;
    end if;
    if tg_op <> 'DELETE' and new.deleted = 0 then
      insert into forum_search (post_id, thread_id, course_id, document)
      select new.id, t.id, t.course_id,
             forum_search_document(case when new.depth = 0 then t.title end, new.body)
      from forum_threads t where t.id = new.thread_id and t.deleted = 0;
    end if;
    return null;
  end $$`.execute(db);
  await sql`create trigger forum_search_post after insert or delete or update of body, deleted, thread_id, depth
    on forum_posts for each row execute function forum_search_post()`.execute(db);

  await sql`create function forum_search_thread() returns trigger language plpgsql as $$
  begin
    if new.deleted <> old.deleted or new.course_id <> old.course_id then
      delete from forum_search where thread_id = new.id;
      if new.deleted = 0 then
        insert into forum_search (post_id, thread_id, course_id, document)
        select p.id, new.id, new.course_id,
               forum_search_document(case when p.depth = 0 then new.title end, p.body)
        from forum_posts p where p.thread_id = new.id and p.deleted = 0;
      end if;
    elsif new.title is distinct from old.title and new.deleted = 0 then
      update forum_search s set document = forum_search_document(new.title, p.body)
      from forum_posts p where p.thread_id = new.id and p.depth = 0 and s.post_id = p.id;
    end if;
    return null;
  end $$`.execute(db);
  await sql`create trigger forum_search_thread after update of title, deleted, course_id
    on forum_threads for each row execute function forum_search_thread()`.execute(db);

  await sql`insert into forum_search (post_id, thread_id, course_id, document)
    select p.id, t.id, t.course_id, forum_search_document(case when p.depth = 0 then t.title end, p.body)
    from forum_posts p join forum_threads t on t.id = p.thread_id
    where p.deleted = 0 and t.deleted = 0`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger forum_search_thread on forum_threads`.execute(db);
    await sql`drop trigger forum_search_post on forum_posts`.execute(db);
    await sql`drop function forum_search_thread()`.execute(db);
    await sql`drop function forum_search_post()`.execute(db);
    await sql`drop table forum_search`.execute(db);
    await sql`drop function forum_search_document(text, text)`.execute(db);
    await sql`drop function carnet_fold(text)`.execute(db);
    return;
  }
  for (const trigger of [
    'forum_search_post_insert',
    'forum_search_post_update',
    'forum_search_post_delete',
    'forum_search_thread_title',
    'forum_search_thread_deleted',
  ]) {
    await sql`drop trigger ${sql.id(trigger)}`.execute(db);
  }
  await sql`drop table forum_search`.execute(db);
}
