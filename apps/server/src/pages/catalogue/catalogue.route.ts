import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../http/context.ts';
import type { ImportSummary } from '../../lib/import/summary.ts';
import { selectLiveCourses } from '../../models/courses.ts';
import type { Services } from '../../services.ts';
import { catalogueView } from './catalogue.view.ts';

export function catalogueRoutes(app: FastifyInstance, { db, assets }: Services): void {
  app.get('/', async (request, reply) => {
    const courses = await selectLiveCourses(db.kysely);
    const entries = courses.map((v) => {
      const counts = (JSON.parse(v.summary) as ImportSummary).counts;
      return {
        slug: v.slug,
        title: v.title,
        description: v.description,
        language: v.language,
        notebooks: counts.notebooks,
        quizzes: counts.quizzes,
      };
    });
    return reply.type('text/html; charset=utf-8').send(catalogueView(pageContext(request, assets), entries));
  });
}
