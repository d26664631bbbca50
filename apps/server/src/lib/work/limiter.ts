/**
 * A per-process token bucket per learner for saves: `perSecond` on average, bursts of twice that.
 * Saves are not a security boundary like logins (ADR 012 keeps those counters in the database);
 * this only stops a runaway page from flooding the database, so a per-process count is enough and
 * costs no write. With N web servers a learner could reach N times the rate (ADR 018).
 */
export class SaveLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly maxLearners = 100_000,
  ) {}

  /** Takes one token for `userId`: 0 when allowed, else the seconds to wait. */
  take(userId: number, nowMs: number): number {
    const burst = this.perSecond * 2;
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      if (this.buckets.size >= this.maxLearners) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: burst, at: nowMs };
      this.buckets.set(userId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond);
    bucket.at = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }
}
