import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../http/context.ts';
import type { ImportSummary } from '../../lib/import/summary.ts';
import { selectLiveCourses } from '../../models/courses.ts';
import { selectActiveRunIds } from '../../models/enrolments.ts';
import { selectListedRuns } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import { catalogueView } from './catalogue.view.ts';

export function catalogueRoutes(app: FastifyInstance, { db, assets, clock, config }: Services): void {
  app.get('/', async (request, reply) => {
    const now = clock();
    const [courses, runs, enrolled] = await Promise.all([
      selectLiveCourses(db.kysely),
      selectListedRuns(db.kysely, now),
      request.user ? selectActiveRunIds(db.kysely, request.user.id) : Promise.resolve(new Set<number>()),
    ]);
    const entries = courses.map((v) => {
      const counts = (JSON.parse(v.summary) as ImportSummary).counts;
      return {
        slug: v.slug,
        title: v.title,
        description: v.description,
        language: v.language,
        notebooks: counts.notebooks,
        quizzes: counts.quizzes,
        runs: runs.filter((r) => r.course_id === v.course_id),
      };
    });
    return reply
      .type('text/html; charset=utf-8')
      .send(catalogueView(pageContext(request, assets), entries, { enrolled, zone: config.timezone, now }));
  });
}
