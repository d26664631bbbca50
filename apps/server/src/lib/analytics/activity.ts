import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { LruCache } from '../cache.ts';
import type { Services } from '../../services.ts';
import { localDay, mondayOf } from './days.ts';

/**
 * "Active learner" (issue 14's analytics, ADR 049): a learner enrolled in a session (active
 * enrolment) who, on that day in the platform's time zone, made a successful request to one of
 * the course's pages (`/courses/<slug>/…`: opened a page, answered a quiz) or to its learning API
 * (saved or loaded code, progress, a video played, a snapshot, an exercise submitted or checked).
 * Staff pages and the catalogue do not count.
 */
const COURSE_PATH = /^\/(?:courses|api\/(?:work|progress|videos|snapshots))\/([^/?#]+)/;
const BODY_SLUG_PATHS = new Set(['/api/submissions', '/api/checks']);

/** The course slug a learner's request acts on, or null when it is not a learning request. */
export function activitySlug(request: Pick<FastifyRequest, 'method' | 'url' | 'body'>): string | null {
  const path = request.url.split('?')[0]!;
  const match = COURSE_PATH.exec(path);
  if (match) {
    try {
      return decodeURIComponent(match[1]!);
    } catch {
      return null;
    }
  }
  if (request.method === 'POST' && BODY_SLUG_PATHS.has(path)) {
    const slug = (request.body as { slug?: unknown } | undefined)?.slug;
    return typeof slug === 'string' && slug !== '' ? slug : null;
  }
  return null;
}

/**
 * Records each learner's activity once a day and course: after the response (never delaying it),
 * one INSERT … SELECT that finds their session and does nothing when the row is there. The
 * per-process set of keys already written spares the statement for the rest of the day; another
 * web server writes the same row at most once more (the primary key ignores it).
 */
export function registerActivityTracking(app: FastifyInstance, services: Pick<Services, 'db' | 'clock' | 'config'>) {
  const seen = new LruCache<string, true>(100_000);
  const { db, clock, config } = services;
  app.addHook('onResponse', async (request, reply) => {
    if (!request.user || reply.statusCode >= 400) return;
    const slug = activitySlug(request);
    if (slug === null) return;
    const day = localDay(clock(), config.timezone);
    const key = `${day}\0${request.user.id}\0${slug}`;
    if (seen.get(key)) return;
    try {
      await recordActivity(db.kysely, request.user.id, slug, day);
      seen.set(key, true);
    } catch (error) {
      request.log.warn({ err: error }, 'learner activity not recorded');
    }
  });
}

/** Marks `userId` active on `day` in their session of the course `slug` (none: nothing). */
export async function recordActivity(
  db: Services['db']['kysely'],
  userId: number,
  slug: string,
  day: string,
): Promise<void> {
  await db
    .insertInto('learner_activity')
    .columns(['run_id', 'day', 'user_id', 'week'])
    .expression(
      db
        .selectFrom('enrolments')
        .innerJoin('courses', 'courses.id', 'enrolments.course_id')
        .select([
          'enrolments.run_id',
          sql<string>`cast(${day} as text)`.as('day'),
          'enrolments.user_id',
          sql<string>`cast(${mondayOf(day)} as text)`.as('week'),
        ])
        .where('courses.slug', '=', slug)
        .where('enrolments.user_id', '=', userId)
        .where('enrolments.status', '=', 'active'),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
