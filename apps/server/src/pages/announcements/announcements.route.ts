import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import { bodyProblem, cleanBody, cleanTitle, titleProblem } from '../../lib/forum/rules.ts';
import { publishAnnouncement } from '../../lib/notifications/announce.ts';
import { manageAnnouncementsUrl } from '../../lib/urls.ts';
import { selectCourseRuns } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { selectManagedCourse } from '../manage/manage.route.ts';
import { announcementsView } from './announcements.view.ts';

type SlugParams = { Params: { slug: string } };

/**
 * Staff announcements (ADR 046): /manage/courses/<slug>/announcements, for the course's staff and
 * administrators only (404 to anyone else, like the other staff pages).
 */
export function announcementRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, jobs } = services;

  async function show(request: FastifyRequest<SlugParams>, reply: FastifyReply, form: FormState, status = 200) {
    const user = requireUser(request);
    const course = await selectManagedCourse(db.kysely, user, request.params.slug);
    const runs = (await selectCourseRuns(db.kysely, course.id)).filter((r) => r.archived === 0);
    const query = request.query as Record<string, unknown>;
    const sent = typeof query['sent'] === 'string' && /^\d{1,9}$/.test(query['sent']) ? Number(query['sent']) : null;
    const thread =
      typeof query['thread'] === 'string' && /^\d{1,12}$/.test(query['thread']) ? Number(query['thread']) : null;
    return sendPage(
      reply,
      announcementsView(pageContext(request, assets), {
        course,
        runs,
        form,
        csrf: request.authSession!.csrfSecret,
        sent: sent !== null && thread !== null ? { n: sent, thread } : null,
      }),
      status,
    );
  }

  app.get<SlugParams>('/manage/courses/:slug/announcements', (request, reply) =>
    show(request, reply, { values: { audience: 'course' }, errors: {} }),
  );

  app.post<SlugParams>('/manage/courses/:slug/announcements', async (request, reply) => {
    const user = requireUser(request);
    const course = await selectManagedCourse(db.kysely, user, request.params.slug);
    const runs = (await selectCourseRuns(db.kysely, course.id)).filter((r) => r.archived === 0);
    const audience = formValue(request, 'audience');
    const title = cleanTitle(formValue(request, 'title'));
    const body = cleanBody(formValue(request, 'body'));
    const form: FormState = { values: { audience, title, body }, errors: {} };
    const run = runs.find((r) => String(r.id) === audience);
    if (audience !== 'course' && !run) form.errors['audience'] = 'announcements.error.audience';
    const titleError = titleProblem(title);
    if (titleError) form.errors['title'] = titleError;
    const bodyError = bodyProblem(body);
    if (bodyError) form.errors['body'] = bodyError;
    if (Object.keys(form.errors).length > 0) return show(request, reply, form, 400);
    const { threadId, notified } = await publishAnnouncement(
      db.kysely,
      jobs,
      { courseId: course.id, runId: run?.id ?? null, title, body, authorId: user.id },
      clock(),
    );
    return reply.redirect(`${manageAnnouncementsUrl(course.slug)}?sent=${notified}&thread=${threadId}`, 303);
  });
}
