import type { FastifyInstance, FastifyRequest } from 'fastify';
import { negotiateLanguage, translator, type Language, type Translate } from '../i18n/index.ts';
import type { PageContext, Viewer } from '../views/layout.ts';
import type { Assets } from './assets.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Language;
    t: Translate;
    /** True when this process grades without a sandbox: every page shows a warning (see layout). */
    unsafeGrading: boolean;
  }
}

export const LANG_COOKIE = 'carnet_lang';

/** Reads one cookie from the Cookie header (no dependency needed for a single value). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Whether pages warn that grading runs without a sandbox. Per process, like the page cache: a page
 * rendered once and cached by this process carries the banner exactly when the process is unsafe.
 */
export function registerUnsafeGradingFlag(app: FastifyInstance, unsafe: boolean): void {
  app.decorateRequest('unsafeGrading', unsafe);
}

/** Decides each request's UI language: the reader's explicit choice, else the browser's preference. */
export function registerLanguage(app: FastifyInstance): void {
  app.decorateRequest('lang', 'fr');
  app.decorateRequest('t', null as unknown as Translate);
  app.addHook('onRequest', async (request, reply) => {
    request.lang = negotiateLanguage(readCookie(request, LANG_COOKIE), request.headers['accept-language']);
    request.t = translator(request.lang);
    reply.header('Vary', 'Accept-Language, Cookie');
    reply.header('Content-Language', request.lang);
  });
}

/** The context page templates need, for this request and its reader. */
export function pageContext(request: FastifyRequest, assets: Assets): PageContext {
  return { ...sharedPageContext(request, assets), viewer: viewerOf(request) };
}

/**
 * The context for a page rendered once and cached for every reader: no reader (its per-reader
 * parts become slots, filled per request).
 */
export function sharedPageContext(request: FastifyRequest, assets: Assets): PageContext {
  // The path without its query: pages are cached per route, so the query must not shape them.
  return {
    lang: request.lang,
    t: request.t,
    asset: (name) => assets.url(name),
    path: request.url.split('?')[0]!,
    unsafeGrading: request.unsafeGrading,
  };
}

/** The reader of this request as the page shell shows them, or null when not logged in. */
export function viewerOf(request: FastifyRequest): Viewer | null {
  if (!request.user || !request.authSession) return null;
  return { name: request.user.name, isAdmin: request.user.isAdmin, csrf: request.authSession.csrfSecret };
}
