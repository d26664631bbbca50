import { bodyHash } from '../lib/forum/spam.ts';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database, ForumPost, ForumThread, ForumThreadKind, ForumTopic } from '../db/schema.ts';

/** A topic as the forum lists it: with its number of threads not deleted. */
export interface TopicWithCount extends ForumTopic {
  thread_count: number;
}

/** Inserts the topics a course lacks among these (by key); existing ones are left as they are. */
export async function ensureTopics(
  db: Kysely<Database>,
  courseId: number,
  topics: { key: string; title: string; week: number | null; position: number }[],
  now: Date,
): Promise<void> {
  if (topics.length === 0) return;
  await db
    .insertInto('forum_topics')
    .values(topics.map((t) => ({ course_id: courseId, ...t, created_at: now.toISOString() })))
    .onConflict((oc) => oc.columns(['course_id', 'key']).doNothing())
    .execute();
}

/** A course's topics in forum order, with their thread counts (kept on the topic: never counted here). */
export async function selectTopics(db: Kysely<Database>, courseId: number): Promise<TopicWithCount[]> {
  const rows = await db
    .selectFrom('forum_topics')
    .selectAll()
    .where('course_id', '=', courseId)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, thread_count: Number(r.thread_count) }));
}

/** Moves a topic's thread count, in the transaction that creates or deletes one of its threads. */
export async function addTopicThreads(db: Kysely<Database>, topicId: number, delta: number): Promise<void> {
  await db
    .updateTable('forum_topics')
    .set((eb) => ({ thread_count: eb('thread_count', '+', delta) }))
    .where('id', '=', topicId)
    .execute();
}

/**
 * A thread as lists show it: its author (name, id, whether anonymous: a page shows these through
 * `readerView`, never as they are), its topic's key, its counters.
 */
export interface ThreadSummary {
  id: number;
  kind: ForumThreadKind;
  title: string;
  route: string | null;
  topic_key: string;
  author_id: number | null;
  author_name: string | null;
  anonymous: number;
  reply_count: number;
  vote_count: number;
  last_activity_at: string;
  answered: boolean;
  /** A reply of it is endorsed by staff. */
  endorsed: boolean;
  /** Listed first (moderators pin). */
  pinned: number;
}

/** The orders of the thread list: newest activity first, or most votes (of the opening post) first. */
export type ThreadSort = 'activity' | 'votes';

/** Which threads a list shows. */
export interface ThreadFilter {
  courseId: number;
  topicId?: number;
  route?: string;
  unanswered?: boolean;
  /** Threads this user follows. */
  followedBy?: number;
  /** Threads this user started or posted in (anonymously too: the filter is only ever their own). */
  postedInBy?: number;
  sort?: ThreadSort;
  /** Only pinned threads (true), only the others (false), or both. */
  pinned?: boolean;
}

