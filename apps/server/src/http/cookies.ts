import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookieOptions {
  maxAgeSeconds?: number;
  httpOnly?: boolean;
  secure: boolean;
}

/** Appends a Set-Cookie header (a reply may set several cookies). Always Path=/ and SameSite=Lax. */
export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.floor(options.maxAgeSeconds)}`);
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  // Setting a cookie twice in one reply: the last value wins.
  const kept = list.filter((c) => !c.startsWith(`${name}=`));
  // Fastify appends to an existing Set-Cookie header: remove it, then set the whole list.
  reply.removeHeader('set-cookie');
  reply.header('set-cookie', [...kept, parts.join('; ')]);
}

/** Tells the browser to forget a cookie. */
export function clearCookie(reply: FastifyReply, name: string, secure: boolean): void {
  setCookie(reply, name, '', { maxAgeSeconds: 0, secure });
}

/**
 * Whether this request reached us over HTTPS (directly, or through a trusted proxy's
 * X-Forwarded-Proto when CARNET_TRUST_PROXY is on): cookies are then Secure and `__Host-` prefixed,
 * which stops a sibling sub-domain or a network attacker from planting them.
 */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** A cookie name for this request's scheme: `__Host-name` over HTTPS, `name` otherwise. */
export function cookieName(request: FastifyRequest, name: string): string {
  return isHttps(request) ? `__Host-${name}` : name;
}
