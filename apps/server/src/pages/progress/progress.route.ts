import type { FastifyInstance } from 'fastify';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { sendPage } from '../../http/forms.ts';
import { learnerGrade } from '../../lib/grades/gradebook.ts';
import { parseGradingPolicy } from '../../lib/grades/policy.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { readerVersion } from '../../lib/runs/reading.ts';
import { selectAttemptCounts } from '../../models/quiz-attempts.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectCourseProgress } from '../../models/item-progress.ts';
import { statusesByRoute } from '../../lib/progress/status.ts';
import type { Services } from '../../services.ts';
import { progressView } from './progress.view.ts';

/**
 * A learner's progress page in a course (issue 6 §3): their grade in their session, per type and
 * per week, what remains before the next due date, a chart of the weeks' scores. Rendered per
 * request (never the shared page cache): one grade computation and one count of quiz attempts.
 */
export function progressRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, content, config, clock } = services;
  app.get<{ Params: { slug: string } }>('/courses/:slug/progress', async (request, reply) => {
    const live = await content.liveVersion(request.params.slug);
    if (!live) throw new HttpError('COURSE_NOT_FOUND');
    const ctx = pageContext(request, assets);
    const { version, enrolment } = await readerVersion(request, services, live);
    const base = { slug: live.slug, courseTitle: version.title };
    if (!request.user) return sendPage(reply, progressView(ctx, { ...base, state: 'anonymous' }));
    if (!enrolment) return sendPage(reply, progressView(ctx, { ...base, state: 'not-enrolled' }));
    const { run } = enrolment;
    const [grade, attempts, items, rows] = await Promise.all([
      learnerGrade(db.kysely, run, request.user.id),
      selectAttemptCounts(db.kysely, request.user.id, run.course_id),
      selectItemSummaries(db.kysely, version.id),
      selectCourseProgress(db.kysely, request.user.id, run.course_id),
    ]);
    const statuses = statusesByRoute(rows);
    const videos = items
      .filter((i) => i.type === 'video')
      .map((i) => ({ route: i.route, title: i.menu_title, status: statuses.get(i.route) ?? 'not-started' }));
    const policy = parseGradingPolicy(run.grading);
    const structure = JSON.parse(version.structure) as CourseStructure;
    return sendPage(
      reply,
      progressView(ctx, {
        ...base,
        state: 'learner',
        learner: {
          run,
          grade,
          graceMinutes: policy.graceMinutes,
          attemptsAllowed: run.quiz_attempts,
          attempts,
          themes: new Map(structure.weeks.map((w) => [w.week, w.theme])),
          zone: config.timezone,
          now: clock(),
          videos,
        },
      }),
    );
  });
}
