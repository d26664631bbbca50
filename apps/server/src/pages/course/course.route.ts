import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import type { Services } from '../../services.ts';
import { courseView } from './course.view.ts';

export function courseRoutes(app: FastifyInstance, { db, assets, content }: Services): void {
  app.get<{ Params: { slug: string } }>('/courses/:slug', async (request, reply) => {
    const version = await content.liveVersion(request.params.slug);
    if (!version) throw new HttpError('COURSE_NOT_FOUND');
    const page = await content.page(`course\0${version.id}\0${request.lang}`, async () =>
      courseView(pageContext(request, assets), {
        slug: version.slug,
        title: version.title,
        description: version.description,
        language: version.language,
        structure: JSON.parse(version.structure) as CourseStructure,
        items: await selectItemSummaries(db.kysely, version.id),
      }),
    );
    return reply.type('text/html; charset=utf-8').send(page);
  });
}
