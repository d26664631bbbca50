import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  deleteExpiredSessions,
  deleteSession,
  insertSession,
  selectOptionalSessionByHash,
  updateSessionLastSeen,
  type SessionWithUser,
} from '../../models/auth-sessions.ts';
import { hashToken, looksLikeToken, randomToken } from './tokens.ts';

/** How long logins last. */
export interface SessionLifetimes {
  idleMs: number;
  maxMs: number;
}

/** `last_seen_at` is rewritten at most this often: a session costs a write per few minutes, not per request. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

let created = 0;

/**
 * Opens a session for a user: a new random token (the cookie value) whose hash is the row's key,
 * and a new CSRF secret. Every few hundred logins, expired sessions of everyone are swept.
 */
export async function createSession(
  db: Kysely<Database>,
  userId: number,
  lifetimes: SessionLifetimes,
  now: Date,
  userAgent: string | undefined,
): Promise<{ token: string; idHash: string; csrfSecret: string }> {
  const token = randomToken();
  const idHash = hashToken(token);
  const csrfSecret = randomToken();
  const at = now.toISOString();
  await insertSession(db, {
    id_hash: idHash,
    user_id: userId,
    csrf_secret: csrfSecret,
    created_at: at,
    last_seen_at: at,
    expires_at: new Date(now.getTime() + lifetimes.maxMs).toISOString(),
    user_agent: userAgent?.slice(0, 300) ?? null,
  });
  if (++created % 200 === 0) await deleteExpiredSessions(db, now, new Date(now.getTime() - lifetimes.idleMs));
  return { token, idHash, csrfSecret };
}

/**
 * The live session for a cookie token, with its user; null when there is none or it expired (an
 * expired row is deleted). Refreshes the idle clock when it is more than a few minutes old.
 */
export async function resolveSession(
  db: Kysely<Database>,
  token: string,
  lifetimes: SessionLifetimes,
  now: Date,
): Promise<SessionWithUser | null> {
  if (!looksLikeToken(token)) return null;
  const idHash = hashToken(token);
  const found = await selectOptionalSessionByHash(db, idHash);
  if (!found) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(found.session.last_seen_at);
  if (Date.parse(found.session.expires_at) <= t || lastSeen + lifetimes.idleMs <= t) {
    await deleteSession(db, idHash);
    return null;
  }
  if (t - lastSeen > TOUCH_INTERVAL_MS) await updateSessionLastSeen(db, idHash, now);
  return found;
}