/** One page of a course's threads not deleted, in the filter's order; `limit + 1` rows tell whether more follow. */
export async function selectThreadSummaries(
  db: Kysely<Database>,
  filter: ThreadFilter,
  page: { limit: number; offset: number },
): Promise<ThreadSummary[]> {
  // The page's ids first, read in the order of an index of migration 0020 (skipping `offset`
  // entries of it, never `offset` joined rows), then only those rows with their topic and author.
  let query = db
    .selectFrom('forum_threads')
    .select('forum_threads.id')
    .where('forum_threads.course_id', '=', filter.courseId)
    .where('forum_threads.deleted', '=', 0)
    .where('forum_threads.hidden', '=', 0);
  if (filter.pinned !== undefined) query = query.where('forum_threads.pinned', '=', filter.pinned ? 1 : 0);
  if (filter.topicId !== undefined) query = query.where('forum_threads.topic_id', '=', filter.topicId);
  if (filter.route !== undefined) query = query.where('forum_threads.route', '=', filter.route);
  if (filter.unanswered) {
    query = query.where('forum_threads.kind', '=', 'question').where('forum_threads.accepted_post_id', 'is', null);
  }
  const { followedBy, postedInBy } = filter;
  if (followedBy !== undefined) {
    query = query.where('forum_threads.id', 'in', (eb) =>
      eb
        .selectFrom('forum_follows')
        .select('forum_follows.thread_id')
        .where('forum_follows.user_id', '=', followedBy)
        .where('forum_follows.following', '=', 1),
    );
  }
  if (postedInBy !== undefined) {
    query = query.where('forum_threads.id', 'in', (eb) =>
      eb
        .selectFrom('forum_posts')
        .select('forum_posts.thread_id')
        .where('forum_posts.author_id', '=', postedInBy)
        .where('forum_posts.deleted', '=', 0),
    );
  }
  if (filter.sort === 'votes') query = query.orderBy('forum_threads.vote_count', 'desc');
  query = query.orderBy('forum_threads.last_activity_at', 'desc').orderBy('forum_threads.id', 'desc');
  let rows = db
    .selectFrom(query.limit(page.limit).offset(page.offset).as('page'))
    .innerJoin('forum_threads', 'forum_threads.id', 'page.id')
    .innerJoin('forum_topics', 'forum_topics.id', 'forum_threads.topic_id')
    .leftJoin('users', 'users.id', 'forum_threads.author_id')
    .select([
      'forum_threads.id',
      'forum_threads.kind',
      'forum_threads.title',
      'forum_threads.route',
      'forum_topics.key as topic_key',
      'forum_threads.author_id',
      'users.display_name as author_name',
      'forum_threads.anonymous',
      'forum_threads.reply_count',
      'forum_threads.vote_count',
      'forum_threads.endorsed_count',
      'forum_threads.last_activity_at',
      'forum_threads.accepted_post_id',
      'forum_threads.pinned',
    ]);
  if (filter.sort === 'votes') rows = rows.orderBy('forum_threads.vote_count', 'desc');
  return (
    await rows.orderBy('forum_threads.last_activity_at', 'desc').orderBy('forum_threads.id', 'desc').execute()
  ).map(({ accepted_post_id, endorsed_count, ...r }) => ({
    ...r,
    answered: accepted_post_id !== null,
    endorsed: endorsed_count > 0,
  }));
}

/**
 * An item's panel: its latest threads learners see (not deleted, not hidden), and how many there
 * are, in one statement (forum_threads_route_listed serves both, the count from the index alone).
 */
export async function selectPanelThreads(
  db: Kysely<Database>,
  courseId: number,
  route: string,
  limit: number,
): Promise<{ threads: ThreadSummary[]; total: number }> {
  const rows = await db
    .selectFrom('forum_threads')
    .innerJoin('forum_topics', 'forum_topics.id', 'forum_threads.topic_id')
    .leftJoin('users', 'users.id', 'forum_threads.author_id')
    .select((eb) => [
      'forum_threads.id',
      'forum_threads.kind',
      'forum_threads.title',
      'forum_threads.route',
      'forum_topics.key as topic_key',
      'forum_threads.author_id',
      'users.display_name as author_name',
      'forum_threads.anonymous',
      'forum_threads.reply_count',
      'forum_threads.vote_count',
      'forum_threads.endorsed_count',
      'forum_threads.last_activity_at',
      'forum_threads.accepted_post_id',
      'forum_threads.pinned',
      eb
        .selectFrom('forum_threads as counted')
        .select((c) => c.fn.countAll<number | string>().as('n'))
        .where('counted.course_id', '=', courseId)
        .where('counted.route', '=', route)
        .where('counted.deleted', '=', 0)
        .where('counted.hidden', '=', 0)
        .as('total'),
    ])
    .where('forum_threads.course_id', '=', courseId)
    .where('forum_threads.route', '=', route)
    .where('forum_threads.deleted', '=', 0)
    .where('forum_threads.hidden', '=', 0)
    .orderBy('forum_threads.last_activity_at', 'desc')
    .orderBy('forum_threads.id', 'desc')
    .limit(limit)
    .execute();
  return {
    total: Number(rows[0]?.total ?? 0),
    threads: rows.map(({ accepted_post_id, endorsed_count, total: _total, ...r }) => ({
      ...r,
      answered: accepted_post_id !== null,
      endorsed: endorsed_count > 0,
    })),
  };
}

/** A thread with its author's name and its topic. */
export type ThreadRow = ForumThread & {
  author_name: string | null;
  topic_key: string;
  topic_title: string;
  topic_week: number | null;
};

