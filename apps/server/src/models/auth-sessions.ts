import type { Kysely } from 'kysely';
import type { AuthSessionRow, Database, User } from '../db/schema.ts';

/** A session with the columns of its user that every request needs. */
export interface SessionWithUser {
  session: AuthSessionRow;
  user: Pick<User, 'id' | 'email' | 'display_name' | 'is_admin'>;
}

/** The session whose id hashes to `idHash`, with its user, or null (expiry is the caller's check). */
export async function selectOptionalSessionByHash(
  db: Kysely<Database>,
  idHash: string,
): Promise<SessionWithUser | null> {
  const row = await db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .selectAll('auth_sessions')
    .select(['users.email', 'users.display_name', 'users.is_admin'])
    .where('auth_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return null;
  const { email, display_name, is_admin, ...session } = row;
  return { session, user: { id: session.user_id, email, display_name, is_admin } };
}

/** Stores a new session. */
export async function insertSession(db: Kysely<Database>, row: AuthSessionRow): Promise<void> {
  await db.insertInto('auth_sessions').values(row).execute();
}

/** Marks a session as used now (for the idle expiry). */
export async function updateSessionLastSeen(db: Kysely<Database>, idHash: string, now: Date): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ last_seen_at: now.toISOString() })
    .where('id_hash', '=', idHash)
    .execute();
}

/** Deletes one session (logout, expiry). */
export async function deleteSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('id_hash', '=', idHash).execute();
}

/** Deletes every session of a user except, optionally, one (password change keeps the current one). */
export async function deleteUserSessions(db: Kysely<Database>, userId: number, exceptIdHash?: string): Promise<number> {
  let query = db.deleteFrom('auth_sessions').where('user_id', '=', userId);
  if (exceptIdHash) query = query.where('id_hash', '!=', exceptIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes sessions past their absolute expiry or idle since before `idleBefore`. */
export async function deleteExpiredSessions(db: Kysely<Database>, now: Date, idleBefore: Date): Promise<void> {
  await db
    .deleteFrom('auth_sessions')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<', idleBefore.toISOString())]),
    )
    .execute();
}

/** A user's sessions, newest first (for their data export). */
export async function selectUserSessions(db: Kysely<Database>, userId: number): Promise<AuthSessionRow[]> {
  return db
    .selectFrom('auth_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}
