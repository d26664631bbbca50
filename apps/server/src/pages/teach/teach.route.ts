import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser, type CurrentUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, publicOrigin, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import {
  addCoTeacher,
  classInputProblems,
  createClass,
  createPupilAccounts,
  deleteClass,
  parseRoster,
  regenerateJoinCode,
  removePupil,
  resetPupilPassword,
  ROSTER_MAX,
  schoolYearOf,
  type ClassInput,
  type SheetEntry,
} from '../../lib/classes/classes.ts';
import { loginUrl, teachClassUrl, teachUrl } from '../../lib/urls.ts';
import {
  deleteClassTeacherUnlessLast,
  selectClassPupils,
  selectClassTeachers,
  selectOptionalClassOfTeacher,
  selectOptionalOwningClassId,
  selectTeacherClasses,
  updateClassDetails,
  updateJoinOpen,
} from '../../models/classes.ts';
import { ensureTeacherRequest, selectOptionalTeacherStatus } from '../../models/teachers.ts';
import { selectClassActivities } from '../../models/activities.ts';
import type { SchoolClass } from '../../db/schema.ts';
import type { Services } from '../../services.ts';
import { emptyForm, type FormState } from '../../views/forms.ts';
import { sheetView } from './sheet.view.ts';
import { classView, deleteClassView, teachHomeView } from './teach.view.ts';

type ClassParams = { Params: { id: string } };
type PupilParams = { Params: { id: string; userId: string } };

const NOTICES: Record<string, MessageKey> = {
  requested: 'teach.notice.requested',
  created: 'class.notice.created',
  saved: 'class.notice.saved',
  regenerated: 'class.notice.regenerated',
  closed: 'class.notice.closed',
  opened: 'class.notice.opened',
  'teacher-added': 'class.notice.teacherAdded',
  'pupil-removed': 'class.notice.pupilRemoved',
  'pupil-deleted': 'class.notice.pupilDeleted',
  deleted: 'class.notice.deleted',
  'activity-deleted': 'activity.notice.deleted',
  left: 'class.notice.left',
};

const ID = /^[1-9]\d{0,11}$/;

/**
 * The teacher space (issue 14): /teach and /teach/classes/<id>/…. A class is only ever read
 * through its teachers: to anyone else (another teacher, a pupil, an administrator) it does not
 * exist (404), and so does every pupil of it.
 */
