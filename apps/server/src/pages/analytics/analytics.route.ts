import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { runAnalytics } from '../../lib/analytics/analytics.ts';
import { analyticsCsv, isAnalyticsTable } from '../../lib/analytics/csv.ts';
import { selectOptionalRunBySlug } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import { selectManagedCourse } from '../manage/manage.route.ts';
import { analyticsView } from './analytics.view.ts';

type Params = { slug: string; run: string };

/**
 * A session's figures for its staff (issue 14, ADR 049): `GET /manage/courses/<slug>/runs/<run>/analytics`
 * and each of its tables as `…/analytics/<table>.csv`: grouped counts (models/analytics.ts), the
 * heavy ones of a big session as its background job last stored them; like every staff page, it does not exist (404) for anyone who does not
 * manage the course, and a visitor is asked to log in.
 */
export function analyticsRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config, jobs } = services;

  async function managedRun(request: FastifyRequest<{ Params: Params }>) {
    const course = await selectManagedCourse(db.kysely, requireUser(request), request.params.slug);
    const run = await selectOptionalRunBySlug(db.kysely, course.slug, request.params.run);
    if (!run) throw new HttpError('RUN_NOT_FOUND');
    return { course, run };
  }

  app.get<{ Params: Params }>('/manage/courses/:slug/runs/:run/analytics', async (request, reply) => {
    const { course, run } = await managedRun(request);
    const figures = await runAnalytics(db.kysely, jobs, run, clock(), config.timezone);
    return sendPage(
      reply,
      analyticsView(pageContext(request, assets), { course, run, figures, zone: config.timezone }),
    );
  });

  app.get<{ Params: Params & { table: string } }>(
    '/manage/courses/:slug/runs/:run/analytics/:table',
    async (request, reply) => {
      const { course, run } = await managedRun(request);
      const name = request.params.table.replace(/\.csv$/, '');
      if (!request.params.table.endsWith('.csv') || !isAnalyticsTable(name)) throw new HttpError('NOT_FOUND');
      const figures = await runAnalytics(db.kysely, jobs, run, clock(), config.timezone);
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${course.slug}-${run.slug}-${name}.csv"`)
        .header('Cache-Control', 'private, no-store')
        .send(analyticsCsv(figures, name));
    },
  );
}
