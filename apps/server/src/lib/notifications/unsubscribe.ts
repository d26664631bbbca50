import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { ensureServerSecret } from '../../models/notifications.ts';
import { safeEqual } from '../auth/tokens.ts';

/**
 * One-click unsubscribe links (RFC 8058; ADR 046): `<user>-<course>-<HMAC>`, the HMAC-SHA256 of
 * both ids under a secret kept in the database (made on first use, the same for every web
 * server). It works without a session, never expires, and only ever turns one learner's e-mails
 * of one course off: forging one for someone else needs the secret.
 */

const SECRET_NAME = 'unsubscribe-hmac';
const TOKEN = /^([1-9]\d{0,11})-([1-9]\d{0,11})-([A-Za-z0-9_-]{43})$/;
const secrets = new WeakMap<object, Promise<string>>();

function secretOf(db: Kysely<Database>, now: Date): Promise<string> {
  let secret = secrets.get(db);
  if (!secret) {
    secret = ensureServerSecret(db, SECRET_NAME, () => randomBytes(32).toString('base64url'), now);
    secrets.set(db, secret);
    secret.catch(() => secrets.delete(db));
  }
  return secret;
}

const mac = (secret: string, userId: number, courseId: number): string =>
  createHmac('sha256', secret).update(`unsubscribe:v1:${userId}:${courseId}`).digest('base64url');

/** The token of the unsubscribe link of a learner's e-mails about one course. */
export async function unsubscribeToken(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  now: Date,
): Promise<string> {
  return `${userId}-${courseId}-${mac(await secretOf(db, now), userId, courseId)}`;
}

/** Whose e-mails of which course a token turns off, or null for anything not made by this server. */
export async function verifyUnsubscribeToken(
  db: Kysely<Database>,
  token: string,
  now: Date,
): Promise<{ userId: number; courseId: number } | null> {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const userId = Number(match[1]);
  const courseId = Number(match[2]);
  return safeEqual(match[3]!, mac(await secretOf(db, now), userId, courseId)) ? { userId, courseId } : null;
}
