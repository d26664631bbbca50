import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { requireUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { itemStatus } from '../lib/progress/status.ts';
import { isWatched, mergeSegments, type Segment } from '../lib/videos/watched.ts';
import { selectItemProgress, upsertProgressState } from '../models/item-progress.ts';
import { selectVideoViews, upsertVideoView, type VideoView } from '../models/video-views.ts';
import type { Services } from '../services.ts';
import { normaliseRoute, pathSegments, type ItemTarget } from './items.ts';
import { throttleWrites } from './limits.ts';
import type { ApiParts } from './routes.ts';

const seconds = z.number().finite().min(0).max(86_400);
const viewBody = z.object({
  video: z.string().max(16),
  /** The duration the player reports; a page of an embedded player (no measure) sends none. */
  duration: seconds.optional(),
  position: seconds.optional(),
  /** The player's played ranges since the page opened (`HTMLMediaElement.played`). */
  segments: z
    .array(z.tuple([seconds, seconds]))
    .max(500)
    .optional(),
  /** "I have watched it": for platform players, whose played ranges the page cannot read. */
  watched: z.literal(true).optional(),
});

const PREFIX = '/api/videos/';

/**
 * Separate played ranges kept per video. A player's seeks make a few dozen; more is a report made
 * to grow the stored row (each report re-reads and re-sorts it), refused.
 */
const MAX_SEGMENTS = 1000;

/** A learner's view of each video of a page, as the page shows it. */
function views(rows: readonly VideoView[]) {
  return Object.fromEntries(
    rows.map((r) => {
      const segments = JSON.parse(r.segments) as Segment[];
      const seen = segments.reduce((sum, [a, b]) => sum + b - a, 0);
      return [
        r.video,
        {
          position: r.position,
          duration: r.duration,
          share: r.duration > 0 ? Math.min(1, seen / r.duration) : 0,
          watched: r.watched === 1,
        },
      ];
    }),
  );
}

/**
 * `GET /api/videos/<slug>/<route…>`: where the learner stopped in each video of a video page and
 * what they have seen; `PUT` records a player's report. A video is watched once 90 % of it has
 * been played (segments merged across visits, never the seek bar's position); the page is done
 * (progress source `video`) when every declared video is. Like reading progress, this is the
 * learner's own report, never a grade: a learner who forges it only misleads their progress bar.
 */
export function videoRoutes(app: FastifyInstance, services: Services, { limiter, items }: ApiParts): void {
  const { db, clock } = services;
  const videoPage = async (url: string, request: Parameters<typeof requireUser>[0]): Promise<ItemTarget> => {
    const [slug = '', ...rest] = pathSegments(url, PREFIX);
    const target = await items.resolve(request, slug, normaliseRoute(rest), { accept: (i) => i.type === 'video' });
    if (target.item.type !== 'video') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    return target;
  };

  app.get(`${PREFIX}*`, async (request, reply) => {
    const user = requireUser(request);
    const target = await videoPage(request.url, request);
    const rows = await selectVideoViews(db.kysely, user.id, target.courseId, target.route);
    const progress = itemStatus(await selectItemProgress(db.kysely, user.id, target.courseId, target.route));
    reply.header('Cache-Control', 'no-store');
    return { videos: views(rows), progress };
  });

  app.put(`${PREFIX}*`, async (request, reply) => {
    const user = requireUser(request);
    const target = await videoPage(request.url, request);
    const parsed = viewBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'video, duration, position, segments [[start, end]…]');
    const body = parsed.data;
    const facts = target.item.videos.find((v) => v.key === body.video);
    if (!facts || facts.source === null) throw new HttpError('BAD_REQUEST', `no video ${body.video} on this page`);
    // A played range is measured by our player; only a platform's player may be marked by hand.
    if (body.watched && facts.source !== 'embed') throw new HttpError('BAD_REQUEST', 'watched: embedded players only');
    throttleWrites(limiter, user, clock());
    const now = clock().toISOString();
    const key = { userId: user.id, courseId: target.courseId, route: target.route };
    // Read, merge and write as one transaction, one report of a page at a time (two tabs, or a
    // report racing the one sent on page hide): else the last write drops the other's ranges.
    const { all, progress } = await db.kysely.transaction().execute(async (trx) => {
      if (db.dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${user.id}, hashtext(${`${target.courseId}/${target.route}`}))`.execute(
          trx,
        );
      }
      const rows = await selectVideoViews(trx, user.id, target.courseId, target.route);
      const stored = rows.find((r) => r.video === body.video);
      const duration = Math.max(stored?.duration ?? 0, body.duration ?? 0);
      const segments = mergeSegments(
        [...((stored ? JSON.parse(stored.segments) : []) as Segment[]), ...(body.segments ?? [])],
        duration,
      );
      if (segments.length > MAX_SEGMENTS) {
        throw new HttpError('BAD_REQUEST', `at most ${MAX_SEGMENTS} separate played ranges per video`);
      }
      const watched = stored?.watched === 1 || body.watched === true || isWatched(segments, duration);
      const view = {
        duration,
        position: body.position ?? stored?.position ?? 0,
        segments: JSON.stringify(segments.map(([a, b]) => [round(a), round(b)])),
        watched: watched ? 1 : 0,
      };
      await upsertVideoView(trx, { ...key, video: body.video }, view, now);
      const all = [...rows.filter((r) => r.video !== body.video), { video: body.video, ...view }];
      const declared = target.item.videos.filter((v) => v.source !== null);
      const done = declared.every((v) => all.some((r) => r.video === v.key && r.watched === 1));
      await upsertProgressState(trx, { ...key, source: 'video' }, done ? 'done' : 'started', true, now);
      const progress = itemStatus(await selectItemProgress(trx, user.id, target.courseId, target.route));
      return { all, progress };
    });
    reply.header('Cache-Control', 'no-store');
    return { videos: views(all), progress };
  });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
