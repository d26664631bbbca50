import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { RateLimiter, ThrottlePolicy } from '../auth/throttle.ts';
import type { ForumActor } from './rules.ts';

/**
 * The forum's anti-spam rules (issue 13, ADR 045): posting limits per account and per address,
 * tighter for accounts not yet trusted (and fewer links), and a duplicate-content check. Every
 * counter is a row of the database (`rate_limits`, `forum_posts.body_hash`), so the limits hold
 * across web servers. Moderators are exempt: they clean up, they do not spam.
 */

export const FORUM_LIMITS = {
  /** A learner answering in a hurry posts a few times a minute, not ten times in ten. */
  postsPerAccount: { limit: 10, windowSeconds: 10 * 60 },
  postsPerAccountPerDay: { limit: 100, windowSeconds: 24 * 60 * 60 },
  /** A classroom shares one address: generous. */
  postsPerAddress: { limit: 60, windowSeconds: 10 * 60 },
  /** An account not yet trusted. */
  untrustedPosts: { limit: 3, windowSeconds: 10 * 60 },
  reportsPerAccount: { limit: 20, windowSeconds: 60 * 60 },
} as const satisfies Record<string, ThrottlePolicy>;

/** Trust comes with an account a day old that has this many posts on the forum, none hidden. */
export const TRUST_AGE_HOURS = 24;
export const TRUST_POSTS = 3;
/** Links a post of an account not yet trusted may carry. */
export const UNTRUSTED_LINKS = 1;
/** The same text again by the same account within this time is refused. */
export const DUPLICATE_HOURS = 24;
/** Shorter texts ("Merci !") may be repeated; longer ones seen from another account are refused to the untrusted. */
export const DUPLICATE_MIN_LENGTH = 40;

/** The text a duplicate is recognised by: case, spacing and line breaks do not count. */
export const normaliseBody = (body: string): string => body.toLowerCase().replace(/\s+/gu, ' ').trim();

/** The hash stored with each post (`forum_posts.body_hash`). */
export const bodyHash = (body: string): string => createHash('sha256').update(normaliseBody(body)).digest('hex');

/** The links a rendered post carries (whatever markdown turned into a link counts, bare URLs too). */
export const countLinks = (html: string): number => (html.match(/<a\s[^>]*href=/giu) ?? []).length;

/** Why a post is refused, for the form shown again with the text kept. */
export interface PostingRefusal {
  key: MessageKey;
  params?: Record<string, string | number>;
  status: 400 | 403 | 429;
  retryAfterSeconds?: number;
}

/** Whether an account is trusted: old enough, with enough posts none of which a moderator hid. */
export async function isTrusted(db: Kysely<Database>, userId: number, now: Date): Promise<boolean> {
  const user = await db.selectFrom('users').select('created_at').where('id', '=', userId).executeTakeFirst();
  if (!user) return false;
  if (now.getTime() - Date.parse(user.created_at) < TRUST_AGE_HOURS * 3_600_000) return false;
  const row = await db
    .selectFrom('forum_posts')
    .select([
      sql<number>`count(*)`.as('posts'),
      sql<number>`coalesce(sum(case when hidden = 1 then 1 else 0 end), 0)`.as('hidden'),
    ])
    .where('author_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.posts) >= TRUST_POSTS && Number(row.hidden) === 0;
}

/** The end of a learner's mute in a course, if it has not passed. */
export async function activeMute(
  db: Kysely<Database>,
  courseId: number,
  userId: number,
  now: Date,
): Promise<string | null> {
  const row = await db
    .selectFrom('forum_mutes')
    .select('until')
    .where('course_id', '=', courseId)
    .where('user_id', '=', userId)
    .where('until', '>', now.toISOString())
    .executeTakeFirst();
  return row?.until ?? null;
}

/** Whether the same text was posted recently: by this account, or (`others`) by another one. */
async function seenRecently(
  db: Kysely<Database>,
  hash: string,
  userId: number,
  others: boolean,
  now: Date,
  exceptPostId?: number,
): Promise<boolean> {
  const since = new Date(now.getTime() - DUPLICATE_HOURS * 3_600_000).toISOString();
  let query = db
    .selectFrom('forum_posts')
    .select('id')
    .where('body_hash', '=', hash)
    .where('created_at', '>', since)
    .where('deleted', '=', 0)
    .where('author_id', others ? '<>' : '=', userId);
  if (exceptPostId !== undefined) query = query.where('id', '<>', exceptPostId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Whether `actor` may publish this post now, and why not. Checks that count nothing come first
 * (mute, links, duplicates); the rate counters are consumed last, so a refused post spends no
 * attempt. `editOf` is the post being edited: an edit is checked for mute, links and
 * duplicates, not counted against the rate.
 */
export async function postingRefusal(
  db: Kysely<Database>,
  limiter: RateLimiter,
  data: {
    actor: ForumActor;
    courseId: number;
    address: string;
    body: string;
    html: string;
    editOf?: number;
    /** False: only the mute holds (`CARNET_FORUM_ANTISPAM=false`). */
    antiSpam: boolean;
  },
  now: Date,
): Promise<PostingRefusal | null> {
  const { actor } = data;
  if (actor.moderator) return null;
  const until = await activeMute(db, data.courseId, actor.userId, now);
  if (until) return { key: 'forum.error.muted', params: { until }, status: 403 };
  if (!data.antiSpam) return null;
  const trusted = await isTrusted(db, actor.userId, now);
  if (!trusted && countLinks(data.html) > UNTRUSTED_LINKS) {
    return { key: 'forum.error.tooManyLinks', params: { count: UNTRUSTED_LINKS }, status: 400 };
  }
  const hash = bodyHash(data.body);
  if (await seenRecently(db, hash, actor.userId, false, now, data.editOf)) {
    return { key: 'forum.error.duplicate', status: 400 };
  }
  const long = [...normaliseBody(data.body)].length >= DUPLICATE_MIN_LENGTH;
  if (!trusted && long && (await seenRecently(db, hash, actor.userId, true, now, data.editOf))) {
    return { key: 'forum.error.duplicateElsewhere', status: 400 };
  }
  if (data.editOf !== undefined) return null;
  const checks: [string, ThrottlePolicy][] = [
    [`forum-post:account:${actor.userId}`, FORUM_LIMITS.postsPerAccount],
    [`forum-post:account-day:${actor.userId}`, FORUM_LIMITS.postsPerAccountPerDay],
    [`forum-post:address:${data.address}`, FORUM_LIMITS.postsPerAddress],
    ...(trusted
      ? []
      : [[`forum-post:untrusted:${actor.userId}`, FORUM_LIMITS.untrustedPosts] as [string, ThrottlePolicy]]),
  ];
  for (const [key, policy] of checks) {
    const result = await limiter.consume(key, policy, now);
    if (!result.allowed) {
      const minutes = Math.max(1, Math.ceil(result.retryAfterSeconds / 60));
      return {
        key: trusted ? 'forum.error.tooManyPosts' : 'forum.error.tooManyPostsNew',
        params: { minutes },
        status: 429,
        retryAfterSeconds: result.retryAfterSeconds,
      };
    }
  }
  return null;
}
