import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireUser, type CurrentUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { activityItem, saveCopyCell } from '../lib/activities/activities.ts';
import { copyAccess } from '../lib/activities/rules.ts';
import { selectActivityCells, selectOptionalActivityOfPupil, touchActivityPupil } from '../models/activities.ts';
import type { Services } from '../services.ts';
import { throttleWrites } from './limits.ts';
import type { ApiParts } from './routes.ts';
import { MAX_CODE_BYTES, validCellId } from './work.route.ts';

const saveBody = z.object({
  code: z.string(),
  original: z.string().max(1024 * 1024),
  baseVersion: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

const ID = /^[1-9]\d{0,11}$/;

/**
 * A pupil's copy of an activity's notebook (ADR 051), the saved-work API's twin:
 * `GET /api/activities/<id>/work` and `PUT /api/activities/<id>/work/cells/<cell>`. Only a pupil
 * of the activity's class has a copy; it is hidden outside its dates (404) and refuses saves
 * once read-only (409 ACTIVITY_READ_ONLY).
 */
export function activityWorkRoutes(app: FastifyInstance, services: Services, { limiter }: ApiParts): void {
  const { db, clock } = services;

  async function pupilActivity(request: FastifyRequest<{ Params: { id: string } }>, user: CurrentUser) {
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    const found = await selectOptionalActivityOfPupil(db.kysely, Number(request.params.id), user.id);
    if (!found || found.activity.kind !== 'notebook') throw new HttpError('NOT_FOUND');
    const access = copyAccess(found.activity, found.pupil, clock());
    if (access === 'hidden') throw new HttpError('NOT_FOUND');
    return { ...found, access };
  }

  app.get<{ Params: { id: string } }>('/api/activities/:id/work', async (request, reply) => {
    const user = requireUser(request);
    const { activity, access } = await pupilActivity(request, user);
    if (access === 'editable') await touchActivityPupil(db.kysely, activity.id, user.id, clock());
    const cells = await selectActivityCells(db.kysely, activity.id, user.id);
    reply.header('Cache-Control', 'no-store');
    return {
      cells: cells.map((c) => ({
        cellId: c.cell_id,
        code: c.code,
        original: c.original,
        version: c.version,
        updatedAt: c.updated_at,
      })),
      progress: 'started',
      readOnly: access !== 'editable',
      csrf: request.authSession!.csrfSecret,
    };
  });

  app.put<{ Params: { id: string; '*': string } }>(
    '/api/activities/:id/work/cells/*',
    { bodyLimit: 3 * 1024 * 1024 },
    async (request, reply) => {
      const user = requireUser(request);
      const { activity, access } = await pupilActivity(request, user);
      const raw = request.url.split('?')[0]!;
      let cellId: string;
      try {
        cellId = decodeURIComponent(raw.slice(raw.indexOf('/cells/') + '/cells/'.length));
      } catch {
        throw new HttpError('CELL_NOT_FOUND');
      }
      if (!validCellId(cellId)) throw new HttpError('CELL_NOT_FOUND');
      const item = await activityItem(db.kysely, activity.version_id, activity.route);
      const courseOriginal = item?.codeCells.get(cellId);
      if (courseOriginal === undefined) throw new HttpError('CELL_NOT_FOUND');
      const parsed = saveBody.safeParse(request.body);
      if (!parsed.success) throw new HttpError('BAD_REQUEST', 'code, original, baseVersion');
      const { code, original, baseVersion } = parsed.data;
      if (Buffer.byteLength(code, 'utf8') > MAX_CODE_BYTES) throw new HttpError('CELL_TOO_LARGE');
      reply.header('Cache-Control', 'no-store');
      if (access !== 'editable') {
        return reply.code(409).send({ error: 'ACTIVITY_READ_ONLY', message: request.t('activity.readOnly') });
      }
      throttleWrites(limiter, user, clock());
      const result = await saveCopyCell(
        db.kysely,
        { activityId: activity.id, userId: user.id, cellId },
        { code, original },
        baseVersion,
        clock(),
      );
      if (result.saved) return { version: result.version, updatedAt: result.updatedAt };
      const current = result.current
        ? {
            code: result.current.code,
            original: result.current.original,
            version: result.current.version,
            updatedAt: result.current.updated_at,
          }
        : { code: courseOriginal, original: courseOriginal, version: 0, updatedAt: null };
      return reply.code(409).send({ error: 'CONFLICT', message: request.t('error.conflict.body'), current });
    },
  );
}
