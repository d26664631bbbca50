import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { csrfToken, requireUser } from '../../http/auth.ts';
import { pageContext } from '../../http/context.ts';
import { formValue, sendPage } from '../../http/forms.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { joinClass, lookUpJoinCode, type CodeLookup } from '../../lib/classes/classes.ts';
import { normaliseJoinCode } from '../../lib/classes/codes.ts';
import { dashboardUrl, joinUrl } from '../../lib/urls.ts';
import { isClassMember, selectClassTeachers } from '../../models/classes.ts';
import type { Services } from '../../services.ts';
import type { FormState } from '../../views/forms.ts';
import { joinView } from './join.view.ts';

type CodeParams = { Params: { code: string } };

/**
 * Joining a class (issue 14): /join (type the code) and /join/<code> (the link). A visitor is sent
 * to log in or sign up and brought back; a logged-in user sees the class and joins it with a POST.
 * Wrong and closed codes are told apart (a closed class says so) and counted against the address
 * and the account (lib/classes/classes.ts: lookUpJoinCode).
 */
export function joinRoutes(app: FastifyInstance, services: Services): void {
  const { db, assets } = services;

  function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    result: Exclude<CodeLookup, { class: unknown }>,
  ) {
    const form: FormState = { values: { code }, errors: {} };
    let status = 404;
    if ('throttled' in result) {
      form.formError = { key: 'join.throttled', params: { minutes: Math.ceil(result.retryAfterSeconds / 60) } };
      reply.header('Retry-After', String(result.retryAfterSeconds));
      status = 429;
    } else {
      const key: MessageKey = result.error === 'closed' ? 'join.closed' : 'join.wrong';
      form.errors['code'] = key;
      if (result.error === 'closed') status = 410;
    }
    return sendPage(
      reply,
      joinView(pageContext(request, assets), { kind: 'form', form, csrf: csrfToken(request, reply) }),
      status,
    );
  }

  app.get('/join', async (request, reply) =>
    sendPage(
      reply,
      joinView(pageContext(request, assets), {
        kind: 'form',
        form: { values: {}, errors: {} },
        csrf: csrfToken(request, reply),
      }),
    ),
  );

  // The typed code goes to its link, which a visitor can then log in for.
  app.post('/join', async (request, reply) => {
    const typed = formValue(request, 'code').trim();
    const code = normaliseJoinCode(typed);
    if (!code) {
      const form: FormState = { values: { code: typed }, errors: { code: typed ? 'join.wrong' : 'join.required' } };
      return sendPage(
        reply,
        joinView(pageContext(request, assets), { kind: 'form', form, csrf: csrfToken(request, reply) }),
        400,
      );
    }
    return reply.redirect(joinUrl(code), 303);
  });

  app.get<CodeParams>('/join/:code', async (request, reply) => {
    const code = normaliseJoinCode(request.params.code);
    if (!request.user) {
      // No look-up for visitors: a code is only tried by an account, under its limits.
      return sendPage(
        reply,
        joinView(pageContext(request, assets), { kind: 'login', code: code ?? request.params.code }),
      );
    }
    if (!code) return refused(request, reply, request.params.code, { error: 'wrong' });
    if (code !== request.params.code) return reply.redirect(joinUrl(code), 301);
    const result = await lookUpJoinCode(services, { code, userId: request.user.id, ip: request.ip });
    if (!('class' in result)) return refused(request, reply, code, result);
    const teachers = await selectClassTeachers(db.kysely, result.class.id);
    return sendPage(
      reply,
      joinView(pageContext(request, assets), {
        kind: 'confirm',
        schoolClass: result.class,
        teachers: teachers.map((t) => t.display_name),
        csrf: request.authSession!.csrfSecret,
        member: await isClassMember(db.kysely, result.class.id, request.user.id),
      }),
    );
  });

  app.post<CodeParams>('/join/:code', async (request, reply) => {
    const user = requireUser(request);
    const code = normaliseJoinCode(request.params.code);
    if (!code) return refused(request, reply, request.params.code, { error: 'wrong' });
    const result = await lookUpJoinCode(services, { code, userId: user.id, ip: request.ip });
    if (!('class' in result)) return refused(request, reply, code, result);
    await joinClass(services, result.class.id, user.id);
    return reply.redirect(`${dashboardUrl()}?notice=joined`, 303);
  });
}
