import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, ForumThreadKind } from '../db/schema.ts';
import { ftsExpression } from '../lib/forum/search.ts';

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
}

/** A search: folded terms, all of them (the search page) or any (similar titles). */
export interface SearchQuery {
  terms: string[];
  mode: 'all' | 'any';
}

function filterSql(filter: SearchFilter): RawBuilder<unknown> {
  const parts = [sql`t.course_id = ${filter.courseId}`, sql`t.deleted = 0`];
  if (filter.topicId !== undefined) parts.push(sql`t.topic_id = ${filter.topicId}`);
  if (filter.unanswered) parts.push(sql`t.kind = 'question' and t.accepted_post_id is null`);
  if (filter.activeSince !== undefined) parts.push(sql`t.last_activity_at >= ${filter.activeSince}`);
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

/**
 * Threads of a course matching a search, best first (a title match weighs ten times a body match),
 * then most recently active; each with its best-matching post. `limit + 1` rows tell whether more follow.
 */
export async function selectSearchHits(
  db: Kysely<Database>,
  query: SearchQuery,
  filter: SearchFilter,
  page: { limit: number; offset: number },
): Promise<SearchHit[]> {
  if (query.terms.length === 0) return [];
  const where = filterSql(filter);
  const columns = sql`t.id, t.kind, t.title, k.key as topic_key, k.title as topic_title, k.week as topic_week,
    t.reply_count, t.last_activity_at, t.accepted_post_id`;
  let ranked: RawBuilder<unknown>;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Ranks only this course's matching posts; the best post of each thread, then one page.
    ranked = sql`with q as (select ${tsQuery(query)} as query),
      hits as (
        select s.thread_id, s.post_id, ts_rank(s.document, q.query) as score
        from forum_search s, q where s.document @@ q.query and s.course_id = ${filter.courseId}
      ),
      best as (select distinct on (thread_id) thread_id, post_id, score from hits order by thread_id, score desc)
      select ${columns}, b.post_id, -b.score as score
      from best b join forum_threads t on t.id = b.thread_id join forum_topics k on k.id = t.topic_id
      where ${where}
      order by score, t.last_activity_at desc, t.id desc
      limit ${page.limit} offset ${page.offset}`;
  } else {
    // bm25 is lower for better matches, and only callable in the FTS query itself: materialized,
    // so that SQLite does not flatten it into the join. The bare `h.post_id` is the row of min().
    ranked = sql`with h as materialized (
        select rowid as post_id, bm25(forum_search, 10.0, 1.0) as score
        from forum_search where forum_search match ${ftsExpression(query.terms, query.mode)}
      )
      select ${columns}, h.post_id, min(h.score) as score
      from h
      join forum_posts p on p.id = h.post_id
      join forum_threads t on t.id = p.thread_id
      join forum_topics k on k.id = t.topic_id
      where ${where}
      group by t.id
      order by score, t.last_activity_at desc, t.id desc
      limit ${page.limit} offset ${page.offset}`;
  }
  const { rows } = await sql<Omit<SearchHit, 'answered'> & { accepted_post_id: number | null; score: number }>`
    select r.*, p.body from (${ranked}) r join forum_posts p on p.id = r.post_id
    order by r.score, r.last_activity_at desc, r.id desc`.execute(db);
  return rows.map(({ accepted_post_id, score: _score, ...row }) => ({
    ...row,
    id: Number(row.id),
    post_id: Number(row.post_id),
    reply_count: Number(row.reply_count),
    answered: accepted_post_id !== null,
  }));
}
