import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { activityItem, followActivity } from '../../lib/activities/activities.ts';
import { copyAccess, pupilState } from '../../lib/activities/rules.ts';
import { activityUrl, courseItemUrl } from '../../lib/urls.ts';
import {
  selectActivityCells,
  selectActivityComments,
  selectOptionalActivityOfPupil,
  touchActivityPupil,
  updateHandedIn,
} from '../../models/activities.ts';
import { selectOptionalCourseById } from '../../models/courses.ts';
import type { Services } from '../../services.ts';
import { pupilActivityTop, pupilCrumbs, quizActivityView, type PupilActivityParts } from './activities.view.ts';
import { activityItemPage } from './notebook-page.ts';
import { html } from '../../views/html.ts';

type Params = { Params: { id: string } };
const ID = /^[1-9]\d{0,11}$/;

/**
 * A pupil's side of an activity (ADR 051): `/activities/<id>`, their copy of the item in activity
 * mode, and handing it in. To anyone but a pupil of its class, and outside its dates (before
 * opening; after closing in locked mode), it does not exist (404).
 */
export function activityRoutes(app: FastifyInstance, services: Services): void {
  const { db, clock, config } = services;

  async function pupilActivity(request: FastifyRequest<Params>) {
    const user = requireUser(request);
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    const found = await selectOptionalActivityOfPupil(db.kysely, Number(request.params.id), user.id);
    if (!found) throw new HttpError('NOT_FOUND');
    const access = copyAccess(found.activity, found.pupil, clock());
    if (access === 'hidden') throw new HttpError('NOT_FOUND');
    return { user, ...found, access };
  }

  app.get<Params>('/activities/:id', { config: { crossOriginIsolated: true } }, async (request, reply) => {
    const { user, activity, access } = await pupilActivity(request);
    // Opening it counts as opening (the table's "in progress"), except on a copy already closed.
    if (access === 'editable') await touchActivityPupil(db.kysely, activity.id, user.id, clock());
    const { pupil, className } = (await selectOptionalActivityOfPupil(db.kysely, activity.id, user.id))!;
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    if (!item) throw new HttpError('NOT_FOUND');
    const cellNumbers = new Map([...item.codeCells.keys()].map((id, i) => [id, i + 1]));
    const comments = await selectActivityComments(db.kysely, activity.id, user.id);
    const ctx = pageContext(request, services.assets);
    const noticeKey = (request.query as Record<string, string | undefined>)['notice'];
    const parts: PupilActivityParts = {
      activity,
      className,
      pupil,
      access,
      state: pupilState(activity, pupil, clock()),
      comments,
      cellNumbers,
      csrf: request.authSession!.csrfSecret,
      zone: config.timezone,
      notice: noticeKey === 'handed-in' ? ctx.t('activity.notice.handedIn') : undefined,
    };
    reply.header('Cache-Control', 'no-store');
    if (activity.kind === 'quiz') {
      const course = await selectOptionalCourseById(db.kysely, activity.course_id);
      const following = await followActivity(db.kysely, activity, item, clock());
      const mine = following.rows.find((r) => r.pupil.user_id === user.id);
      return sendPage(
        reply,
        quizActivityView(ctx, {
          ...parts,
          quiz: { href: courseItemUrl(course?.slug ?? '', activity.route), score: mine?.quiz ?? null },
        }),
      );
    }
    const mode =
      access === 'editable'
        ? { activityId: activity.id, workUrl: `/api/activities/${activity.id}/work` }
        : {
            activityId: activity.id,
            cells: (await selectActivityCells(db.kysely, activity.id, user.id)).map((c) => ({
              id: c.cell_id,
              code: c.code,
            })),
            notice: ctx.t('activity.readOnly'),
          };
    const page = await activityItemPage(
      request,
      services,
      activity,
      { ...mode, comments: comments.map((c) => ({ cellId: c.cell_id, body: c.body, author: c.author })) },
      { top: pupilActivityTop(ctx, parts), bottom: html``, breadcrumb: pupilCrumbs(ctx.t, activity.title) },
    );
    return sendPage(reply, page);
  });

  app.post<Params>('/activities/:id/hand-in', async (request, reply) => {
    const { user, activity, access } = await pupilActivity(request);
    if (access !== 'editable') throw new HttpError('NOT_FOUND');
    await updateHandedIn(db.kysely, activity.id, user.id, clock(), clock());
    return reply.redirect(`${activityUrl(activity.id)}?notice=handed-in`, 303);
  });
}
