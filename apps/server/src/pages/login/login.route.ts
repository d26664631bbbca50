import type { FastifyInstance } from 'fastify';
import { csrfToken, endSession, startSession } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { formValue, nextPath, sendPage } from '../../http/forms.ts';
import { login } from '../../lib/auth/accounts.ts';
import { catalogueUrl, dashboardUrl } from '../../lib/urls.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { loginView } from './login.view.ts';

const NOTICES = { 'logged-out': 'login.notice.loggedOut', reset: 'login.notice.reset' } as const;

/** Login and logout. */
export function loginRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { next?: string; notice?: string } }>('/login', async (request, reply) => {
    if (request.user) return reply.redirect(nextPath(request, dashboardUrl()), 303);
    const key = NOTICES[request.query.notice as keyof typeof NOTICES];
    return sendPage(
      reply,
      loginView(pageContext(request, services.assets), {
        form: { values: {}, errors: {} },
        csrf: csrfToken(request, reply),
        next: nextPath(request, ''),
        notice: key ? request.t(key) : undefined,
      }),
    );
  });

  app.post('/login', async (request, reply) => {
    const email = formValue(request, 'email').trim();
    const password = formValue(request, 'password');
    const form: FormState = { values: { email }, errors: {} };
    const show = (status: number) =>
      sendPage(
        reply,
        loginView(pageContext(request, services.assets), {
          form,
          csrf: csrfToken(request, reply),
          next: nextPath(request, ''),
        }),
        status,
      );
    if (!email) form.errors['email'] = 'form.email.required';
    if (!password) form.errors['password'] = 'form.password.required';
    if (!email || !password) return show(400);
    const result = await login(services, { email, password, ip: request.ip });
    if ('throttled' in result) {
      form.formError = { key: 'form.throttled', params: { minutes: Math.ceil(result.retryAfterSeconds / 60) } };
      reply.header('Retry-After', String(result.retryAfterSeconds));
      return show(429);
    }
    if ('error' in result) {
      // One message whether the address is unknown or the password wrong.
      form.formError = { key: 'login.invalid' };
      return show(401);
    }
    await startSession(request, reply, services, result.user.id);
    return reply.redirect(nextPath(request, dashboardUrl()), 303);
  });

  app.post('/logout', async (request, reply) => {
    await endSession(request, reply, services);
    return reply.redirect(catalogueUrl(), 303);
  });
}
