import type { CurrentUser } from '../http/auth.ts';
import { HttpError } from '../http/errors.ts';
import { SaveLimiter } from '../lib/work/limiter.ts';

export type WriteLimiter = SaveLimiter;

/** The per-learner limit on the API's writes (saves and progress), from the configuration. */
export function createWriteLimiter(perSecond: number): WriteLimiter {
  return new SaveLimiter(perSecond);
}

/** Counts one write of `user`; TOO_MANY_SAVES (429, Retry-After) beyond the limit. */
export function throttleWrites(limiter: WriteLimiter, user: CurrentUser, now: Date): void {
  const wait = limiter.take(user.id, now.getTime());
  if (wait > 0) throw new HttpError('TOO_MANY_SAVES', String(wait));
}
