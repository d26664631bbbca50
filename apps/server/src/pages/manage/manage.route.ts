import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Course, Database } from '../../db/schema.ts';
import { requireUser, type CurrentUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, isEmailAddress, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { canManageCourse } from '../../lib/auth/roles.ts';
import { versionExercises, type ExerciseFacts } from '../../lib/grades/gradebook.ts';
import { queueGradeRecompute } from '../../lib/grades/recompute.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { toLocalInput } from '../../lib/runs/dates.ts';
import { checkRunInput, createRun, editRun, moveRunToVersion, type RunInput } from '../../lib/runs/runs.ts';
import { manageCourseUrl, runUrl } from '../../lib/urls.ts';
import {
  deleteCourseRole,
  ensureCourseRole,
  selectCourseIdsWithRole,
  selectCourseStaff,
} from '../../models/course-roles.ts';
import { selectAllCourses, selectOptionalCourseBySlug, updateForumAnonymous } from '../../models/courses.ts';
import { selectCourseRuns, selectOptionalRunBySlug, type RunWithCourse } from '../../models/runs.ts';
import { selectOptionalUserByEmail } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { emptyForm, type FormState } from '../../views/forms.ts';
import { manageCourseView, manageHomeView, manageSubmissionsView, runFormView } from './manage.view.ts';
import { selectCourseSubmissions } from '../../models/submissions.ts';

/** The course at `slug` if this user may manage it; 404 otherwise (also for courses that exist). */
export async function selectManagedCourse(db: Kysely<Database>, user: CurrentUser, slug: string): Promise<Course> {
  const course = await selectOptionalCourseBySlug(db, slug);
  if (!course || !(await canManageCourse(db, user, course.id))) throw new HttpError('NOT_FOUND');
  return course;
}

const NOTICES: Record<string, MessageKey> = {
  created: 'manage.notice.created',
  saved: 'manage.notice.saved',
  moved: 'manage.notice.moved',
  granted: 'manage.notice.granted',
  revoked: 'manage.notice.revoked',
};

/**
 * The staff area: sessions of the courses a user manages (staff: theirs; administrators: all) and,
 * for administrators, who is staff. To anyone else these pages do not exist (404).
 */
export function manageRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, content, clock, config, jobs } = services;
  const noticeOf = (request: FastifyRequest) => {
    const key = NOTICES[String((request.query as Record<string, unknown>)['notice'])];
    return key ? request.t(key) : undefined;
  };

  const managedCourse = (user: CurrentUser, slug: string) => selectManagedCourse(db.kysely, user, slug);

  async function managedRun(user: CurrentUser, slug: string, runSlug: string) {
    const course = await managedCourse(user, slug);
    const run = await selectOptionalRunBySlug(db.kysely, slug, runSlug);
    if (!run) throw new HttpError('RUN_NOT_FOUND');
    return { course, run };
  }

  async function weeksOf(versionId: number | null): Promise<number[]> {
    const version = versionId ? await content.version(versionId) : null;
    return version ? (JSON.parse(version.structure) as CourseStructure).weeks.map((w) => w.week) : [];
  }

  async function liveTag(versionId: number | null): Promise<string | null> {
    return versionId ? ((await content.version(versionId))?.tag ?? null) : null;
  }

  function runInput(request: FastifyRequest, weeks: number[]): RunInput {
    const weekOpens: Record<number, string> = {};
    for (const week of weeks) weekOpens[week] = formValue(request, `week_${week}`);
    return {
      slug: formValue(request, 'slug'),
      title: formValue(request, 'title'),
      mode: formValue(request, 'mode') || 'scheduled',
      startsAt: formValue(request, 'startsAt'),
      endsAt: formValue(request, 'endsAt'),
      enrolOpensAt: formValue(request, 'enrolOpensAt'),
      enrolClosesAt: formValue(request, 'enrolClosesAt'),
      weekOpens,
    };
  }

  function formFromRequest(request: FastifyRequest, weeks: number[]): FormState {
    const names = [
      'slug',
      'title',
      'mode',
      'startsAt',
      'endsAt',
      'enrolOpensAt',
      'enrolClosesAt',
      'archived',
      'videosCount',
    ];
    const values = Object.fromEntries(names.map((n) => [n, formValue(request, n)]));
    for (const week of weeks) values[`week_${week}`] = formValue(request, `week_${week}`);
    return { values, errors: {} };
  }

  app.get('/manage', async (request, reply) => {
    const user = requireUser(request);
    const all = await selectAllCourses(db.kysely);
    const mine = user.isAdmin ? all : new Set(await selectCourseIdsWithRole(db.kysely, user.id));
    const courses = mine instanceof Set ? all.filter((c) => mine.has(c.id)) : all;
    if (!user.isAdmin && courses.length === 0) throw new HttpError('NOT_FOUND');
    return sendPage(reply, manageHomeView(pageContext(request, assets), courses));
  });

  async function showCourse(request: FastifyRequest, reply: FastifyReply, staffForm = emptyForm(), status = 200) {
    const user = requireUser(request);
    const course = await managedCourse(user, (request.params as { slug: string }).slug);
    const ctx = pageContext(request, assets);
    return sendPage(
      reply,
      manageCourseView(ctx, {
        course,
        liveTag: await liveTag(course.live_version_id),
        runs: await selectCourseRuns(db.kysely, course.id),
        staff: user.isAdmin ? await selectCourseStaff(db.kysely, course.id) : null,
        staffForm,
        csrf: ctx.viewer!.csrf,
        notice: noticeOf(request),
      }),
      status,
    );
  }

  app.get<{ Params: { slug: string } }>('/manage/courses/:slug', (request, reply) => showCourse(request, reply));

  app.get<{ Params: { slug: string }; Querystring: { exercise?: string } }>(
    '/manage/courses/:slug/submissions',
    async (request, reply) => {
      const user = requireUser(request);
      const course = await managedCourse(user, request.params.slug);
      const exercise = typeof request.query.exercise === 'string' ? request.query.exercise : null;
      const rows = await selectCourseSubmissions(db.kysely, course.id, {
        ...(exercise ? { exercise } : {}),
        limit: 200,
      });
      // Each submission's exercise as its own version has it (hidden checks, forgeable): a few
      // versions at most, each read once per process.
      const facts = new Map<number, Map<string, ExerciseFacts>>();
      for (const versionId of new Set(rows.map((r) => r.version_id)))
        facts.set(versionId, new Map((await versionExercises(db.kysely, versionId)).map((e) => [e.ref, e])));
      const submissions = rows.map((row) => ({
        ...row,
        facts: facts.get(row.version_id)?.get(`${row.module}.${row.exercise}`) ?? null,
      }));
      return sendPage(reply, manageSubmissionsView(pageContext(request, assets), { course, exercise, submissions }));
    },
  );

  // The course's forum settings (carnet.yml does not carry them): anonymity to other learners.
  app.post<{ Params: { slug: string } }>('/manage/courses/:slug/forum', async (request, reply) => {
    const user = requireUser(request);
    const course = await managedCourse(user, request.params.slug);
    await updateForumAnonymous(db.kysely, course.id, formValue(request, 'anonymous') === '1', clock());
    return reply.redirect(`${manageCourseUrl(course.slug)}?notice=saved`, 303);
  });

  app.post<{ Params: { slug: string } }>('/manage/courses/:slug/staff', async (request, reply) => {
    const user = requireUser(request);
    const course = await managedCourse(user, request.params.slug);
    if (!user.isAdmin) throw new HttpError('NOT_FOUND');
    const email = formValue(request, 'email').trim();
    const form: FormState = { values: { email }, errors: {} };
    const target = isEmailAddress(email) ? await selectOptionalUserByEmail(db.kysely, email) : null;
    if (!target) {
      // Administrators may learn whether an address has an account: they manage accounts.
      form.errors['email'] = email ? 'manage.staff.unknown' : 'form.email.required';
      return showCourse(request, reply, form, 400);
    }
    await ensureCourseRole(
      db.kysely,
      { userId: target.id, courseId: course.id, role: 'staff', grantedBy: user.id },
      clock(),
    );
    return reply.redirect(`${manageCourseUrl(course.slug)}?notice=granted`, 303);
  });

  app.post<{ Params: { slug: string; userId: string } }>(
    '/manage/courses/:slug/staff/:userId/revoke',
    async (request, reply) => {
      const user = requireUser(request);
      const course = await managedCourse(user, request.params.slug);
      if (!user.isAdmin) throw new HttpError('NOT_FOUND');
      const removed = await deleteCourseRole(db.kysely, Number(request.params.userId), course.id, 'staff');
      if (!removed) throw new HttpError('NOT_FOUND');
      return reply.redirect(`${manageCourseUrl(course.slug)}?notice=revoked`, 303);
    },
  );

  app.get<{ Params: { slug: string } }>('/manage/courses/:slug/runs/new', async (request, reply) => {
    const user = requireUser(request);
    const course = await managedCourse(user, request.params.slug);
    if (!course.live_version_id) throw new HttpError('COURSE_NOT_FOUND');
    const ctx = pageContext(request, assets);
    return sendPage(
      reply,
      runFormView(ctx, {
        course,
        run: null,
        liveVersionId: course.live_version_id,
        liveTag: await liveTag(course.live_version_id),
        weeks: await weeksOf(course.live_version_id),
        form: { values: { mode: 'scheduled' }, errors: {} },
        csrf: ctx.viewer!.csrf,
        zone: config.timezone,
      }),
    );
  });

  app.post<{ Params: { slug: string } }>('/manage/courses/:slug/runs/new', async (request, reply) => {
    const user = requireUser(request);
    const course = await managedCourse(user, request.params.slug);
    if (!course.live_version_id) throw new HttpError('COURSE_NOT_FOUND');
    const weeks = await weeksOf(course.live_version_id);
    const checked = checkRunInput(runInput(request, weeks), config.timezone);
    const form = formFromRequest(request, weeks);
    if (checked.ok) {
      const run = await createRun(db.kysely, course.id, course.live_version_id, checked.settings, clock());
      if (run) return reply.redirect(`${runUrl(course.slug, run.slug)}?notice=created`, 303);
      form.errors['slug'] = 'form.run.slug.taken';
    } else {
      form.errors = checked.errors;
    }
    const ctx = pageContext(request, assets);
    return sendPage(
      reply,
      runFormView(ctx, {
        course,
        run: null,
        liveVersionId: course.live_version_id,
        liveTag: await liveTag(course.live_version_id),
        weeks,
        form,
        csrf: ctx.viewer!.csrf,
        zone: config.timezone,
      }),
      400,
    );
  });

  async function showRun(
    request: FastifyRequest,
    reply: FastifyReply,
    course: Awaited<ReturnType<typeof managedCourse>>,
    run: RunWithCourse,
    form: FormState | null,
    status = 200,
  ) {
    const ctx = pageContext(request, assets);
    const zone = config.timezone;
    const initial: FormState = {
      values: {
        title: run.title,
        mode: run.mode,
        startsAt: toLocalInput(run.starts_at, zone),
        endsAt: toLocalInput(run.ends_at, zone),
        enrolOpensAt: toLocalInput(run.enrol_opens_at, zone),
        enrolClosesAt: toLocalInput(run.enrol_closes_at, zone),
        archived: run.archived ? '1' : '',
        videosCount: run.videos_count ? '1' : '',
      },
      errors: {},
    };
    return sendPage(
      reply,
      runFormView(ctx, {
        course,
        run,
        liveVersionId: course.live_version_id,
        liveTag: await liveTag(course.live_version_id),
        weeks: await weeksOf(run.version_id),
        form: form ?? initial,
        csrf: ctx.viewer!.csrf,
        zone,
        notice: noticeOf(request),
      }),
      status,
    );
  }

  app.get<{ Params: { slug: string; run: string } }>('/manage/courses/:slug/runs/:run', async (request, reply) => {
    const { course, run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
    return showRun(request, reply, course, run, null);
  });

  app.post<{ Params: { slug: string; run: string } }>('/manage/courses/:slug/runs/:run', async (request, reply) => {
    const { course, run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
    const weeks = await weeksOf(run.version_id);
    const checked = checkRunInput({ ...runInput(request, weeks), slug: run.slug }, config.timezone);
    if (!checked.ok) {
      const form = formFromRequest(request, weeks);
      form.errors = checked.errors;
      return showRun(request, reply, course, run, form, 400);
    }
    await editRun(db.kysely, run.id, checked.settings, clock(), {
      archived: formValue(request, 'archived') === '1',
      videosCount: formValue(request, 'videosCount') === '1',
    });
    // Due dates follow the schedule (ADR 029): grades are recomputed when it changes.
    const s = checked.settings;
    if (
      s.mode !== run.mode ||
      s.starts_at !== run.starts_at ||
      s.ends_at !== run.ends_at ||
      s.week_opens !== run.week_opens
    )
      await queueGradeRecompute(jobs, run.id);
    return reply.redirect(`${runUrl(course.slug, run.slug)}?notice=saved`, 303);
  });

  app.post<{ Params: { slug: string; run: string } }>(
    '/manage/courses/:slug/runs/:run/move',
    async (request, reply) => {
      const { course, run } = await managedRun(requireUser(request), request.params.slug, request.params.run);
      if (!course.live_version_id) throw new HttpError('COURSE_NOT_FOUND');
      // Another version may have other graded items and weeks: grades are recomputed.
      if (await moveRunToVersion(db.kysely, run, course.live_version_id, clock()))
        await queueGradeRecompute(jobs, run.id);
      return reply.redirect(`${runUrl(course.slug, run.slug)}?notice=moved`, 303);
    },
  );
}