/** A course's thread by id (deleted ones too: the caller decides who sees them), or null. */
export async function selectOptionalThread(
  db: Kysely<Database>,
  courseId: number,
  threadId: number,
): Promise<ThreadRow | null> {
  const row = await db
    .selectFrom('forum_threads')
    .innerJoin('forum_topics', 'forum_topics.id', 'forum_threads.topic_id')
    .leftJoin('users', 'users.id', 'forum_threads.author_id')
    .selectAll('forum_threads')
    .select([
      'users.display_name as author_name',
      'forum_topics.key as topic_key',
      'forum_topics.title as topic_title',
      'forum_topics.week as topic_week',
    ])
    .where('forum_threads.course_id', '=', courseId)
    .where('forum_threads.id', '=', threadId)
    .executeTakeFirst();
  return row ?? null;
}

/** Stores a new thread (without its opening post); returns its id. */
export async function insertThread(
  db: Kysely<Database>,
  data: {
    courseId: number;
    topicId: number;
    route: string | null;
    kind: ForumThreadKind;
    title: string;
    authorId: number;
    anonymous: boolean;
  },
  now: Date,
): Promise<number> {
  const at = now.toISOString();
  const row = await db
    .insertInto('forum_threads')
    .values({
      course_id: data.courseId,
      topic_id: data.topicId,
      route: data.route,
      kind: data.kind,
      title: data.title,
      author_id: data.authorId,
      anonymous: data.anonymous ? 1 : 0,
      created_at: at,
      last_activity_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One more reply or comment in a thread: its count and its last activity. */
export async function updateThreadForNewPost(db: Kysely<Database>, threadId: number, now: Date): Promise<void> {
  await db
    .updateTable('forum_threads')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_activity_at: now.toISOString() }))
    .where('id', '=', threadId)
    .execute();
}

/**
 * One reply or comment fewer shown in a thread; an accepted answer deleted is no longer accepted,
 * an endorsed one no longer counts as endorsed.
 */
export async function updateThreadForDeletedPost(
  db: Kysely<Database>,
  threadId: number,
  post: { id: number; endorsed: boolean },
): Promise<void> {
  const postId = post.id;
  await db
    .updateTable('forum_threads')
    .set((eb) => ({
      reply_count: eb('reply_count', '-', 1),
      ...(post.endorsed ? { endorsed_count: eb('endorsed_count', '-', 1) } : {}),
      accepted_post_id: eb
        .case()
        .when('accepted_post_id', '=', postId)
        .then(null)
        .else(eb.ref('accepted_post_id'))
        .end(),
    }))
    .where('id', '=', threadId)
    .execute();
}

