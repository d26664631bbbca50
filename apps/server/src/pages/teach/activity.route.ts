import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Activity, SchoolClass } from '../../db/schema.ts';
import { requireUser, type CurrentUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { activityItem, copyAsIpynb, followActivity } from '../../lib/activities/activities.ts';
import { checkActivityInput, COMMENT_MAX, MARK_MAX, pupilState } from '../../lib/activities/rules.ts';
import { csvLine, UTF8_BOM } from '../../lib/csv.ts';
import { toLocalInput } from '../../lib/runs/dates.ts';
import { teachActivityPupilUrl, teachActivityUrl, teachClassUrl } from '../../lib/urls.ts';
import { zipFiles } from '../../lib/zip.ts';
import {
  deleteActivity,
  deleteActivityComment,
  insertActivity,
  insertActivityComment,
  selectActivityCells,
  selectActivityComments,
  selectAllActivityCells,
  selectOptionalActivityOfTeacher,
  selectOptionalActivityPupil,
  updateActivity,
  updateHandedIn,
  updateMark,
} from '../../models/activities.ts';
import { selectClassPupils, selectOptionalClassOfTeacher } from '../../models/classes.ts';
import { selectItemSummaries } from '../../models/course-items.ts';
import { selectLiveCourses } from '../../models/courses.ts';
import { selectOptionalTeacherStatus } from '../../models/teachers.ts';
import { selectTeacherNotebooks, teacherNotebookItem } from '../../lib/teacher-notebooks/notebooks.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout } from '../../views/layout.ts';
import { commentsList, stateText } from '../activities/activities.view.ts';
import { activityItemPage } from '../activities/notebook-page.ts';
import { buttonForm } from './teach.view.ts';
import {
  activityCrumbs,
  activityFormView,
  followingTable,
  followingView,
  reviewBottom,
  reviewTop,
  type ActivityFormData,
} from './activity.view.ts';

type ClassParams = { Params: { id: string } };
type ActivityParams = { Params: { id: string } };
type PupilParams = { Params: { id: string; userId: string } };

const ID = /^[1-9]\d{0,11}$/;
const NOTICES: Record<string, MessageKey> = {
  created: 'activity.notice.created',
  saved: 'activity.notice.saved',
  commented: 'activity.notice.commented',
  marked: 'activity.notice.marked',
  reopened: 'activity.notice.reopened',
  'comment-deleted': 'activity.notice.commentDeleted',
};

/**
 * A teacher's activities (issue 14, ADR 051): assigning an item to a class, the live following
 * table, a pupil's copy read-only with comments and a mark, and the exports. An activity is only
 * read through its class's teachers: to anyone else it and its copies are a 404.
 */
export function teachActivityRoutes(app: FastifyInstance, services: Services): void {
  const { db, clock, config } = services;
  const zone = config.timezone;
  const noticeOf = (request: FastifyRequest) => {
    const key = NOTICES[(request.query as Record<string, string | undefined>)['notice'] ?? ''];
    return key ? request.t(key) : undefined;
  };

  async function approved(request: FastifyRequest): Promise<CurrentUser> {
    const user = requireUser(request);
    if ((await selectOptionalTeacherStatus(db.kysely, user.id)) !== 'approved') throw new HttpError('NOT_FOUND');
    return user;
  }

  async function teacherClass(request: FastifyRequest<ClassParams>) {
    const user = await approved(request);
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    const schoolClass = await selectOptionalClassOfTeacher(db.kysely, Number(request.params.id), user.id);
    if (!schoolClass) throw new HttpError('NOT_FOUND');
    return { user, schoolClass };
  }

  async function teacherActivity(
    request: FastifyRequest<ActivityParams>,
  ): Promise<{ user: CurrentUser; activity: Activity; schoolClass: SchoolClass }> {
    const user = await approved(request);
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    const activity = await selectOptionalActivityOfTeacher(db.kysely, Number(request.params.id), user.id);
    if (!activity) throw new HttpError('NOT_FOUND');
    const schoolClass = (await selectOptionalClassOfTeacher(db.kysely, activity.class_id, user.id))!;
    return { user, activity, schoolClass };
  }

  async function activityPupil(request: FastifyRequest<PupilParams>) {
    const found = await teacherActivity(request);
    if (!ID.test(request.params.userId)) throw new HttpError('NOT_FOUND');
    const pupils = await selectClassPupils(db.kysely, found.activity.class_id);
    const pupil = pupils.find((p) => p.user_id === Number(request.params.userId));
    if (!pupil) throw new HttpError('NOT_FOUND');
    return { ...found, pupil };
  }

  const input = (request: FastifyRequest) => ({
    title: formValue(request, 'title'),
    opens: formValue(request, 'opens'),
    closes: formValue(request, 'closes'),
    mode: formValue(request, 'mode'),
  });

  async function showNew(
    request: FastifyRequest<ClassParams>,
    reply: FastifyReply,
    slug: string,
    form: FormState,
    status = 200,
  ) {
    const { user, schoolClass } = await teacherClass(request);
    const courses = await selectLiveCourses(db.kysely);
    // The teacher's own notebooks (ADR 052), beside the catalogue: one notebook item each.
    const notebooks = await selectTeacherNotebooks(db.kysely, user.id);
    let course: ActivityFormData['course'] = null;
    const version = slug ? courses.find((c) => c.slug === slug) : undefined;
    const notebook = slug ? notebooks.find((n) => n.slug === slug) : undefined;
    if (notebook) {
      course = {
        slug: notebook.slug,
        title: notebook.title,
        items: [{ route: notebook.route, title: notebook.title, type: 'notebook' }],
      };
    } else if (version) {
      const items = (await selectItemSummaries(db.kysely, version.id)).filter(
        (i) => i.type === 'notebook' || i.type === 'quiz',
      );
      course = {
        slug: version.slug,
        title: version.title,
        items: items.map((i) => ({ route: i.route, title: i.title, type: i.type })),
      };
    }
    return sendPage(
      reply,
      activityFormView(
        pageContext(request, services.assets),
        {
          schoolClass,
          courses: courses.map((c) => ({ slug: c.slug, title: c.title })),
          notebooks: notebooks.map((n) => ({ slug: n.slug, title: n.title })),
          course,
          form,
          csrf: request.authSession!.csrfSecret,
        },
        zone,
      ),
      status,
    );
  }

  app.get<ClassParams & { Querystring: { course?: string } }>('/teach/classes/:id/activities/new', (request, reply) =>
    showNew(request, reply, request.query.course ?? '', { values: { mode: 'hand-in' }, errors: {} }),
  );

  app.post<ClassParams>('/teach/classes/:id/activities', async (request, reply) => {
    const { user, schoolClass } = await teacherClass(request);
    const slug = formValue(request, 'course');
    const route = formValue(request, 'route');
    const typed = input(request);
    const values = { ...typed, route };
    const version = (await selectLiveCourses(db.kysely)).find((c) => c.slug === slug);
    // Else one of the teacher's own notebooks, at its latest version (pinned as any item).
    const own = version ? undefined : (await selectTeacherNotebooks(db.kysely, user.id)).find((n) => n.slug === slug);
    const notebook = own ? await teacherNotebookItem(db.kysely, user.id, own.notebookId) : null;
    const target = version
      ? { courseId: version.course_id, versionId: version.id }
      : notebook
        ? { courseId: notebook.courseId, versionId: notebook.versionId }
        : null;
    if (!target) return showNew(request, reply, '', { values, errors: { course: 'activity.error.course' } }, 400);
    const item = await activityItem(db.kysely, target.versionId, route);
    const checked = checkActivityInput(typed, zone);
    const errors: Record<string, MessageKey> = 'errors' in checked ? { ...checked.errors } : {};
    if (!item || (item.type !== 'notebook' && item.type !== 'quiz')) errors['route'] = 'activity.error.item';
    if (Object.keys(errors).length > 0 || 'errors' in checked || !item) {
      return showNew(request, reply, slug, { values, errors }, 400);
    }
    const id = await insertActivity(
      db.kysely,
      {
        ...checked.value,
        title: checked.value.title || item.title,
        classId: schoolClass.id,
        courseId: target.courseId,
        versionId: target.versionId,
        route,
        kind: item.type === 'quiz' ? 'quiz' : 'notebook',
        createdBy: user.id,
      },
      clock(),
    );
    return reply.redirect(`${teachActivityUrl(id)}?notice=created`, 303);
  });

  async function showEdit(
    request: FastifyRequest<ActivityParams>,
    reply: FastifyReply,
    form?: FormState,
    status = 200,
  ) {
    const { activity, schoolClass } = await teacherActivity(request);
    return sendPage(
      reply,
      activityFormView(
        pageContext(request, services.assets),
        {
          schoolClass,
          activity,
          form: form ?? {
            values: {
              title: activity.title,
              opens: toLocalInput(activity.opens_at, zone),
              closes: toLocalInput(activity.closes_at, zone),
              mode: activity.mode,
            },
            errors: {},
          },
          csrf: request.authSession!.csrfSecret,
        },
        zone,
      ),
      status,
    );
  }

  app.get<ActivityParams>('/teach/activities/:id/edit', (request, reply) => showEdit(request, reply));

  app.post<ActivityParams>('/teach/activities/:id/edit', async (request, reply) => {
    const { activity } = await teacherActivity(request);
    const typed = input(request);
    const checked = checkActivityInput(typed, zone);
    if ('errors' in checked) return showEdit(request, reply, { values: typed, errors: checked.errors }, 400);
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    await updateActivity(
      db.kysely,
      activity.id,
      { ...checked.value, title: checked.value.title || item?.title || activity.title },
      clock(),
    );
    return reply.redirect(`${teachActivityUrl(activity.id)}?notice=saved`, 303);
  });

  app.post<ActivityParams>('/teach/activities/:id/delete', async (request, reply) => {
    const { activity } = await teacherActivity(request);
    if (formValue(request, 'confirm') !== '1') throw new HttpError('BAD_REQUEST', 'confirm');
    await deleteActivity(db.kysely, activity.id);
    return reply.redirect(`${teachClassUrl(activity.class_id)}?notice=activity-deleted`, 303);
  });

  app.get<ActivityParams>('/teach/activities/:id', async (request, reply) => {
    const { activity, schoolClass } = await teacherActivity(request);
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    const following = await followActivity(db.kysely, activity, item, clock());
    reply.header('Cache-Control', 'no-store');
    return sendPage(
      reply,
      followingView(pageContext(request, services.assets), {
        schoolClass,
        activity,
        following,
        zone,
        notice: noticeOf(request),
      }),
    );
  });

  // The live table: what the page's client module polls (never cached).
  app.get<ActivityParams>('/teach/activities/:id/table', async (request, reply) => {
    const { activity } = await teacherActivity(request);
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    const following = await followActivity(db.kysely, activity, item, clock());
    reply.header('Cache-Control', 'no-store');
    return {
      html: followingTable(pageContext(request, services.assets), activity, following, zone).toString(),
      rows: following.rows.map((r) => ({ pupil: r.pupil.user_id, state: r.state, lastActivity: r.lastActivity })),
    };
  });

  app.get<PupilParams>(
    '/teach/activities/:id/pupils/:userId',
    { config: { crossOriginIsolated: true } },
    async (request, reply) => {
      const { activity, schoolClass, pupil } = await activityPupil(request);
      const ctx = pageContext(request, services.assets);
      const item = await activityItem(db.kysely, activity.version_id, activity.route);
      if (!item) throw new HttpError('NOT_FOUND');
      const row = await selectOptionalActivityPupil(db.kysely, activity.id, pupil.user_id);
      const comments = await selectActivityComments(db.kysely, activity.id, pupil.user_id);
      const cellIds = [...item.codeCells.keys()];
      const numbers = new Map(cellIds.map((id, i) => [id, i + 1]));
      const base = teachActivityPupilUrl(activity.id, pupil.user_id);
      const csrf = request.authSession!.csrfSecret;
      const data = {
        activity,
        pupilName: pupil.display_name,
        pupilId: pupil.user_id,
        state: stateText(ctx.t, pupilState(activity, row, clock())),
        mark: row?.mark ?? null,
        feedback: row?.feedback ?? null,
        handedIn: Boolean(row?.handed_in_at),
        cells: cellIds.map((id) => ({ id, number: numbers.get(id)! })),
        comments: commentsList(ctx, comments, numbers, zone, (c) =>
          buttonForm(`${base}/comments/${c.id}/delete`, csrf, ctx.t('activity.comments.delete')),
        ),
        csrf,
        notice: noticeOf(request),
      };
      reply.header('Cache-Control', 'no-store');
      const parts = {
        top: reviewTop(ctx, data),
        bottom: reviewBottom(ctx, data),
        breadcrumb: activityCrumbs(ctx.t, schoolClass, [
          { label: activity.title, href: teachActivityUrl(activity.id) },
          { label: pupil.display_name },
        ]),
      };
      if (activity.kind === 'quiz') {
        return sendPage(
          reply,
          layout(ctx, {
            title: pupil.display_name,
            main: html`${parts.top}${parts.bottom}`,
            breadcrumb: parts.breadcrumb,
          }),
        );
      }
      const cells = await selectActivityCells(db.kysely, activity.id, pupil.user_id);
      const page = await activityItemPage(
        request,
        services,
        activity,
        {
          cells: cells.map((c) => ({ id: c.cell_id, code: c.code })),
          notice: ctx.t('activity.review.readOnly'),
          comments: comments.map((c) => ({ cellId: c.cell_id, body: c.body, author: c.author })),
        },
        parts,
      );
      return sendPage(reply, page);
    },
  );

  const text = (request: FastifyRequest, name: string, max: number): string | null => {
    const value = formValue(request, name).replace(/\r\n/g, '\n').trim();
    if ([...value].length > max || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) {
      throw new HttpError('BAD_REQUEST', name);
    }
    return value || null;
  };

  app.post<PupilParams>('/teach/activities/:id/pupils/:userId/comments', async (request, reply) => {
    const { user, activity, pupil } = await activityPupil(request);
    const cellId = formValue(request, 'cell');
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    if (!item?.codeCells.has(cellId)) throw new HttpError('BAD_REQUEST', 'cell');
    const body = text(request, 'body', COMMENT_MAX);
    if (!body) throw new HttpError('BAD_REQUEST', 'body');
    await insertActivityComment(
      db.kysely,
      { activityId: activity.id, userId: pupil.user_id, cellId, authorId: user.id, body },
      clock(),
    );
    return reply.redirect(`${teachActivityPupilUrl(activity.id, pupil.user_id)}?notice=commented#review-tools`, 303);
  });

  app.post<{ Params: { id: string; userId: string; commentId: string } }>(
    '/teach/activities/:id/pupils/:userId/comments/:commentId/delete',
    async (request, reply) => {
      const { activity, pupil } = await activityPupil(request);
      const id = Number(request.params.commentId);
      if (!ID.test(request.params.commentId)) throw new HttpError('NOT_FOUND');
      if (!(await deleteActivityComment(db.kysely, { id, activityId: activity.id, userId: pupil.user_id }))) {
        throw new HttpError('NOT_FOUND');
      }
      return reply.redirect(`${teachActivityPupilUrl(activity.id, pupil.user_id)}?notice=comment-deleted`, 303);
    },
  );

  app.post<PupilParams>('/teach/activities/:id/pupils/:userId/mark', async (request, reply) => {
    const { user, activity, pupil } = await activityPupil(request);
    const mark = text(request, 'mark', MARK_MAX);
    const feedback = text(request, 'feedback', COMMENT_MAX);
    await updateMark(db.kysely, activity.id, pupil.user_id, { mark, feedback, by: user.id }, clock());
    return reply.redirect(`${teachActivityPupilUrl(activity.id, pupil.user_id)}?notice=marked`, 303);
  });

  app.post<PupilParams>('/teach/activities/:id/pupils/:userId/reopen', async (request, reply) => {
    const { activity, pupil } = await activityPupil(request);
    await updateHandedIn(db.kysely, activity.id, pupil.user_id, null, clock());
    return reply.redirect(`${teachActivityPupilUrl(activity.id, pupil.user_id)}?notice=reopened`, 303);
  });

  app.get<ActivityParams>('/teach/activities/:id/marks.csv', async (request, reply) => {
    const { activity } = await teacherActivity(request);
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    const following = await followActivity(db.kysely, activity, item, clock());
    const t = request.t;
    const results = activity.kind === 'quiz' ? [t('activity.table.quiz')] : following.exercises.map((e) => e.ref);
    let body =
      UTF8_BOM +
      csvLine([
        t('class.pupils.col.name'),
        t('activity.table.state'),
        t('activity.table.mark'),
        t('activity.mark.feedback'),
        ...results,
        t('activity.table.handedIn'),
      ]);
    for (const r of following.rows) {
      body += csvLine([
        r.pupil.display_name,
        stateText(t, r.state),
        r.row?.mark ?? null,
        r.row?.feedback ?? null,
        ...(activity.kind === 'quiz'
          ? [r.quiz ? `${r.quiz.score}/${r.quiz.max}` : null]
          : r.exercises.map((e) => (e.passed ? 1 : e.attempts > 0 ? 0 : null))),
        r.row?.handed_in_at ?? null,
      ]);
    }
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="activity-${activity.id}-marks.csv"`)
      .type('text/csv; charset=utf-8')
      .send(body);
  });

  // Bounded: one notebook per pupil of the class (each cell at most MAX_CODE_BYTES), built in memory.
  app.get<ActivityParams>('/teach/activities/:id/notebooks.zip', async (request, reply) => {
    const { activity } = await teacherActivity(request);
    const item = await activityItem(db.kysely, activity.version_id, activity.route);
    if (!item || item.type !== 'notebook') throw new HttpError('NOT_FOUND');
    const pupils = await selectClassPupils(db.kysely, activity.class_id);
    const cells = await selectAllActivityCells(db.kysely, activity.id);
    const byPupil = new Map<number, Map<string, string>>();
    for (const c of cells) {
      if (!byPupil.has(c.user_id)) byPupil.set(c.user_id, new Map());
      byPupil.get(c.user_id)!.set(c.cell_id, c.code);
    }
    const width = String(pupils.length).length;
    const stem = item.path
      .split('/')
      .pop()!
      .replace(/\.(md|ipynb)$/, '');
    const files: { path: string; data: Uint8Array }[] = [];
    for (const [i, p] of pupils.entries()) {
      const notebook = await copyAsIpynb(db.kysely, activity, item, byPupil.get(p.user_id) ?? new Map());
      if (notebook === null) throw new HttpError('NOT_FOUND');
      const name =
        p.display_name
          .normalize('NFKC')
          .replace(/[^\p{L}\p{N}]+/gu, '-')
          .replace(/^-|-$/g, '') || 'pupil';
      files.push({ path: `${String(i + 1).padStart(width, '0')}-${name}-${stem}.ipynb`, data: Buffer.from(notebook) });
    }
    return reply
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="activity-${activity.id}-notebooks.zip"`)
      .type('application/zip')
      .send(zipFiles(files));
  });
}
