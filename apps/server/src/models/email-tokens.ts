import type { Kysely } from 'kysely';
import type { Database, EmailToken, EmailTokenPurpose } from '../db/schema.ts';

/** Stores a token (its hash) sent by e-mail. */
export async function insertEmailToken(db: Kysely<Database>, row: Omit<EmailToken, 'used_at'>): Promise<void> {
  await db
    .insertInto('email_tokens')
    .values({ ...row, used_at: null })
    .execute();
}

/** The token of this purpose if it is unused and unexpired at `now`, else null. */
export async function selectOptionalUsableToken(
  db: Kysely<Database>,
  tokenHash: string,
  purpose: EmailTokenPurpose,
  now: Date,
): Promise<EmailToken | null> {
  const row = await db
    .selectFrom('email_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Uses a token: succeeds for exactly one caller, even when two requests race, and only while it
 * is unexpired. Returns the token, or null when it was already used, expired or never existed.
 */
export async function consumeToken(
  db: Kysely<Database>,
  tokenHash: string,
  purpose: EmailTokenPurpose,
  now: Date,
): Promise<EmailToken | null> {
  const row = await db
    .updateTable('email_tokens')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** Marks every unused token of a purpose for a user as used (after a reset, older links die). */
export async function retireUserTokens(
  db: Kysely<Database>,
  userId: number,
  purpose: EmailTokenPurpose,
  now: Date,
): Promise<void> {
  await db
    .updateTable('email_tokens')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

/** Deletes tokens that expired before `before`. */
export async function deleteExpiredTokens(db: Kysely<Database>, before: Date): Promise<void> {
  await db.deleteFrom('email_tokens').where('expires_at', '<', before.toISOString()).execute();
}