/** Marks a thread deleted (its opening post was); says whether it was not already. */
export async function updateThreadDeleted(db: Kysely<Database>, threadId: number): Promise<boolean> {
  const result = await db
    .updateTable('forum_threads')
    .set({ deleted: 1 })
    .where('id', '=', threadId)
    .where('deleted', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets (or, with null, clears) a question's accepted answer. */
export async function updateAcceptedPost(db: Kysely<Database>, threadId: number, postId: number | null): Promise<void> {
  await db.updateTable('forum_threads').set({ accepted_post_id: postId }).where('id', '=', threadId).execute();
}

/** A post with its author's name and its endorser's (a page shows the author through `readerView`). */
export type PostRow = ForumPost & { author_name: string | null; endorser_name: string | null };

/** Stores a post; returns its id. */
export async function insertPost(
  db: Kysely<Database>,
  data: {
    threadId: number;
    depth: 0 | 1 | 2;
    parentId: number | null;
    authorId: number;
    body: string;
    html: string;
    anonymous: boolean;
  },
  now: Date,
): Promise<number> {
  const row = await db
    .insertInto('forum_posts')
    .values({
      thread_id: data.threadId,
      depth: data.depth,
      parent_id: data.parentId,
      author_id: data.authorId,
      body: data.body,
      html: data.html,
      body_hash: bodyHash(data.body),
      anonymous: data.anonymous ? 1 : 0,
      created_at: now.toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function postsWithAuthors(db: Kysely<Database>) {
  return db
    .selectFrom('forum_posts')
    .leftJoin('users', 'users.id', 'forum_posts.author_id')
    .leftJoin('users as endorsers', 'endorsers.id', 'forum_posts.endorsed_by')
    .selectAll('forum_posts')
    .select(['users.display_name as author_name', 'endorsers.display_name as endorser_name']);
}

/** A post of a thread by id, or null. */
export async function selectOptionalPost(
  db: Kysely<Database>,
  threadId: number,
  postId: number,
): Promise<PostRow | null> {
  const row = await postsWithAuthors(db)
    .where('forum_posts.thread_id', '=', threadId)
    .where('forum_posts.id', '=', postId)
    .executeTakeFirst();
  return row ?? null;
}

/** A thread's opening post, or null. */
export async function selectOptionalOpeningPost(db: Kysely<Database>, threadId: number): Promise<PostRow | null> {
  const row = await postsWithAuthors(db)
    .where('forum_posts.thread_id', '=', threadId)
    .where('forum_posts.depth', '=', 0)
    .executeTakeFirst();
  return row ?? null;
}

/** One page of a thread's replies, oldest first, deleted ones included (shown in place); `except` left out. */
export async function selectReplies(
  db: Kysely<Database>,
  threadId: number,
  page: { limit: number; offset: number; except: number | null; withHidden?: boolean },
): Promise<PostRow[]> {
  const shown = <Q extends SelectQueryBuilder<Database, 'forum_posts', object>>(query: Q): Q => {
    let q = query.where('forum_posts.thread_id', '=', threadId).where('forum_posts.depth', '=', 1);
    if (page.except !== null) q = q.where('forum_posts.id', '!=', page.except);
    if (!page.withHidden) q = q.where('forum_posts.hidden', '=', 0);
    return q as Q;
  };
  let query = shown(postsWithAuthors(db));
  // Past the first page: from the page's first id, skipped to in the index alone (forum_posts_shown,
  // or forum_posts_thread for moderators), so no earlier reply is read, let alone joined.
  if (page.offset > 0) {
    query = query.where('forum_posts.id', '>=', (eb) =>
      shown(eb.selectFrom('forum_posts').select('forum_posts.id'))
        .orderBy('forum_posts.id')
        .limit(1)
        .offset(page.offset),
    );
  }
  return query.orderBy('forum_posts.id').limit(page.limit).execute();
}

/** How many replies of a thread come before `beforeId` (all with null), `except` left out. */
export async function countReplies(
  db: Kysely<Database>,
  threadId: number,
  options: { except: number | null; beforeId?: number; withHidden?: boolean },
): Promise<number> {
  let query = db
    .selectFrom('forum_posts')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('thread_id', '=', threadId)
    .where('depth', '=', 1);
  if (options.except !== null) query = query.where('id', '!=', options.except);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (!options.withHidden) query = query.where('hidden', '=', 0);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The comments on these replies, oldest first (hidden ones only `withHidden`, for moderators). */
export async function selectComments(
  db: Kysely<Database>,
  threadId: number,
  replyIds: number[],
  withHidden = false,
): Promise<PostRow[]> {
  if (replyIds.length === 0) return [];
  let query = postsWithAuthors(db)
    .where('forum_posts.thread_id', '=', threadId)
    .where('forum_posts.depth', '=', 2)
    .where('forum_posts.parent_id', 'in', replyIds);
  if (!withHidden) query = query.where('forum_posts.hidden', '=', 0);
  return query.orderBy('forum_posts.id').execute();
}

/** Replaces a post's text; the caller keeps the old one with `insertRevision`. */
export async function updatePostBody(
  db: Kysely<Database>,
  postId: number,
  body: { body: string; html: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('forum_posts')
    .set({ ...body, body_hash: bodyHash(body.body), edited_at: now.toISOString() })
    .where('id', '=', postId)
    .execute();
}

/** Keeps the text an edit replaced. */
export async function insertRevision(
  db: Kysely<Database>,
  data: { postId: number; body: string; editorId: number; title?: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('forum_post_revisions')
    .values({
      post_id: data.postId,
      body: data.body,
      editor_id: data.editorId,
      replaced_at: now.toISOString(),
      title: data.title ?? null,
    })
    .execute();
}

/** A post's replaced texts, oldest first, with the editor's name. */
export async function selectRevisions(db: Kysely<Database>, postId: number) {
  return db
    .selectFrom('forum_post_revisions')
    .leftJoin('users', 'users.id', 'forum_post_revisions.editor_id')
    .select([
      'forum_post_revisions.id',
      'forum_post_revisions.body',
      'forum_post_revisions.title',
      'forum_post_revisions.replaced_at',
      'users.display_name as editor_name',
    ])
    .where('forum_post_revisions.post_id', '=', postId)
    .orderBy('forum_post_revisions.id')
    .execute();
}

/**
 * Marks a post deleted; null when it already was (so counters move once), else whether it was
 * endorsed (read by the same statement, so an endorsement crossing the deletion counts right).
 */
export async function updatePostDeleted(db: Kysely<Database>, postId: number): Promise<{ endorsed: boolean } | null> {
  const row = await db
    .updateTable('forum_posts')
    .set({ deleted: 1 })
    .where('id', '=', postId)
    .where('deleted', '=', 0)
    .returning('endorsed_at')
    .executeTakeFirst();
  return row ? { endorsed: row.endorsed_at !== null } : null;
}

/** Moves a post's vote count, and its thread's when it is the opening post, by `delta`. */
export async function updateVoteCounts(
  db: Kysely<Database>,
  post: { id: number; thread_id: number; depth: number },
  delta: 1 | -1,
): Promise<void> {
  await db
    .updateTable('forum_posts')
    .set((eb) => ({ vote_count: eb('vote_count', '+', delta) }))
    .where('id', '=', post.id)
    .execute();
  if (post.depth === 0) {
    await db
      .updateTable('forum_threads')
      .set((eb) => ({ vote_count: eb('vote_count', '+', delta) }))
      .where('id', '=', post.thread_id)
      .execute();
  }
}

/**
 * One vote fewer on every post this user voted for (their account goes, their votes with it);
 * run in the deletion's transaction, before the rows cascade away.
 */
export async function updateVoteCountsForDeletedVoter(db: Kysely<Database>, userId: number): Promise<void> {
  await db
    .updateTable('forum_threads')
    .set((eb) => ({ vote_count: eb('vote_count', '-', 1) }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('forum_votes')
        .innerJoin('forum_posts', 'forum_posts.id', 'forum_votes.post_id')
        .select('forum_posts.thread_id')
        .where('forum_votes.user_id', '=', userId)
        .where('forum_posts.depth', '=', 0),
    )
    .execute();
  await db
    .updateTable('forum_posts')
    .set((eb) => ({ vote_count: eb('vote_count', '-', 1) }))
    .where('id', 'in', (eb) => eb.selectFrom('forum_votes').select('post_id').where('user_id', '=', userId))
    .execute();
}

/**
 * Endorses a reply not deleted (`by` a staff member) or, with `by` null, withdraws it; says whether
 * it changed (so the thread's `endorsed_count` moves once).
 */
export async function updatePostEndorsed(
  db: Kysely<Database>,
  postId: number,
  by: number | null,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('forum_posts')
    .set(by === null ? { endorsed_by: null, endorsed_at: null } : { endorsed_by: by, endorsed_at: now.toISOString() })
    .where('id', '=', postId)
    .where('deleted', '=', 0)
    .where('endorsed_at', by === null ? 'is not' : 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a thread's count of endorsed replies by `delta`. */
export async function updateThreadEndorsedCount(db: Kysely<Database>, threadId: number, delta: 1 | -1): Promise<void> {
  await db
    .updateTable('forum_threads')
    .set((eb) => ({ endorsed_count: eb('endorsed_count', '+', delta) }))
    .where('id', '=', threadId)
    .execute();
}

/** Every post of a user, deleted ones too (their text is kept), with its course and thread (for their data export). */
export async function selectUserPosts(db: Kysely<Database>, userId: number) {
  return db
    .selectFrom('forum_posts')
    .innerJoin('forum_threads', 'forum_threads.id', 'forum_posts.thread_id')
    .innerJoin('courses', 'courses.id', 'forum_threads.course_id')
    .select([
      'courses.slug as course',
      'forum_threads.id as thread_id',
      'forum_threads.title as thread_title',
      'forum_posts.id as post_id',
      'forum_posts.depth',
      'forum_posts.body',
      'forum_posts.created_at',
      'forum_posts.edited_at',
      'forum_posts.deleted',
      'forum_posts.anonymous',
      'forum_posts.vote_count',
    ])
    .where('forum_posts.author_id', '=', userId)
    .orderBy('forum_posts.id')
    .execute();
}