export function teachRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config } = services;

  const noticeOf = (request: FastifyRequest): string | undefined => {
    const key = NOTICES[(request.query as Record<string, string | undefined>)['notice'] ?? ''];
    return key ? request.t(key) : undefined;
  };

  /** The logged-in approved teacher and the class of the URL, or 404. */
  async function teacherClass(
    request: FastifyRequest<ClassParams>,
  ): Promise<{ user: CurrentUser; schoolClass: SchoolClass }> {
    const user = requireUser(request);
    if (!ID.test(request.params.id)) throw new HttpError('NOT_FOUND');
    if ((await selectOptionalTeacherStatus(db.kysely, user.id)) !== 'approved') throw new HttpError('NOT_FOUND');
    const schoolClass = await selectOptionalClassOfTeacher(db.kysely, Number(request.params.id), user.id);
    if (!schoolClass) throw new HttpError('NOT_FOUND');
    return { user, schoolClass };
  }

  /** A pupil of the URL's class, by id, or 404 (a pupil of another class is nobody here). */
  async function classPupil(request: FastifyRequest<PupilParams>) {
    const found = await teacherClass(request);
    if (!ID.test(request.params.userId)) throw new HttpError('NOT_FOUND');
    const pupilId = Number(request.params.userId);
    const pupils = await selectClassPupils(db.kysely, found.schoolClass.id);
    const pupil = pupils.find((p) => p.user_id === pupilId);
    if (!pupil) throw new HttpError('NOT_FOUND');
    return { ...found, pupil };
  }

  async function showHome(
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { form?: FormState; requestForm?: FormState } = {},
    status = 200,
  ) {
    const user = requireUser(request);
    const teacherStatus = await selectOptionalTeacherStatus(db.kysely, user.id);
    return sendPage(
      reply,
      teachHomeView(pageContext(request, assets), {
        status: teacherStatus,
        pupilAccount: (await selectOptionalOwningClassId(db.kysely, user.id)) !== null,
        classes: teacherStatus === 'approved' ? await selectTeacherClasses(db.kysely, user.id) : [],
        form: forms.form ?? { values: { school_year: schoolYearOf(clock()), level: 'seconde' }, errors: {} },
        requestForm: forms.requestForm ?? emptyForm(),
        csrf: request.authSession!.csrfSecret,
        notice: noticeOf(request),
      }),
      status,
    );
  }

  async function showClass(
    request: FastifyRequest<ClassParams>,
    reply: FastifyReply,
    forms: { details?: FormState; teacher?: FormState; roster?: FormState } = {},
    status = 200,
  ) {
    const { user, schoolClass } = await teacherClass(request);
    return sendPage(
      reply,
      classView(pageContext(request, assets), {
        schoolClass,
        teachers: await selectClassTeachers(db.kysely, schoolClass.id),
        pupils: await selectClassPupils(db.kysely, schoolClass.id),
        activities: await selectClassActivities(db.kysely, schoolClass.id),
        origin: publicOrigin(request, config),
        csrf: request.authSession!.csrfSecret,
        me: user.id,
        detailsForm: forms.details ?? {
          values: { name: schoolClass.name, school_year: schoolClass.school_year, level: schoolClass.level },
          errors: {},
        },
        teacherForm: forms.teacher ?? emptyForm(),
        rosterForm: forms.roster ?? emptyForm(),
        notice: noticeOf(request),
        zone: config.timezone,
      }),
      status,
    );
  }

  function sheet(request: FastifyRequest, reply: FastifyReply, schoolClass: SchoolClass, entries: SheetEntry[]) {
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(
      reply,
      sheetView(pageContext(request, assets), {
        schoolClass,
        entries,
        loginAddress: publicOrigin(request, config) + loginUrl(),
      }),
    );
  }

  const classInput = (request: FastifyRequest): ClassInput => ({
    name: formValue(request, 'name').trim(),
    schoolYear: formValue(request, 'school_year').replace(/\s+/g, '').replace(/[/–—]/g, '-'),
    level: formValue(request, 'level'),
  });
  const classForm = (input: ClassInput): FormState => ({
    values: { name: input.name, school_year: input.schoolYear, level: input.level },
    errors: { ...classInputProblems(input) } as Record<string, MessageKey>,
  });
  const renameYear = (form: FormState) => {
    if (form.errors['schoolYear']) form.errors['school_year'] = form.errors['schoolYear'];
    delete form.errors['schoolYear'];
    return form;
  };

  app.get('/teach', (request, reply) => showHome(request, reply));

  app.post('/teach/request', async (request, reply) => {
    const user = requireUser(request);
    const school = formValue(request, 'school').trim();
    if ((await selectOptionalOwningClassId(db.kysely, user.id)) !== null) throw new HttpError('NOT_FOUND');
    if (!school || [...school].length > 200 || /[\u0000-\u001f\u007f]/.test(school)) {
      return showHome(
        request,
        reply,
        { requestForm: { values: { school }, errors: { school: 'teach.request.schoolRequired' } } },
        400,
      );
    }
    await ensureTeacherRequest(db.kysely, user.id, school, clock());
    return reply.redirect(`${teachUrl()}?notice=requested`, 303);
  });

  app.post('/teach/classes', async (request, reply) => {
    const user = requireUser(request);
    if ((await selectOptionalTeacherStatus(db.kysely, user.id)) !== 'approved') throw new HttpError('NOT_FOUND');
    const input = classInput(request);
    const form = renameYear(classForm(input));
    if (Object.keys(form.errors).length > 0) return showHome(request, reply, { form }, 400);
    const created = await createClass(services, user.id, input);
    return reply.redirect(`${teachClassUrl(created.id)}?notice=created`, 303);
  });

  app.get<ClassParams>('/teach/classes/:id', (request, reply) => showClass(request, reply));

  app.post<ClassParams>('/teach/classes/:id', async (request, reply) => {
    const { schoolClass } = await teacherClass(request);
    const input = classInput(request);
    const form = renameYear(classForm(input));
    if (Object.keys(form.errors).length > 0) return showClass(request, reply, { details: form }, 400);
    await updateClassDetails(db.kysely, schoolClass.id, input, clock());
    return reply.redirect(`${teachClassUrl(schoolClass.id)}?notice=saved`, 303);
  });

  app.post<ClassParams>('/teach/classes/:id/code', async (request, reply) => {
    const { schoolClass } = await teacherClass(request);
    const action = formValue(request, 'action');
    if (action === 'regenerate') await regenerateJoinCode(services, schoolClass.id);
    else if (action === 'close' || action === 'open') {
      await updateJoinOpen(db.kysely, schoolClass.id, action === 'open', clock());
    } else throw new HttpError('BAD_REQUEST', 'action');
    const done = { regenerate: 'regenerated', close: 'closed', open: 'opened' }[action];
    return reply.redirect(`${teachClassUrl(schoolClass.id)}?notice=${done}`, 303);
  });

  app.post<ClassParams>('/teach/classes/:id/teachers', async (request, reply) => {
    const { user, schoolClass } = await teacherClass(request);
    const email = formValue(request, 'email').trim();
    const form: FormState = { values: { email }, errors: {} };
    if (!email) {
      form.errors['email'] = 'form.email.required';
      return showClass(request, reply, { teacher: form }, 400);
    }
    const result = await addCoTeacher(services, { classId: schoolClass.id, email, addedBy: user.id });
    if (result === 'not-a-teacher') {
      form.errors['email'] = 'class.teachers.notTeacher';
      return showClass(request, reply, { teacher: form }, 400);
    }
    return reply.redirect(`${teachClassUrl(schoolClass.id)}?notice=teacher-added`, 303);
  });

  app.post<ClassParams>('/teach/classes/:id/leave', async (request, reply) => {
    const { user, schoolClass } = await teacherClass(request);
    if (!(await deleteClassTeacherUnlessLast(db.kysely, schoolClass.id, user.id))) {
      return showClass(
        request,
        reply,
        { teacher: { values: {}, errors: {}, formError: { key: 'class.teachers.lastOne' } } },
        409,
      );
    }
    return reply.redirect(`${teachUrl()}?notice=left`, 303);
  });

  app.post<ClassParams>('/teach/classes/:id/pupils', async (request, reply) => {
    const { schoolClass } = await teacherClass(request);
    const text = formValue(request, 'names');
    const countText = formValue(request, 'count').trim();
    const form: FormState = { values: { names: text, count: countText }, errors: {} };
    let names: string[];
    if (text.trim()) {
      const parsed = parseRoster(text);
      if ('error' in parsed) {
        form.errors['names'] = parsed.error;
        return showClass(request, reply, { roster: form }, 400);
      }
      names = parsed.names;
    } else {
      const count = /^\d{1,2}$/.test(countText) ? Number(countText) : 0;
      if (count < 1 || count > ROSTER_MAX) {
        form.errors['count'] = countText ? 'classes.error.count' : 'classes.error.rosterEmpty';
        return showClass(request, reply, { roster: form }, 400);
      }
      const start = (await selectClassPupils(db.kysely, schoolClass.id)).length;
      const width = String(start + count).length < 2 ? 2 : String(start + count).length;
      names = Array.from({ length: count }, (_, i) =>
        request.t('classes.generatedName', { n: String(start + i + 1).padStart(width, '0') }),
      );
    }
    const entries = await createPupilAccounts(services, { classId: schoolClass.id, names, language: request.lang });
    return sheet(request, reply, schoolClass, entries);
  });

  app.post<PupilParams>('/teach/classes/:id/pupils/:userId/password', async (request, reply) => {
    const { schoolClass, pupil } = await classPupil(request);
    const entry = await resetPupilPassword(services, schoolClass.id, pupil.user_id);
    if (!entry) throw new HttpError('NOT_FOUND');
    return sheet(request, reply, schoolClass, [entry]);
  });

  app.post<PupilParams>('/teach/classes/:id/pupils/:userId/remove', async (request, reply) => {
    const { schoolClass, pupil } = await classPupil(request);
    if (formValue(request, 'confirm') !== '1') throw new HttpError('BAD_REQUEST', 'confirm');
    const result = await removePupil(services, schoolClass.id, pupil.user_id);
    return reply.redirect(
      `${teachClassUrl(schoolClass.id)}?notice=${result === 'deleted' ? 'pupil-deleted' : 'pupil-removed'}`,
      303,
    );
  });

  async function showDelete(request: FastifyRequest<ClassParams>, reply: FastifyReply, form: FormState, status = 200) {
    const { schoolClass } = await teacherClass(request);
    const pupils = await selectClassPupils(db.kysely, schoolClass.id);
    return sendPage(
      reply,
      deleteClassView(pageContext(request, assets), {
        schoolClass,
        accounts: pupils.filter((p) => p.owned).length,
        ownPupils: pupils.filter((p) => !p.owned).length,
        csrf: request.authSession!.csrfSecret,
        form,
      }),
      status,
    );
  }

  app.get<ClassParams>('/teach/classes/:id/delete', (request, reply) => showDelete(request, reply, emptyForm()));

  app.post<ClassParams>('/teach/classes/:id/delete', async (request, reply) => {
    const { schoolClass } = await teacherClass(request);
    const typed = formValue(request, 'confirm_name').trim();
    if (typed !== schoolClass.name) {
      return showDelete(
        request,
        reply,
        { values: { confirm_name: typed }, errors: { confirm_name: 'class.delete.nameMismatch' } },
        400,
      );
    }
    await deleteClass(services, schoolClass.id);
    return reply.redirect(`${teachUrl()}?notice=deleted`, 303);
  });
}
