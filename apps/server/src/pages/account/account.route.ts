import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endSession, requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import { changePassword, deleteAccount, exportUserData } from '../../lib/auth/accounts.ts';
import { passwordProblem } from '../../lib/auth/passwords.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { accountUrl } from '../../lib/urls.ts';
import { selectOptionalUserById, updateDisplayName } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { emptyForm, type FormState } from '../../views/forms.ts';
import { unprintableCharacters } from '../../lib/certificates/fonts.ts';
import { certificateNameProblem, cleanCertificateName } from '../../lib/certificates/name.ts';
import { updateCertificateName } from '../../models/certificates.ts';
import { displayNameProblem } from '../signup/signup.route.ts';
import { accountDeletedView, accountView } from './account.view.ts';

const NOTICES: Record<string, MessageKey> = {
  profile: 'account.notice.profile',
  password: 'account.notice.password',
  'certificate-name': 'certificates.name.saved',
};

/** "My account": profile, password change, export, deletion. */
export function accountRoutes(app: FastifyInstance, services: Services): void {
  const { assets, db, clock } = services;

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    forms: Partial<
      Pick<Parameters<typeof accountView>[1], 'profile' | 'password' | 'deletion' | 'certificateName'>
    > = {},
    status = 200,
  ) {
    const current = requireUser(request);
    const user = await selectOptionalUserById(db.kysely, current.id);
    if (!user) return reply.redirect('/', 303);
    const noticeKey = NOTICES[String((request.query as Record<string, unknown>)['notice'])];
    return sendPage(
      reply,
      accountView(pageContext(request, assets), {
        email: user.email,
        name: user.display_name,
        createdAt: user.created_at,
        csrf: request.authSession!.csrfSecret,
        profile: forms.profile ?? emptyForm(),
        password: forms.password ?? emptyForm(),
        deletion: forms.deletion ?? emptyForm(),
        certificateName: forms.certificateName ?? emptyForm(),
        printedName: user.certificate_name ?? user.display_name,
        notice: noticeKey ? request.t(noticeKey) : undefined,
      }),
      status,
    );
  }

  app.get('/account', (request, reply) => show(request, reply));

  app.post('/account/profile', async (request, reply) => {
    const user = requireUser(request);
    const name = formValue(request, 'name').trim();
    const problem = displayNameProblem(name);
    if (problem) return show(request, reply, { profile: { values: { name }, errors: { name: problem } } }, 400);
    await updateDisplayName(db.kysely, user.id, name, clock());
    return reply.redirect(`${accountUrl()}?notice=profile`, 303);
  });

  // The name printed on certificates (ADR 031): copied into each certificate when it is issued.
  app.post('/account/certificate-name', async (request, reply) => {
    const user = requireUser(request);
    const name = cleanCertificateName(formValue(request, 'certificate_name'));
    const problem = certificateNameProblem(name);
    if (problem) {
      const form: FormState = { values: { certificate_name: name }, errors: { certificate_name: problem } };
      // Which characters, so that the learner knows what to write differently.
      if (problem === 'certificates.name.unprintable') {
        const chars = unprintableCharacters(name).join(' ');
        form.formError = { key: 'certificates.name.unprintableChars', params: { chars } };
      }
      return show(request, reply, { certificateName: form }, 400);
    }
    await updateCertificateName(db.kysely, user.id, name, clock());
    return reply.redirect(`${accountUrl()}?notice=certificate-name`, 303);
  });

  app.post('/account/password', async (request, reply) => {
    const user = requireUser(request);
    const current = formValue(request, 'current');
    const next = formValue(request, 'password');
    const form: FormState = { values: {}, errors: {} };
    if (!current) form.errors['current'] = 'form.password.required';
    const problem = next ? passwordProblem(next, user.email) : 'form.password.required';
    if (problem) form.errors['password'] = problem;
    if (Object.keys(form.errors).length > 0) return show(request, reply, { password: form }, 400);
    const result = await changePassword(services, {
      userId: user.id,
      current,
      next,
      keepSessionHash: request.authSession!.idHash,
      ip: request.ip,
    });
    if (result === 'wrong-password') {
      form.errors['current'] = 'account.password.wrong';
      return show(request, reply, { password: form }, 400);
    }
    if (typeof result === 'object') {
      form.formError = { key: 'form.throttled', params: { minutes: Math.ceil(result.retryAfterSeconds / 60) } };
      reply.header('Retry-After', String(result.retryAfterSeconds));
      return show(request, reply, { password: form }, 429);
    }
    return reply.redirect(`${accountUrl()}?notice=password`, 303);
  });

  app.post('/account/delete', async (request, reply) => {
    const user = requireUser(request);
    const password = formValue(request, 'confirm_password');
    const form: FormState = { values: {}, errors: {} };
    if (!password) {
      form.errors['confirm_password'] = 'form.password.required';
      return show(request, reply, { deletion: form }, 400);
    }
    const result = await deleteAccount(services, { userId: user.id, password });
    if (result === 'wrong-password' || result === 'last-admin') {
      if (result === 'wrong-password') form.errors['confirm_password'] = 'account.password.wrong';
      else form.formError = { key: 'account.delete.lastAdmin' };
      return show(request, reply, { deletion: form }, 400);
    }
    if (typeof result === 'object') {
      form.formError = { key: 'form.throttled', params: { minutes: Math.ceil(result.retryAfterSeconds / 60) } };
      return show(request, reply, { deletion: form }, 429);
    }
    await endSession(request, reply, services);
    return sendPage(reply, accountDeletedView(pageContext(request, assets)));
  });

  app.get('/account/export', async (request, reply) => {
    const user = requireUser(request);
    const data = await exportUserData(db, user.id);
    const stamp = clock().toISOString().slice(0, 10);
    return reply
      .header('Cache-Control', 'private, no-store')
      .header('Content-Disposition', `attachment; filename="carnet-${stamp}.json"`)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });
}
