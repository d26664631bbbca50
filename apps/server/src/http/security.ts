import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cross-origin isolation (COOP + COEP), which SharedArrayBuffer needs: notebook pages. */
    crossOriginIsolated?: boolean;
  }
}

/**
 * Content-Security-Policy for pages: scripts only from our origin (no inline script at all);
 * inline style attributes allowed because KaTeX positions glyphs with them; images from anywhere
 * over https (course content links some); no framing by other sites.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** For course files: even an HTML or SVG file of a course cannot run script in our origin. */
export const FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

/** Adds the security headers to every response. */
export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'strict-origin-when-cross-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (options.https) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const type = String(reply.getHeader('content-type') ?? '');
    // Our pages; a page may widen its own policy (a video page's declared hosts, ADR 041). A
    // course's HTML file keeps FILE_CSP and no framing rule of ours.
    const own = reply.getHeader('content-security-policy');
    if (type.startsWith('text/html') && own !== FILE_CSP) {
      if (own === undefined) reply.header('Content-Security-Policy', PAGE_CSP);
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    }
    // A page may choose its own embedder policy (a video page's, ADR 041).
    if (request.routeOptions.config?.crossOriginIsolated) {
      reply.header('Cross-Origin-Opener-Policy', 'same-origin');
      if (!reply.hasHeader('cross-origin-embedder-policy'))
        reply.header('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    return payload;
  });
}

/** Whether a parsed body holds NUL in any string or key (walked without recursion: bodies may nest deep). */
function holdsNul(body: unknown): boolean {
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value as unknown[]) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\0')) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

/**
 * Refuses NUL in a URL (`%00`) or in any text of a body (400). PostgreSQL's text holds no NUL, so
 * such a value would fail there as a 500 (and work on SQLite); no form or page script sends one,
 * and nothing Carnet stores (names, answers, Python code) may contain it.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00') || request.url.includes('\0')) throw new HttpError('BAD_REQUEST', 'NUL (U+0000)');
  });
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.body)) throw new HttpError('BAD_REQUEST', 'NUL (U+0000)');
  });
}
