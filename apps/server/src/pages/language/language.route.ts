import type { FastifyInstance } from 'fastify';
import { LANG_COOKIE } from '../../http/context.ts';
import { HttpError } from '../../http/errors.ts';
import { isLanguage } from '../../i18n/index.ts';
import { safeLocalPath } from '../../lib/urls.ts';
import type { Services } from '../../services.ts';

/** The language switch: remembers the choice in a cookie and goes back to the page. */
export function languageRoutes(app: FastifyInstance, { config }: Services): void {
  const secure = config.baseUrl?.startsWith('https:') ? '; Secure' : '';
  app.get<{ Params: { lang: string }; Querystring: { next?: string } }>('/lang/:lang', async (request, reply) => {
    const { lang } = request.params;
    if (!isLanguage(lang)) throw new HttpError('NOT_FOUND');
    reply.header('Set-Cookie', `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`);
    return reply.redirect(safeLocalPath(request.query.next), 303);
  });
}
