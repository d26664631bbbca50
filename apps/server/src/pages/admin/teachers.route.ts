import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { isPupilIdentifier } from '../../lib/classes/codes.ts';
import { adminTeachersUrl } from '../../lib/urls.ts';
import { approveTeacher, deleteTeacher, selectOptionalTeacherStatus, selectTeachers } from '../../models/teachers.ts';
import { selectOptionalUserByEmail } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { emptyForm, type FormState } from '../../views/forms.ts';
import { adminTeachersView } from './teachers.view.ts';

type UserParams = { Params: { userId: string } };

const NOTICES: Record<string, MessageKey> = {
  granted: 'admin.teachers.notice.granted',
  approved: 'admin.teachers.notice.approved',
  refused: 'admin.teachers.notice.refused',
  revoked: 'admin.teachers.notice.revoked',
};

/** /admin/teachers: administrators grant the teacher role and decide on requests (404 to anyone else). */
export function adminTeacherRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets, clock, config } = services;

  function requireAdmin(request: FastifyRequest) {
    const user = requireUser(request);
    if (!user.isAdmin) throw new HttpError('NOT_FOUND');
    return user;
  }

  async function show(request: FastifyRequest, reply: FastifyReply, form: FormState, status = 200) {
    requireAdmin(request);
    const key = NOTICES[(request.query as Record<string, string | undefined>)['notice'] ?? ''];
    return sendPage(
      reply,
      adminTeachersView(pageContext(request, assets), {
        entries: await selectTeachers(db.kysely),
        form,
        csrf: request.authSession!.csrfSecret,
        notice: key ? request.t(key) : undefined,
        zone: config.timezone,
      }),
      status,
    );
  }

  const userId = (request: FastifyRequest<UserParams>): number => {
    if (!/^[1-9]\d{0,11}$/.test(request.params.userId)) throw new HttpError('NOT_FOUND');
    return Number(request.params.userId);
  };

  app.get('/admin/teachers', (request, reply) => show(request, reply, emptyForm()));

  app.post('/admin/teachers', async (request, reply) => {
    const admin = requireAdmin(request);
    const email = formValue(request, 'email').trim();
    const user = email ? await selectOptionalUserByEmail(db.kysely, email) : null;
    // A pseudonymous pupil's account is never a teacher's.
    if (!user || isPupilIdentifier(user.email)) {
      return show(request, reply, { values: { email }, errors: { email: 'admin.teachers.noAccount' } }, 400);
    }
    await approveTeacher(db.kysely, user.id, admin.id, clock());
    return reply.redirect(`${adminTeachersUrl()}?notice=granted`, 303);
  });

  app.post<UserParams>('/admin/teachers/:userId/approve', async (request, reply) => {
    const admin = requireAdmin(request);
    const id = userId(request);
    if ((await selectOptionalTeacherStatus(db.kysely, id)) !== 'requested') throw new HttpError('NOT_FOUND');
    await approveTeacher(db.kysely, id, admin.id, clock());
    return reply.redirect(`${adminTeachersUrl()}?notice=approved`, 303);
  });

  app.post<UserParams>('/admin/teachers/:userId/refuse', async (request, reply) => {
    requireAdmin(request);
    if (!(await deleteTeacher(db.kysely, userId(request), 'requested'))) throw new HttpError('NOT_FOUND');
    return reply.redirect(`${adminTeachersUrl()}?notice=refused`, 303);
  });

  app.post<UserParams>('/admin/teachers/:userId/revoke', async (request, reply) => {
    requireAdmin(request);
    if (!(await deleteTeacher(db.kysely, userId(request), 'approved'))) throw new HttpError('NOT_FOUND');
    return reply.redirect(`${adminTeachersUrl()}?notice=revoked`, 303);
  });
}
