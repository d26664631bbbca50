import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.ts';

/** The key e-mail addresses are compared by: trimmed, lower case. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** The user with this id, or null. */
export async function selectOptionalUserById(db: Kysely<Database>, id: number): Promise<User | null> {
  return (await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** The user with this e-mail address (case-insensitive), or null. */
export async function selectOptionalUserByEmail(db: Kysely<Database>, email: string): Promise<User | null> {
  return (await db.selectFrom('users').selectAll().where('email_key', '=', emailKey(email)).executeTakeFirst()) ?? null;
}

export interface NewUserData {
  email: string;
  displayName: string;
  passwordHash: string | null;
  isAdmin?: boolean;
  language?: string | null;
}

/** Creates a user; returns null when the address is already taken (by any case of it). */
export async function insertUser(db: Kysely<Database>, data: NewUserData, now: Date): Promise<User | null> {
  const at = now.toISOString();
  const row = await db
    .insertInto('users')
    .values({
      email: data.email.trim(),
      email_key: emailKey(data.email),
      display_name: data.displayName,
      password_hash: data.passwordHash,
      is_admin: data.isAdmin ? 1 : 0,
      language: data.language ?? null,
      created_at: at,
      updated_at: at,
      password_changed_at: data.passwordHash ? at : null,
    })
    .onConflict((oc) => oc.column('email_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** Replaces a user's password hash. */
export async function updatePasswordHash(
  db: Kysely<Database>,
  userId: number,
  passwordHash: string,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: at, updated_at: at })
    .where('id', '=', userId)
    .execute();
}

/** Changes a user's display name. */
export async function updateDisplayName(
  db: Kysely<Database>,
  userId: number,
  displayName: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ display_name: displayName, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
}

/** Records a successful login. */
export async function updateLastLogin(db: Kysely<Database>, userId: number, now: Date): Promise<void> {
  await db.updateTable('users').set({ last_login_at: now.toISOString() }).where('id', '=', userId).execute();
}

/** Grants or removes the administrator role. */
export async function updateIsAdmin(db: Kysely<Database>, userId: number, isAdmin: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ is_admin: isAdmin ? 1 : 0 })
    .where('id', '=', userId)
    .execute();
}

/** How many administrators there are. */
export async function countAdmins(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes a user; their sessions, tokens, roles, enrolments, saved work (with its history) and
 * progress go with them (foreign keys cascade).
 */
export async function deleteUser(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}
