import type { FastifyInstance } from 'fastify';
import { csrfToken, startSession } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { formValue, isEmailAddress, nextPath, publicOrigin, sendPage } from '../../http/forms.ts';
import { confirmSignup, requestSignup, throttleTokenUse } from '../../lib/auth/accounts.ts';
import { passwordProblem } from '../../lib/auth/passwords.ts';
import { hashToken, looksLikeToken } from '../../lib/auth/tokens.ts';
import { dashboardUrl, loginUrl, safeLocalPath } from '../../lib/urls.ts';
import { selectOptionalUsableToken } from '../../models/email-tokens.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { signupConfirmView, signupSentView, signupView } from './signup.view.ts';

/** Checks a display name: 1 to 80 characters, no control characters. */
export function displayNameProblem(name: string) {
  if (name.length === 0) return 'form.name.required' as const;
  if ([...name].length > 80 || /[\u0000-\u001f\u007f]/.test(name)) return 'form.name.invalid' as const;
  return null;
}

/** Sign-up, confirmed by an e-mailed link. */
export function signupRoutes(app: FastifyInstance, services: Services): void {
  const { assets, db, clock } = services;

  app.get('/signup', async (request, reply) => {
    if (request.user) return reply.redirect(dashboardUrl(), 303);
    return sendPage(
      reply,
      signupView(pageContext(request, assets), {
        form: { values: {}, errors: {} },
        csrf: csrfToken(request, reply),
        next: nextPath(request, ''),
      }),
    );
  });

  app.post('/signup', async (request, reply) => {
    const name = formValue(request, 'name').trim();
    const email = formValue(request, 'email').trim();
    const password = formValue(request, 'password');
    const form: FormState = { values: { name, email }, errors: {} };
    const nameError = displayNameProblem(name);
    if (nameError) form.errors['name'] = nameError;
    if (!email) form.errors['email'] = 'form.email.required';
    else if (!isEmailAddress(email)) form.errors['email'] = 'form.email.invalid';
    const passwordError = password ? passwordProblem(password, email) : 'form.password.required';
    if (passwordError) form.errors['password'] = passwordError;
    const show = (status: number) =>
      sendPage(
        reply,
        signupView(pageContext(request, assets), {
          form,
          csrf: csrfToken(request, reply),
          next: nextPath(request, ''),
        }),
        status,
      );
    if (Object.keys(form.errors).length > 0) return show(400);
    const limited = await requestSignup(services, {
      email,
      name,
      password,
      language: request.lang,
      ip: request.ip,
      origin: publicOrigin(request, services.config),
      // A class's join link sent the visitor here: they come back to it once confirmed.
      next: nextPath(request, ''),
    });
    if (limited) {
      form.formError = { key: 'form.throttled', params: { minutes: Math.ceil(limited.retryAfterSeconds / 60) } };
      reply.header('Retry-After', String(limited.retryAfterSeconds));
      return show(429);
    }
    return sendPage(reply, signupSentView(pageContext(request, assets), email));
  });

  app.get<{ Params: { token: string } }>('/signup/confirm/:token', async (request, reply) => {
    const { token } = request.params;
    const found = looksLikeToken(token)
      ? await selectOptionalUsableToken(db.kysely, hashToken(token), 'signup', clock())
      : null;
    if (!found?.payload) throw new HttpError('TOKEN_INVALID');
    reply.header('Referrer-Policy', 'no-referrer');
    const email = (JSON.parse(found.payload) as { email: string }).email;
    return sendPage(
      reply,
      signupConfirmView(pageContext(request, assets), { token, email, csrf: csrfToken(request, reply) }),
    );
  });

  app.post<{ Params: { token: string } }>('/signup/confirm/:token', async (request, reply) => {
    const limited = await throttleTokenUse(services, request.ip);
    if (limited) throw new HttpError('TOO_MANY_REQUESTS', String(limited.retryAfterSeconds));
    const { token } = request.params;
    if (!looksLikeToken(token)) throw new HttpError('TOKEN_INVALID');
    const result = await confirmSignup(services, token);
    if ('error' in result) {
      if (result.error === 'taken') return reply.redirect(loginUrl(), 303);
      throw new HttpError('TOKEN_INVALID');
    }
    await startSession(request, reply, services, result.user.id);
    return reply.redirect(result.next ? safeLocalPath(result.next) : `${dashboardUrl()}?welcome=1`, 303);
  });
}
