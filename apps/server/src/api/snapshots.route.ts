import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { snapshotCells, takeSnapshot, visibleSnapshot } from '../lib/forum/snapshots.ts';
import { courseItemUrl, forumNewThreadUrl, forumSnapshotUrl } from '../lib/urls.ts';
import type { Services } from '../services.ts';
import { normaliseRoute, pathSegments } from './items.ts';
import { throttleWrites } from './limits.ts';
import type { ApiParts } from './routes.ts';

const snapshotBody = z.object({
  cells: z.array(
    z.object({ id: z.string().min(1).max(200), code: z.string(), outputs: z.string().nullable().optional() }),
  ),
  withOutputs: z.boolean().default(false),
});

const PREFIX = '/api/snapshots/';

/**
 * Notebook snapshots (issue 13): `POST /api/snapshots/<slug>/<route…>` takes one of the caller's
 * notebook (its cells as the page has them) and answers where to post it; `GET
 * /api/snapshots/<slug>/<token>` gives its code to a page that opens it as a runnable copy — to
 * its author, or to anyone once it is attached to a post.
 */
export function snapshotRoutes(app: FastifyInstance, services: Services, { limiter, items }: ApiParts): void {
  const { db, clock, content } = services;

  app.post(`${PREFIX}*`, { bodyLimit: 6 * 1024 * 1024 }, async (request, reply) => {
    const user = requireUser(request);
    const [slug = '', ...rest] = pathSegments(request.url, PREFIX);
    const target = await items.resolve(request, slug, normaliseRoute(rest), { exact: true });
    if (target.item.type === 'quiz' || target.item.codeCells.size === 0) {
      throw new HttpError('ITEM_NOT_FOUND', undefined, target.version.slug);
    }
    const parsed = snapshotBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError('BAD_REQUEST', 'cells: [{id, code, outputs}], withOutputs');
    throttleWrites(limiter, user, clock());
    const snapshot = await takeSnapshot(db.kysely, {
      userId: user.id,
      courseId: target.courseId,
      versionId: target.version.id,
      route: target.route,
      codeCells: target.item.codeCells,
      cells: parsed.data.cells,
      withOutputs: parsed.data.withOutputs,
      now: clock(),
    });
    reply.code(201).header('Cache-Control', 'no-store');
    return {
      token: snapshot.token,
      url: forumSnapshotUrl(target.version.slug, snapshot.token),
      post: `${forumNewThreadUrl(target.version.slug)}?route=${encodeURIComponent(target.route)}&snapshot=${snapshot.token}`,
    };
  });

  app.get(`${PREFIX}*`, async (request, reply) => {
    const [slug = '', token = '', ...extra] = pathSegments(request.url, PREFIX);
    if (extra.length > 0) throw new HttpError('NOT_FOUND');
    const live = await content.liveVersion(slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const row = await visibleSnapshot(db.kysely, live.course_id, token, request.user?.id ?? null);
    if (!row) throw new HttpError('NOT_FOUND');
    reply.header('Cache-Control', 'no-store');
    return {
      route: row.route,
      page: courseItemUrl(live.slug, row.route),
      cells: snapshotCells(row).map((c) => ({ id: c.id, code: c.code })),
    };
  });
}
