import type { FastifyInstance } from 'fastify';
import { pageContext, sharedPageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { readerVersion } from '../../lib/runs/reading.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectCourseRuns } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import { accountArea } from '../../views/layout.ts';
import { sessionBox } from '../../views/runs.ts';
import { courseView } from './course.view.ts';

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
      enrolled: enrolment ? { run: enrolment.run, lastRoute: enrolment.enrolment.last_route } : null,
      openRuns: enrolment ? [] : (await selectCourseRuns(db.kysely, live.course_id)).reverse(),
      weeks: structure.weeks.map((w) => w.week),
      csrf: ctx.viewer!.csrf,
      zone: config.timezone,
      now,
    });
    return sendPage(reply, page.fill({ account: accountArea(ctx, ctx.viewer!), 'course-session': box }));
  });
}
