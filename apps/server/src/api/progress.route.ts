import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { itemStatus } from '../lib/progress/status.ts';
import { selectItemProgress, upsertProgressState } from '../models/item-progress.ts';
import type { Services } from '../services.ts';
import { normaliseRoute, pathSegments } from './items.ts';
import { throttleWrites } from './limits.ts';
import type { ApiParts } from './routes.ts';

const progressBody = z.object({
  state: z.enum(['done', 'started']),
  /** 'end': the learner reached the end of the page; 'button': they pressed "done" or "not done". */
  reason: z.enum(['end', 'button']),
});

const PREFIX = '/api/progress/';

/**
 * `PUT /api/progress/<slug>/<route…>`: the reading progress of an item. "done" stays done when the
 * learner reaches the end again (`started` + `end`); only the button (`started` + `button`) undoes it.
 * Answers the item's status as the course page shows it (every source combined).
 */
export function progressRoutes(app: FastifyInstance, services: Services, { limiter, items }: ApiParts): void {
  const { db, clock } = services;
  app.put(`${PREFIX}*`, async (request, reply) => {
    const user = requireUser(request);
    const [slug = '', ...rest] = pathSegments(request.url, PREFIX);
    const target = await items.resolve(request, slug, normaliseRoute(rest));
    // A video page is done when its videos are watched (/api/videos), never by the reading button.
    if (target.item.type === 'video') throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    const parsed = progressBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'state: done|started, reason: end|button');
    throttleWrites(limiter, user, clock());
    const { state, reason } = parsed.data;
    const key = { userId: user.id, courseId: target.courseId, route: target.route, source: 'reading' as const };
    await upsertProgressState(db.kysely, key, state, state === 'started' && reason === 'end', clock().toISOString());
    const rows = await selectItemProgress(db.kysely, user.id, target.courseId, target.route);
    reply.header('Cache-Control', 'no-store');
    return { progress: itemStatus(rows) };
  });
}
