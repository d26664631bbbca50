import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** How many attempts a key may make in a window. */
export interface ThrottlePolicy {
  limit: number;
  windowSeconds: number;
}

/**
 * The limits, per key kind. Per-IP limits are generous because a whole classroom shares one
 * address; per-account limits are tight because they protect one password. Password checks count
 * failures only: a success gives its attempt back, so a classroom logging in together spends
 * nothing. A per-account limit also lets an attacker delay one account's logins for a window: the
 * price of not letting them guess its password (docs/decisions/012-sessions-csrf-and-throttling.md).
 */
export const POLICIES = {
  loginFailuresPerIp: { limit: 100, windowSeconds: 15 * 60 },
  loginFailuresPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  signupPerIp: { limit: 20, windowSeconds: 60 * 60 },
  resetRequestPerIp: { limit: 20, windowSeconds: 60 * 60 },
  resetRequestPerAccount: { limit: 5, windowSeconds: 60 * 60 },
  tokenUsePerIp: { limit: 50, windowSeconds: 15 * 60 },
} as const satisfies Record<string, ThrottlePolicy>;

export interface ThrottleResult {
  allowed: boolean;
  /** When refused: seconds until the window ends (for Retry-After and the message). */
  retryAfterSeconds: number;
}

/** Counts attempts per key. Implementations must be shared by every web server of a deployment. */
export interface RateLimiter {
  /** Records one attempt for `key` and says whether it is within the policy. */
  consume(key: string, policy: ThrottlePolicy, now: Date): Promise<ThrottleResult>;
  /**
   * Gives back one attempt `consume` counted in the key's current window (an attempt that turned
   * out not to be a failure). Counting first and giving back after keeps concurrent attempts
   * counted while they run, so a burst cannot slip past the limit before its failures are known.
   */
  release(key: string, now: Date): Promise<void>;
  /** Forgets a key's attempts (a successful login clears its account's failures). */
  reset(key: string): Promise<void>;
}

/**
 * Fixed-window counters in the database (one upsert per attempt), so limits hold across web
 * servers. Expired rows are swept every few hundred attempts.
 */
export class DbRateLimiter implements RateLimiter {
  private attempts = 0;

  constructor(private readonly db: Kysely<Database>) {}

  async consume(key: string, policy: ThrottlePolicy, now: Date): Promise<ThrottleResult> {
    const nowIso = now.toISOString();
    const expires = new Date(now.getTime() + policy.windowSeconds * 1000).toISOString();
    // One statement, atomic on both databases: a window that has ended restarts at 1.
    const expired = sql<boolean>`rate_limits.expires_at <= ${nowIso}`;
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key, window_start: nowIso, count: 1, expires_at: expires })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql<number>`case when ${expired} then 1 else rate_limits.count + 1 end`,
          window_start: sql<string>`case when ${expired} then ${nowIso} else rate_limits.window_start end`,
          expires_at: sql<string>`case when ${expired} then ${expires} else rate_limits.expires_at end`,
        }),
      )
      .returning(['count', 'expires_at'])
      .executeTakeFirstOrThrow();
    if (++this.attempts % 500 === 0) {
      await this.db.deleteFrom('rate_limits').where('expires_at', '<', nowIso).execute();
    }
    const allowed = row.count <= policy.limit;
    const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((Date.parse(row.expires_at) - now.getTime()) / 1000));
    return { allowed, retryAfterSeconds };
  }

  async release(key: string, now: Date): Promise<void> {
    // Only in the window that counted it: a window that ended has restarted at 1 without it.
    await this.db
      .updateTable('rate_limits')
      .set({ count: sql<number>`rate_limits.count - 1` })
      .where('key', '=', key)
      .where('count', '>', 0)
      .where('expires_at', '>', now.toISOString())
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }
}
