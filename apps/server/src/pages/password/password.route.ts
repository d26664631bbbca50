import type { FastifyInstance } from 'fastify';
import { csrfToken, startSession } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, isEmailAddress, publicOrigin, sendPage } from '../../http/forms.ts';
import { RESET_TOKEN_MINUTES, requestPasswordReset, resetPassword, throttleTokenUse } from '../../lib/auth/accounts.ts';
import { passwordProblem } from '../../lib/auth/passwords.ts';
import { hashToken, looksLikeToken } from '../../lib/auth/tokens.ts';
import { dashboardUrl } from '../../lib/urls.ts';
import { selectOptionalUsableToken } from '../../models/email-tokens.ts';
import { selectOptionalUserById } from '../../models/users.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { forgotSentView, forgotView, resetView } from './password.view.ts';

/** Password reset by e-mail: ask for a link, then set a new password from it. */
export function passwordRoutes(app: FastifyInstance, services: Services): void {
  const { assets, db, clock } = services;

  app.get('/password/forgot', async (request, reply) =>
    sendPage(
      reply,
      forgotView(pageContext(request, assets), { form: { values: {}, errors: {} }, csrf: csrfToken(request, reply) }),
    ),
  );

  app.post('/password/forgot', async (request, reply) => {
    const email = formValue(request, 'email').trim();
    const form: FormState = { values: { email }, errors: {} };
    const show = (status: number) =>
      sendPage(reply, forgotView(pageContext(request, assets), { form, csrf: csrfToken(request, reply) }), status);
    if (!email) form.errors['email'] = 'form.email.required';
    else if (!isEmailAddress(email)) form.errors['email'] = 'form.email.invalid';
    if (Object.keys(form.errors).length > 0) return show(400);
    const limited = await requestPasswordReset(services, {
      email,
      ip: request.ip,
      origin: publicOrigin(request, services.config),
      language: request.lang,
    });
    if (limited) {
      form.formError = { key: 'form.throttled', params: { minutes: Math.ceil(limited.retryAfterSeconds / 60) } };
      reply.header('Retry-After', String(limited.retryAfterSeconds));
      return show(429);
    }
    return sendPage(reply, forgotSentView(pageContext(request, assets), email, RESET_TOKEN_MINUTES));
  });

  /** The account a usable reset token is for, or a TOKEN_INVALID error. */
  async function tokenOwner(token: string) {
    const found = looksLikeToken(token)
      ? await selectOptionalUsableToken(db.kysely, hashToken(token), 'reset', clock())
      : null;
    const user = found?.user_id ? await selectOptionalUserById(db.kysely, found.user_id) : null;
    if (!user) throw new HttpError('TOKEN_INVALID');
    return user;
  }

  app.get<{ Params: { token: string } }>('/password/reset/:token', async (request, reply) => {
    const user = await tokenOwner(request.params.token);
    reply.header('Referrer-Policy', 'no-referrer');
    return sendPage(
      reply,
      resetView(pageContext(request, assets), {
        form: { values: {}, errors: {} },
        csrf: csrfToken(request, reply),
        token: request.params.token,
        email: user.email,
      }),
    );
  });

  app.post<{ Params: { token: string } }>('/password/reset/:token', async (request, reply) => {
    const limited = await throttleTokenUse(services, request.ip);
    if (limited) throw new HttpError('TOO_MANY_REQUESTS', String(limited.retryAfterSeconds));
    const { token } = request.params;
    const owner = await tokenOwner(token);
    const password = formValue(request, 'password');
    const problem = password ? passwordProblem(password, owner.email) : 'form.password.required';
    if (problem) {
      reply.header('Referrer-Policy', 'no-referrer');
      const form: FormState = { values: {}, errors: { password: problem } };
      return sendPage(
        reply,
        resetView(pageContext(request, assets), { form, csrf: csrfToken(request, reply), token, email: owner.email }),
        400,
      );
    }
    const user = await resetPassword(services, token, password);
    if (!user) throw new HttpError('TOKEN_INVALID');
    await startSession(request, reply, services, user.id);
    return reply.redirect(`${dashboardUrl()}?notice=password-reset`, 303);
  });
}
