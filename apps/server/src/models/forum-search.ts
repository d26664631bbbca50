import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, ForumThreadKind } from '../db/schema.ts';
import { ftsExpression, titleMatches } from '../lib/forum/search.ts';

/**
 * Forum search queries (ADR 044) over `forum_search`, the index migration 0015 keeps by triggers:
 * an FTS5 table on SQLite, tsvectors under GIN on PostgreSQL. Terms come from `searchTerms`
 * and are always bound as parameters.
 */

/** A thread a search found, with the post that matched best (its markdown, for the excerpt). */
export interface SearchHit {
  id: number;
  kind: ForumThreadKind;
  title: string;
  topic_key: string;
  topic_title: string;
  topic_week: number | null;
  reply_count: number;
  last_activity_at: string;
  answered: boolean;
  post_id: number;
  body: string;
}

/** Which threads a search looks among (those of one course, never deleted ones). */
export interface SearchFilter {
  courseId: number;
  topicId?: number | undefined;
  unanswered?: boolean | undefined;
  /** Active since this ISO instant. */
  activeSince?: string | undefined;
  /** Started by this user, or with a post of theirs. */
  participantId?: number | undefined;
  /** Threads this user follows (an explicit unfollow leaves them out). */
  followerId?: number | undefined;
}

/** A search: folded terms, all of them (the search page) or any (similar titles). */
export interface SearchQuery {
  terms: string[];
  mode: 'all' | 'any';
}

function filterSql(filter: SearchFilter): RawBuilder<unknown> {
  const parts = [sql`t.course_id = ${filter.courseId}`, sql`t.deleted = 0`, sql`t.hidden = 0`];
  if (filter.topicId !== undefined) parts.push(sql`t.topic_id = ${filter.topicId}`);
  if (filter.unanswered) parts.push(sql`t.kind = 'question' and t.accepted_post_id is null`);
  if (filter.activeSince !== undefined) parts.push(sql`t.last_activity_at >= ${filter.activeSince}`);
  if (filter.followerId !== undefined) {
    parts.push(
      sql`exists (select 1 from forum_follows f where f.thread_id = t.id and f.user_id = ${filter.followerId} and f.following = 1)`,
    );
  }
  if (filter.participantId !== undefined) {
    parts.push(
      sql`exists (select 1 from forum_posts m where m.thread_id = t.id and m.author_id = ${filter.participantId})`,
    );
  }
  return sql.join(parts, sql` and `);
}

/** PostgreSQL: every term through plainto_tsquery (no syntax of ours), AND or OR of them. */
function tsQuery(query: SearchQuery): RawBuilder<unknown> {
  if (query.mode === 'all') return sql`plainto_tsquery('french', carnet_fold(${query.terms.join(' ')}))`;
  return sql.join(
    query.terms.map((term) => sql`plainto_tsquery('french', carnet_fold(${term}))`),
    sql` || `,
  );
}

/** How many of the most recent matching posts a search ranks (ADR 047): its cost stays bounded. */
export const SEARCH_CANDIDATES = 300;
/** How many of the most recent threads with a matching title the suggestions rank. */
export const SIMILAR_CANDIDATES = 50;

/** A matching post as ranked: its thread's columns, whether it is the opening post (so carries the title). */
type Candidate = Omit<SearchHit, 'answered' | 'body'> & { depth: number; accepted_post_id: number | null };

const CANDIDATE_COLUMNS = sql`t.id, t.kind, t.title, k.key as topic_key, k.title as topic_title, k.week as topic_week,
  t.reply_count, t.last_activity_at, t.accepted_post_id`;

/**
 * The most recent posts (at most `limit`, newest first) of the course's threads that match and
 * pass the filter; hidden posts and hidden threads are never found. `titles`: the opening posts
 * whose thread's title matches, only. Both databases read their index in post order and stop at
 * `limit` when the terms are frequent, or take the few matches of rare terms from the index.
 */
async function selectCandidates(
  db: Kysely<Database>,
  query: SearchQuery,
  filter: SearchFilter,
  options: { limit: number; titles: boolean },
): Promise<Candidate[]> {
  const where = filterSql(filter);
  let rows: Candidate[];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // One transaction for its settings. A few hundred rows: parallel workers took 8 ms to start
    // for a 0.1 ms scan.
    return db.connection().execute(async (connection) => {
      await sql`begin; set local max_parallel_workers_per_gather = 0`.execute(connection);
      try {
        return normalised(await selectPostgresCandidates(connection, query, filter, options));
      } finally {
        await sql`commit`.execute(connection);
      }
    });
  }
  const match = ftsExpression(query.terms, query.mode);
  if (options.titles) {
    // forum_titles (migration 0020): the titles alone.
    ({ rows } = await sql<Candidate>`select ${CANDIDATE_COLUMNS}, p.id as post_id, p.depth
      from forum_titles f join forum_threads t on t.id = f.rowid join forum_topics k on k.id = t.topic_id
      join forum_posts p on p.thread_id = t.id and p.depth = 0
      where forum_titles match ${match} and ${where}
      order by f.rowid desc limit ${options.limit}`.execute(db));
  } else {
    ({ rows } = await sql<Candidate>`select ${CANDIDATE_COLUMNS}, s.rowid as post_id, p.depth
      from forum_search s join forum_posts p on p.id = s.rowid
      join forum_threads t on t.id = p.thread_id join forum_topics k on k.id = t.topic_id
      where forum_search match ${match} and p.hidden = 0 and ${where}
      order by s.rowid desc limit ${options.limit}`.execute(db));
  }
  return normalised(rows);
}

