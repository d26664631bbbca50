import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteSession } from '../models/auth-sessions.ts';
import { createSession, resolveSession, type SessionLifetimes } from '../lib/auth/sessions.ts';
import { hashToken, looksLikeToken, randomToken, safeEqual } from '../lib/auth/tokens.ts';
import type { Services } from '../services.ts';
import { readCookie } from './context.ts';
import { clearCookie, cookieName, isHttps, setCookie } from './cookies.ts';
import { HttpError } from './errors.ts';

/** The logged-in user, as every request sees them. */
export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Null for anonymous visitors. */
    user: CurrentUser | null;
    /** The session behind `user`. */
    authSession: { idHash: string; csrfSecret: string } | null;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is authenticated by a secret token in its own URL, not by a session: the CSRF hook
     * lets its POSTs through (one-click unsubscribe, RFC 8058: mail providers post it, server to server).
     */
    tokenAuthenticated?: boolean;
  }
}

const SESSION = 'carnet_session';
const ANON_CSRF = 'carnet_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function lifetimes(services: Pick<Services, 'config'>): SessionLifetimes {
  return {
    idleMs: services.config.sessionIdleHours * 3600 * 1000,
    maxMs: services.config.sessionMaxDays * 24 * 3600 * 1000,
  };
}

/**
 * Sessions and CSRF protection for the whole app:
 * - every request with a session cookie is resolved to its user (one indexed query);
 * - every POST, PUT, PATCH and DELETE must carry the CSRF token of its session (or, before login,
 *   of the anonymous CSRF cookie) in the `_csrf` field or the `X-CSRF-Token` header, and must not
 *   come from another site (Sec-Fetch-Site, Origin). The one exception: routes that declare
 *   `config: { tokenAuthenticated: true }`, whose URL carries its own secret (ADR 046).
 */
export function registerAuth(app: FastifyInstance, services: Services): void {
  const { db, clock } = services;
  const life = lifetimes(services);
  app.decorateRequest('user', null);
  app.decorateRequest('authSession', null);

  app.addHook('onRequest', async (request, reply) => {
    const token = readCookie(request, cookieName(request, SESSION));
    if (token === undefined) return;
    const found = await resolveSession(db.kysely, token, life, clock());
    if (!found) {
      clearCookie(reply, cookieName(request, SESSION), isHttps(request));
      return;
    }
    request.user = {
      id: found.user.id,
      email: found.user.email,
      name: found.user.display_name,
      isAdmin: found.user.is_admin === 1,
    };
    request.authSession = { idHash: found.session.id_hash, csrfSecret: found.session.csrf_secret };
  });

  // After body parsing (the token may be a form field), before any handler.
  app.addHook('preHandler', async (request) => {
    if (!UNSAFE.has(request.method)) return;
    if (request.routeOptions.config.tokenAuthenticated === true) return;
    // Every JSON write needs a login: without a session there is nothing it could change, and a
    // page whose session expired must learn that (401), not that its token is stale (403).
    if (!request.authSession && request.url.startsWith('/api/')) throw new HttpError('LOGIN_REQUIRED');
    if (!sameOrigin(request, services)) throw new HttpError('CSRF_FAILED', 'origin');
    const sent = submittedToken(request);
    const expected = request.authSession?.csrfSecret ?? readCookie(request, cookieName(request, ANON_CSRF));
    if (!sent || !expected || !safeEqual(sent, expected)) throw new HttpError('CSRF_FAILED', 'token');
  });

  // Pages for a logged-in user, or carrying an anonymous CSRF token, are nobody else's business.
  app.addHook('onSend', async (request, reply, payload) => {
    if ((request.user || reply.hasHeader('set-cookie')) && !reply.hasHeader('cache-control')) {
      reply.header('Cache-Control', 'private, no-store');
    }
    return payload;
  });
}

function submittedToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | undefined | null;
  const field = body && typeof body === 'object' ? body['_csrf'] : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** Refuses requests that a browser says come from another site, or from another origin. */
function sameOrigin(request: FastifyRequest, { config }: Pick<Services, 'config'>): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const own = new Set([`${request.protocol}://${request.host}`]);
  if (config.baseUrl) own.add(new URL(config.baseUrl).origin);
  return own.has(origin);
}

/**
 * The CSRF token to put in this page's forms: the session's, or for a visitor who is not logged
 * in, the value of a random cookie set here if needed (double submit; `__Host-` over HTTPS).
 */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  if (request.authSession) return request.authSession.csrfSecret;
  const name = cookieName(request, ANON_CSRF);
  const existing = readCookie(request, name);
  if (looksLikeToken(existing)) return existing;
  const fresh = randomToken();
  setCookie(reply, name, fresh, { secure: isHttps(request), maxAgeSeconds: 24 * 3600 });
  return fresh;
}

/**
 * Logs a user in on this browser: whatever session cookie came with the request is deleted
 * and a new session, with a new id and CSRF secret, replaces it (no session fixation).
 */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  services: Services,
  userId: number,
): Promise<void> {
  await dropPresentedSession(request, services);
  const created = await createSession(
    services.db.kysely,
    userId,
    lifetimes(services),
    services.clock(),
    request.headers['user-agent'],
  );
  const secure = isHttps(request);
  setCookie(reply, cookieName(request, SESSION), created.token, {
    secure,
    maxAgeSeconds: services.config.sessionMaxDays * 24 * 3600,
  });
  clearCookie(reply, cookieName(request, ANON_CSRF), secure);
  request.authSession = { idHash: created.idHash, csrfSecret: created.csrfSecret };
}

/** Logs out: deletes the session row and the cookie. */
export async function endSession(request: FastifyRequest, reply: FastifyReply, services: Services): Promise<void> {
  await dropPresentedSession(request, services);
  clearCookie(reply, cookieName(request, SESSION), isHttps(request));
  request.user = null;
  request.authSession = null;
}

async function dropPresentedSession(request: FastifyRequest, services: Services): Promise<void> {
  if (request.authSession) await deleteSession(services.db.kysely, request.authSession.idHash);
  const token = readCookie(request, cookieName(request, SESSION));
  if (looksLikeToken(token)) await deleteSession(services.db.kysely, hashToken(token));
}

/** The logged-in user, or a LOGIN_REQUIRED error (pages send the visitor to the login form). */
export function requireUser(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new HttpError('LOGIN_REQUIRED');
  return request.user;
}

/** Every value of each field of a parsed form body (checkbox groups repeat a name). */
const repeatedFields = new WeakMap<object, Map<string, string[]>>();

/** All the values posted under `name` (a checkbox group), in order; [] when absent. */
export function formValues(request: FastifyRequest, name: string): string[] {
  const body = request.body;
  if (!body || typeof body !== 'object') return [];
  return repeatedFields.get(body)?.get(name) ?? [];
}

/** Largest form post (bytes), unless a route sets its own limit. */
export const FORM_BODY_LIMIT = 256 * 1024;

/**
 * Parses HTML form posts (application/x-www-form-urlencoded) into a plain object of strings (the
 * last value of a repeated name; `formValues` has them all).
 */
export function registerFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      const fields: Record<string, string> = Object.create(null) as Record<string, string>;
      const lists = new Map<string, string[]>();
      for (const [key, value] of new URLSearchParams(body as string)) {
        fields[key] = value;
        const list = lists.get(key);
        if (list) list.push(value);
        else lists.set(key, [value]);
      }
      repeatedFields.set(fields, lists);
      done(null, fields);
    },
  );
}
