import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { loadQuiz } from '../../lib/quizzes/quizzes.ts';
import { quizStats, statsCsv } from '../../lib/quizzes/stats.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectQuizRouteCounts } from '../../models/quiz-attempts.ts';
import { selectCourseRuns, type RunWithCourse } from '../../models/runs.ts';
import type { Services } from '../../services.ts';
import { itemRoute } from '../item/item.route.ts';
import { selectManagedCourse } from './manage.route.ts';
import { quizListView, quizStatsView, type StatsFilter } from './quizzes.view.ts';

type Query = { run?: string; attempts?: string; format?: string };

/**
 * Staff figures on quizzes (ADR 028): `GET /manage/courses/<slug>/quizzes` lists the quizzes of
 * the version read (the live one, or the chosen session's), `GET …/quizzes/<route>` shows one
 * quiz's answer distribution, and `?format=csv` downloads it. Filters are query parameters:
 * `run` (a session's slug; none: every attempt) and `attempts` (`first` or `all`). Like the other
 * staff pages, they do not exist (404) for anyone who does not manage the course.
 */
export function quizStatsRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, content } = services;

  /** The course, its sessions, the filter asked for and the version it reads. */
  async function scope(request: FastifyRequest<{ Params: { slug: string }; Querystring: Query }>) {
    const user = requireUser(request);
    const course = await selectManagedCourse(db.kysely, user, request.params.slug);
    const runs = await selectCourseRuns(db.kysely, course.id);
    const runSlug = typeof request.query.run === 'string' ? request.query.run : '';
    const run: RunWithCourse | undefined = runSlug ? runs.find((r) => r.slug === runSlug) : undefined;
    if (runSlug && !run) throw new HttpError('RUN_NOT_FOUND');
    const versionId = run?.version_id ?? course.live_version_id;
    const version = versionId ? await content.version(versionId) : null;
    if (!version) throw new HttpError('COURSE_NOT_FOUND');
    const filter: StatsFilter = { run: run ?? null, firstOnly: request.query.attempts === 'first' };
    return { course, runs, version, filter };
  }

  app.get<{ Params: { slug: string }; Querystring: Query }>('/manage/courses/:slug/quizzes', async (request, reply) => {
    const { course, runs, version, filter } = await scope(request);
    const items = (await selectItemSummaries(db.kysely, version.id)).filter((i) => i.type === 'quiz');
    const counts = new Map(
      (await selectQuizRouteCounts(db.kysely, course.id, filter.run?.id)).map((c) => [c.route, c]),
    );
    const quizzes = items.map((item) => ({
      route: item.route,
      title: item.title,
      week: item.week,
      attempts: counts.get(item.route)?.attempts ?? 0,
      learners: counts.get(item.route)?.learners ?? 0,
    }));
    return sendPage(reply, quizListView(pageContext(request, assets), { course, runs, version, filter, quizzes }));
  });

  app.get<{ Params: { slug: string; '*': string }; Querystring: Query }>(
    '/manage/courses/:slug/quizzes/*',
    async (request, reply) => {
      const { course, runs, version, filter } = await scope(request);
      const route = itemRoute(request.params['*']);
      const loaded = await loadQuiz(db.kysely, version.id, route, version.language);
      const item = loaded && (await selectItemSummaries(db.kysely, version.id)).find((i) => i.route === route);
      if (!loaded || !item) throw new HttpError('ITEM_NOT_FOUND');
      const stats = await quizStats(db.kysely, {
        courseId: course.id,
        versionId: version.id,
        route,
        quiz: loaded.quiz,
        language: version.language,
        runId: filter.run?.id,
        firstOnly: filter.firstOnly,
      });
      if (request.query.format === 'csv') {
        const name = [course.slug, route.replace(/[^\w-]+/g, '_'), filter.run?.slug, filter.firstOnly ? 'first' : 'all']
          .filter(Boolean)
          .join('-');
        return reply
          .type('text/csv; charset=utf-8')
          .header('Content-Disposition', `attachment; filename="${name}.csv"`)
          .header('Cache-Control', 'private, no-store')
          .send(statsCsv(stats));
      }
      return sendPage(
        reply,
        quizStatsView(pageContext(request, assets), {
          course,
          runs,
          version,
          filter,
          route,
          title: item.title,
          answers: loaded.secrets,
          stats,
        }),
      );
    },
  );
}