const normalised = (rows: Candidate[]): Candidate[] =>
  rows.map((r) => ({ ...r, id: Number(r.id), post_id: Number(r.post_id), reply_count: Number(r.reply_count) }));

/**
 * Past this many estimated matches, PostgreSQL reads the index in post (or thread) order and stops
 * at the limit; below, it takes every match from the GIN index and keeps the newest. Its planner
 * chooses alike but misplaces the crossover (ADR 047): it scanned 200,000 posts backwards, 150 ms,
 * for a word in 3,000 that a bitmap reads in 5 ms. Where the two cost the same at this scale: a
 * backward step costs a third of a bitmap row for posts, ten times one for titles (the title's
 * tsvector is computed per row).
 */
export const ORDERED_SCAN_MATCHES = { posts: 15_000, titles: 7_000 };

/** The planner's estimate of the matches of `document @@ query` (an EXPLAIN: no row is read). */
async function estimatedMatches(db: Kysely<Database>, where: RawBuilder<unknown>): Promise<number> {
  const { rows } = await sql<{
    'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }];
  }>`explain (format json) ${where}`.execute(db);
  return rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0;
}

/** PostgreSQL's candidates: from forum_search, or for titles from forum_threads' title index. */
async function selectPostgresCandidates(
  db: Kysely<Database>,
  query: SearchQuery,
  filter: SearchFilter,
  options: { limit: number; titles: boolean },
): Promise<Candidate[]> {
  const where = filterSql(filter);
  const matching = options.titles
    ? sql`to_tsvector('french'::regconfig, carnet_fold(t.title)) @@ (${tsQuery(query)}) and t.course_id = ${filter.courseId}`
    : sql`s.document @@ (${tsQuery(query)}) and s.course_id = ${filter.courseId}`;
  const estimate = await estimatedMatches(
    db,
    options.titles
      ? sql`select 1 from forum_threads t where ${matching}`
      : sql`select 1 from forum_search s where ${matching}`,
  );
  const ordered = estimate >= (options.titles ? ORDERED_SCAN_MATCHES.titles : ORDERED_SCAN_MATCHES.posts);
  // Frequent words: the planner's backward scan, never a bitmap of most of the table.
  if (ordered) await sql`set local enable_bitmapscan = off`.execute(db);
  // Rarer words: every match (a materialised CTE keeps no order: a bitmap), sorted, then joined
  // row by row in that order so that the limit stops the joins.
  const source = options.titles
    ? ordered
      ? sql`forum_threads t`
      : sql`(with m as materialized (select t.id from forum_threads t where ${matching})
          select t.* from m join forum_threads t on t.id = m.id order by t.id desc) t`
    : ordered
      ? sql`forum_search s`
      : sql`(with m as materialized (select s.post_id, s.thread_id from forum_search s where ${matching})
          select * from m order by post_id desc) s`;
  const { rows } = options.titles
    ? // The title's own index (migration 0020); the opening post gives the excerpt.
      await sql<Candidate>`select ${CANDIDATE_COLUMNS}, p.id as post_id, p.depth
        from ${source} join forum_topics k on k.id = t.topic_id
        join forum_posts p on p.thread_id = t.id and p.depth = 0
        where ${ordered ? sql`${matching} and ` : sql``}${where}
        order by t.id desc limit ${options.limit}`.execute(db)
    : await sql<Candidate>`select ${CANDIDATE_COLUMNS}, s.post_id, p.depth
        from ${source} cross join lateral (select p.depth from forum_posts p where p.id = s.post_id and p.hidden = 0) p
        join forum_threads t on t.id = s.thread_id join forum_topics k on k.id = t.topic_id
        where ${ordered ? sql`${matching} and ` : sql``}${where}
        order by s.post_id desc limit ${options.limit}`.execute(db);
  return rows;
}

/**
 * Threads of a course matching a search, best first — the most terms in the title (a title match
 * weighs ten times a body match), then the most recently active —, each with its best-matching
 * post. Only the SEARCH_CANDIDATES most recent matching posts are ranked (ADR 047); `limit + 1`
 * rows tell whether more follow.
 */
export async function selectSearchHits(
  db: Kysely<Database>,
  query: SearchQuery,
  filter: SearchFilter,
  page: { limit: number; offset: number },
): Promise<SearchHit[]> {
  if (query.terms.length === 0) return [];
  const titles = query.mode === 'any';
  const candidates = await selectCandidates(db, query, filter, {
    limit: titles ? SIMILAR_CANDIDATES : SEARCH_CANDIDATES,
    titles,
  });
  // A thread's best post: its opening post when its title matches, else its newest match.
  const best = new Map<number, { candidate: Candidate; score: number }>();
  for (const candidate of candidates) {
    const score = 1 + (candidate.depth === 0 ? 10 * titleMatches(candidate.title, query.terms) : 0);
    const seen = best.get(candidate.id);
    if (!seen || score > seen.score) best.set(candidate.id, { candidate, score });
  }
  const ranked = [...best.values()]
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.candidate.last_activity_at.localeCompare(a.candidate.last_activity_at) ||
        b.candidate.id - a.candidate.id,
    )
    .slice(page.offset, page.offset + page.limit)
    .map((x) => x.candidate);
  if (ranked.length === 0) return [];
  const bodies = await db
    .selectFrom('forum_posts')
    .select(['id', 'body'])
    .where(
      'id',
      'in',
      ranked.map((r) => r.post_id),
    )
    .execute();
  const bodyOf = new Map(bodies.map((b) => [Number(b.id), b.body]));
  return ranked.map(({ accepted_post_id, depth: _depth, ...row }) => ({
    ...row,
    answered: accepted_post_id !== null,
    body: bodyOf.get(row.post_id) ?? '',
  }));
}
