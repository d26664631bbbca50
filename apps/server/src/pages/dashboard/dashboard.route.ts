import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { countDone, statusesByRoute } from '../../lib/progress/status.ts';
import { selectItemSummaries, selectOptionalFirstRoute } from '../../models/course-items.ts';
import { selectCourseProgress } from '../../models/item-progress.ts';
import { selectCourseIdsWithRole } from '../../models/course-roles.ts';
import { selectDashboardEntries } from '../../models/enrolments.ts';
import { certificateStatus } from '../../lib/certificates/issue.ts';
import type { Services } from '../../services.ts';
import { loadDashboardClasses } from '../teach/dashboard-classes.ts';
import { dashboardView, type DashboardCourse } from './dashboard.view.ts';

const NOTICES: Record<string, MessageKey> = {
  enrolled: 'dashboard.notice.enrolled',
  unenrolled: 'dashboard.notice.unenrolled',
  'password-reset': 'dashboard.notice.passwordReset',
  joined: 'dashboard.notice.joined',
};

/** "My courses" (/me). */
export function dashboardRoutes(app: FastifyInstance, { db, assets, content, clock, config }: Services): void {
  app.get<{ Querystring: { notice?: string; welcome?: string } }>('/me', async (request, reply) => {
    const user = requireUser(request);
    const entries = await selectDashboardEntries(db.kysely, user.id);
    const courses: DashboardCourse[] = await Promise.all(
      entries.map(async (e) => {
        const version = await content.version(e.run.version_id);
        const structure = version ? (JSON.parse(version.structure) as CourseStructure) : null;
        // Progress counts the notebooks of the version the learner reads, and its video pages if
        // the session says so (quizzes and exercises will join).
        const notebooks = (await selectItemSummaries(db.kysely, e.run.version_id))
          .filter((i) => i.type === 'notebook' || (i.type === 'video' && e.run.videos_count === 1))
          .map((i) => i.route);
        const statuses = statusesByRoute(await selectCourseProgress(db.kysely, user.id, e.run.course_id));
        return {
          progress: { ...countDone(notebooks, statuses), withVideos: e.run.videos_count === 1 },
          courseSlug: e.course_slug,
          courseTitle: version?.title ?? e.course_title,
          run: e.run,
          resumeRoute: e.last_route ?? (await selectOptionalFirstRoute(db.kysely, e.run.version_id)),
          resumed: e.last_route !== null,
          weeks: structure?.weeks.map((w) => w.week) ?? [],
          certificate: await certificateStatus(db.kysely, e.run, user.id, clock()),
        };
      }),
    );
    const canManage = user.isAdmin || (await selectCourseIdsWithRole(db.kysely, user.id)).length > 0;
    const key = request.query.welcome ? 'dashboard.notice.welcome' : NOTICES[request.query.notice ?? ''];
    return sendPage(
      reply,
      dashboardView(pageContext(request, assets), {
        name: user.name,
        courses,
        canManage,
        classes: await loadDashboardClasses(db.kysely, user, clock(), config.timezone),
        notice: key ? request.t(key) : undefined,
        zone: config.timezone,
        now: clock(),
      }),
    );
  });
}
