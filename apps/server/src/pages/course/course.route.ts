import type { FastifyInstance } from 'fastify';
import { pageContext, sharedPageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { readerVersion } from '../../lib/runs/reading.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectCourseRuns } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import { html } from '../../views/html.ts';
import { accountArea } from '../../views/layout.ts';
import { sessionBox } from '../../views/runs.ts';
import { certificateStatus } from '../../lib/certificates/issue.ts';
import { certificateLine } from '../certificates/certificate.view.ts';
import { countDone, statusesByRoute } from '../../lib/progress/status.ts';
import { selectCourseProgress } from '../../models/item-progress.ts';
import { itemStatusMark, progressBar } from '../../views/progress.ts';
import { courseView, type ProgressSlotKey } from './course.view.ts';

export function courseRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, content, config, clock } = services;
  app.get<{ Params: { slug: string } }>('/courses/:slug', async (request, reply) => {
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const { version, enrolment } = await readerVersion(request, services, live);
    const structure = JSON.parse(version.structure) as CourseStructure;
    const page = await content.page(`course\0${version.id}\0${request.lang}`, async () =>
      courseView(sharedPageContext(request, assets), {
        slug: version.slug,
        title: version.title,
        description: version.description,
        language: version.language,
        structure,
        items: await selectItemSummaries(db.kysely, version.id),
      }),
    );
    if (!request.user) return sendPage(reply, page.anonymous);
    const ctx = pageContext(request, assets);
    const now = clock();
    const box = sessionBox(ctx, {
      slug: version.slug,
      enrolled: enrolment
        ? {
            run: enrolment.run,
            lastRoute: enrolment.enrolment.last_route,
            certificate: certificateLine(
              ctx,
              await certificateStatus(db.kysely, enrolment.run, request.user.id, now),
              config.timezone,
            ),
          }
        : null,
      openRuns: enrolment ? [] : (await selectCourseRuns(db.kysely, live.course_id)).reverse(),
      weeks: structure.weeks.map((w) => w.week),
      csrf: ctx.viewer!.csrf,
      zone: config.timezone,
      now,
    });
    // The reader's progress fills the page's progress slots: each key names the notebooks it counts.
    const statuses = statusesByRoute(await selectCourseProgress(db.kysely, request.user.id, live.course_id));
    const countVideos = enrolment?.run.videos_count === 1;
    const bar = (key: string) => {
      const { label, routes, videos } = JSON.parse(key) as ProgressSlotKey;
      const counted = countVideos && (videos ?? []).length > 0;
      const counts = countDone(counted ? [...routes, ...(videos ?? [])] : routes, statuses);
      return progressBar(ctx, { ...counts, withVideos: counted }, label);
    };
    return sendPage(
      reply,
      page.fill({
        account: accountArea(ctx, ctx.viewer!),
        'course-session': box,
        'course-progress': (key) =>
          html`<section class="course-progress" aria-labelledby="progress-title">
            <h2 id="progress-title">${ctx.t('progress.course')}</h2>
            ${bar(key)}
          </section>`,
        'section-progress': bar,
        'item-status': (route) => itemStatusMark(ctx, statuses.get(route) ?? 'not-started'),
      }),
    );
  });
}
