import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { safeLocalPath } from '../lib/urls.ts';

/** A text field of a posted form ('' when absent). */
export function formValue(request: FastifyRequest, name: string): string {
  const body = request.body as Record<string, unknown> | null | undefined;
  const value = body && typeof body === 'object' ? body[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** Where to go after a form: the `next` field or query parameter if it is a path on this site. */
export function nextPath(request: FastifyRequest, fallback: string): string {
  const query = (request.query as Record<string, unknown> | undefined)?.['next'];
  const raw = formValue(request, 'next') || (typeof query === 'string' ? query : '');
  return raw ? safeLocalPath(raw) : fallback;
}

/** Sends an HTML page with a status. */
export function sendPage(reply: FastifyReply, page: string | Buffer, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/**
 * The origin links in e-mails start with: the configured public URL, else (development, outbox)
 * this request's. Config refuses SMTP without CARNET_BASE_URL, so a forged Host header never
 * reaches a real mailbox.
 */
export function publicOrigin(request: FastifyRequest, config: Config): string {
  return config.baseUrl ? config.baseUrl.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
}

/** A simple check of an e-mail address's shape (the confirmation e-mail is the real check). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(value);
}
