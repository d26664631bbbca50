import type { Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import { selectUserCertificates } from '../../models/certificates.ts';
import type { Database, User } from '../../db/schema.ts';
import { isLanguage, translator, type Language } from '../../i18n/index.ts';
import { deleteUserSessions, selectUserSessions } from '../../models/auth-sessions.ts';
import { selectUserRoles } from '../../models/course-roles.ts';
import { consumeToken, insertEmailToken, retireUserTokens } from '../../models/email-tokens.ts';
import { selectUserEnrolments } from '../../models/enrolments.ts';
import { selectUserProgress } from '../../models/item-progress.ts';
import { selectUserCellVersions, selectUserSavedCells } from '../../models/saved-cells.ts';
import { selectUserPosts, updateVoteCountsForDeletedVoter } from '../../models/forum.ts';
import { selectUserFollows } from '../../models/forum-follows.ts';
import { selectUserVotes } from '../../models/forum-votes.ts';
import { selectUserVideoViews } from '../../models/video-views.ts';
import { selectPupilClasses } from '../../models/classes.ts';
import { selectOptionalTeacherStatus } from '../../models/teachers.ts';
import {
  countAdmins,
  deleteUser,
  emailKey,
  insertUser,
  selectOptionalUserByEmail,
  selectOptionalUserById,
  updateLastLogin,
  updatePasswordHash,
} from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { HttpError } from '../../http/errors.ts';
import type { MailMessage } from './mailer.ts';
import { unenrolEverywhere } from '../runs/enrolment.ts';
import { forgotPasswordUrl, loginUrl, resetPasswordUrl, signupConfirmUrl } from '../urls.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { POLICIES, type ThrottleResult } from './throttle.ts';
import { hashToken, randomToken } from './tokens.ts';

/**
 * Account workflows: sign-up confirmed by e-mail, login, password reset and change, deletion and
 * export. None of them tells whether an address has an account: same answers, same e-mail-or-not
 * timing from the caller's side (mail is queued), argon2 run on every path.
 */

export const SIGNUP_TOKEN_HOURS = 24;
export const RESET_TOKEN_MINUTES = 60;

type AccountServices = Pick<Services, 'db' | 'clock' | 'mailer' | 'limiter'>;

/** What a sign-up token completes. */
interface SignupPayload {
  email: string;
  name: string;
  passwordHash: string;
  language: Language;
  /** Where to go once confirmed (a local path: a class's join link), if the sign-up came from one. */
  next?: string;
}

export type Throttled = { throttled: true; retryAfterSeconds: number };

/**
 * Counts one attempt against each limit; null when every limit allows it. A refused attempt is
 * given back to every limit, since it did nothing: an attacker held back by their address's limit
 * cannot go on adding failures to accounts' counters.
 */
async function throttle(
  services: AccountServices,
  checks: [string, (typeof POLICIES)[keyof typeof POLICIES]][],
): Promise<Throttled | null> {
  const now = services.clock();
  let worst: ThrottleResult | null = null;
  for (const [key, policy] of checks) {
    const result = await services.limiter.consume(key, policy, now);
    if (!result.allowed && (!worst || result.retryAfterSeconds > worst.retryAfterSeconds)) worst = result;
  }
  if (!worst) return null;
  for (const [key] of checks) await services.limiter.release(key, now);
  return { throttled: true, retryAfterSeconds: worst.retryAfterSeconds };
}

/**
 * Starts a sign-up: sends a confirmation link to a new address, or to an address that already has
 * an account, a message saying so (with the login and reset links). The caller shows the same
 * "check your inbox" page either way.
 */
/** Delivers a mail before the caller answers; a mail server that refuses it is a 503 (try again). */
async function handOver(services: Pick<Services, 'mailer'>, message: MailMessage): Promise<void> {
  try {
    await services.mailer.sendNow(message);
  } catch {
    throw new HttpError('MAIL_UNAVAILABLE');
  }
}

export async function requestSignup(
  services: AccountServices,
  input: {
    email: string;
    name: string;
    password: string;
    language: Language;
    ip: string;
    origin: string;
    next?: string;
  },
): Promise<Throttled | null> {
  const limited = await throttle(services, [[`signup:ip:${input.ip}`, POLICIES.signupPerIp]]);
  if (limited) return limited;
  const passwordHash = await hashPassword(input.password);
  const t = translator(input.language);
  const existing = await selectOptionalUserByEmail(services.db.kysely, input.email);
  // Both answers wait for the mail to be handed over (to SMTP or the outbox): a server killed
  // after answering "check your mailbox" must not lose the link (issue 16's surge found it), and
  // an address that has an account takes as long as one that has not.
  if (existing) {
    await handOver(services, {
      to: existing.email,
      subject: t('email.exists.subject'),
      text: t('email.exists.body', {
        login: input.origin + loginUrl(),
        reset: input.origin + forgotPasswordUrl(),
      }),
    });
    return null;
  }
  const token = randomToken();
  const now = services.clock();
  const payload: SignupPayload = {
    email: input.email.trim(),
    name: input.name,
    passwordHash,
    language: input.language,
    ...(input.next ? { next: input.next } : {}),
  };
  await insertEmailToken(services.db.kysely, {
    token_hash: hashToken(token),
    purpose: 'signup',
    email_key: emailKey(input.email),
    user_id: null,
    payload: JSON.stringify(payload),
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SIGNUP_TOKEN_HOURS * 3600 * 1000).toISOString(),
  });
  await handOver(services, {
    to: payload.email,
    subject: t('email.signup.subject'),
    text: t('email.signup.body', {
      name: input.name,
      link: input.origin + signupConfirmUrl(token),
      hours: SIGNUP_TOKEN_HOURS,
    }),
  });
  return null;
}

export type ConfirmResult = { user: User; next: string | null } | { error: 'invalid' | 'taken' };

/** Completes a sign-up from its e-mailed token (single use): creates the account. */
export async function confirmSignup(services: AccountServices, token: string): Promise<ConfirmResult> {
  const now = services.clock();
  return services.db.kysely.transaction().execute(async (trx) => {
    const used = await consumeToken(trx, hashToken(token), 'signup', now);
    if (!used?.payload) return { error: 'invalid' as const };
    const payload = JSON.parse(used.payload) as SignupPayload;
    const user = await insertUser(
      trx,
      {
        email: payload.email,
        displayName: payload.name,
        passwordHash: payload.passwordHash,
        language: payload.language,
      },
      now,
    );
    // Two confirmations of two sign-ups for one address: the first one made the account.
    return user ? { user, next: payload.next ?? null } : { error: 'taken' as const };
  });
}

export type LoginResult = { user: User } | { error: 'invalid' } | Throttled;

/**
 * Checks credentials, under two limits on failures: from this address, and on this account. A
 * success gives back the address's attempt (a classroom behind one address logs in freely) and
 * clears the account's failures. While throttled, even the right password is refused: otherwise
 * the answer would tell a guesser when they are right.
 */
export async function login(
  services: AccountServices,
  input: { email: string; password: string; ip: string },
): Promise<LoginResult> {
  const ipKey = `login:ip:${input.ip}`;
  const accountKey = `login:account:${emailKey(input.email)}`;
  const limited = await throttle(services, [
    [ipKey, POLICIES.loginFailuresPerIp],
    [accountKey, POLICIES.loginFailuresPerAccount],
  ]);
  if (limited) return limited;
  const user = await selectOptionalUserByEmail(services.db.kysely, input.email);
  const { ok, rehash } = await verifyPassword(user?.password_hash, input.password);
  if (!user || !ok) return { error: 'invalid' };
  const now = services.clock();
  await services.limiter.release(ipKey, now);
  await services.limiter.reset(accountKey);
  if (rehash) await updatePasswordHash(services.db.kysely, user.id, await hashPassword(input.password), now);
  await updateLastLogin(services.db.kysely, user.id, now);
  return { user };
}

/** Sends a reset link if the address has an account; the caller answers the same in both cases. */
export async function requestPasswordReset(
  services: AccountServices,
  input: { email: string; ip: string; origin: string; language: Language },
): Promise<Throttled | null> {
  const limited = await throttle(services, [
    [`reset:ip:${input.ip}`, POLICIES.resetRequestPerIp],
    [`reset:account:${emailKey(input.email)}`, POLICIES.resetRequestPerAccount],
  ]);
  if (limited) return limited;
  const user = await selectOptionalUserByEmail(services.db.kysely, input.email);
  if (!user) return null;
  const token = randomToken();
  const now = services.clock();
  await insertEmailToken(services.db.kysely, {
    token_hash: hashToken(token),
    purpose: 'reset',
    email_key: user.email_key,
    user_id: user.id,
    payload: null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + RESET_TOKEN_MINUTES * 60 * 1000).toISOString(),
  });
  const t = translator(isLanguage(user.language) ? user.language : input.language);
  services.mailer.send({
    to: user.email,
    subject: t('email.reset.subject'),
    text: t('email.reset.body', {
      name: user.display_name,
      link: input.origin + resetPasswordUrl(token),
      minutes: RESET_TOKEN_MINUTES,
    }),
  });
  return null;
}

/** Throttles uses of e-mailed tokens by address (they are unguessable; this keeps scanners slow). */
export function throttleTokenUse(services: AccountServices, ip: string): Promise<Throttled | null> {
  return throttle(services, [[`token:ip:${ip}`, POLICIES.tokenUsePerIp]]);
}

/**
 * Sets a new password from a reset token (single use, unexpired). Every session of the account
 * ends and every other reset link dies. Returns the user, or null for a bad token.
 */
export async function resetPassword(services: AccountServices, token: string, password: string): Promise<User | null> {
  const now = services.clock();
  const passwordHash = await hashPassword(password);
  return services.db.kysely.transaction().execute(async (trx) => {
    const used = await consumeToken(trx, hashToken(token), 'reset', now);
    if (!used?.user_id) return null;
    await updatePasswordHash(trx, used.user_id, passwordHash, now);
    await deleteUserSessions(trx, used.user_id);
    await retireUserTokens(trx, used.user_id, 'reset', now);
    return selectOptionalUserById(trx, used.user_id);
  });
}

/**
 * Changes a password after checking the current one (failures throttled like a login's): every other session
 * of the account ends; the one making the change (`keepSessionHash`) stays.
 */
export async function changePassword(
  services: AccountServices,
  input: { userId: number; current: string; next: string; keepSessionHash: string; ip: string },
): Promise<'changed' | 'wrong-password' | Throttled> {
  const user = await selectOptionalUserById(services.db.kysely, input.userId);
  if (!user) return 'wrong-password';
  const accountKey = `login:account:${user.email_key}`;
  const limited = await throttle(services, [[accountKey, POLICIES.loginFailuresPerAccount]]);
  if (limited) return limited;
  const { ok } = await verifyPassword(user.password_hash, input.current);
  if (!ok) return 'wrong-password';
  await services.limiter.reset(accountKey);
  const now = services.clock();
  const passwordHash = await hashPassword(input.next);
  await services.db.kysely.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, user.id, passwordHash, now);
    await deleteUserSessions(trx, user.id, input.keepSessionHash);
    await retireUserTokens(trx, user.id, 'reset', now);
  });
  return 'changed';
}

/**
 * Deletes an account after checking its password: enrolment counters are adjusted, then the user
 * row goes and everything keyed by it with it. The last administrator cannot delete themselves.
 */
export async function deleteAccount(
  services: AccountServices,
  input: { userId: number; password: string },
): Promise<'deleted' | 'wrong-password' | 'last-admin' | Throttled> {
  const user = await selectOptionalUserById(services.db.kysely, input.userId);
  if (!user) return 'wrong-password';
  const accountKey = `login:account:${user.email_key}`;
  const limited = await throttle(services, [[accountKey, POLICIES.loginFailuresPerAccount]]);
  if (limited) return limited;
  const { ok } = await verifyPassword(user.password_hash, input.password);
  if (!ok) return 'wrong-password';
  await services.limiter.reset(accountKey);
  if (user.is_admin === 1 && (await countAdmins(services.db.kysely)) <= 1) return 'last-admin';
  const now = services.clock();
  await services.db.kysely.transaction().execute((trx) => removeAccount(trx, user.id, now));
  return 'deleted';
}

/**
 * Removes an account inside the caller's transaction, as its owner's deletion does: enrolment
 * counters adjusted, vote counts taken back, then the user row and everything keyed by it (forum
 * posts stay, anonymised). Also used by a class's deletion for its pseudonymous pupils.
 */
export async function removeAccount(trx: Kysely<Database>, userId: number, now: Date): Promise<void> {
  await unenrolEverywhere(trx, userId, now);
  // Their votes go with the account: the counts they added go first.
  await updateVoteCountsForDeletedVoter(trx, userId);
  await deleteUser(trx, userId);
}

/**
 * Everything Carnet keeps about a user, as JSON (GDPR right of access and portability). Features
 * that keep more about a learner add their sections here.
 */
export async function exportUserData(db: Db, userId: number): Promise<Record<string, unknown> | null> {
  const user = await selectOptionalUserById(db.kysely, userId);
  if (!user) return null;
  const sessions = await selectUserSessions(db.kysely, userId);
  return {
    format: 'carnet-user-export/1',
    account: {
      email: user.email,
      display_name: user.display_name,
      is_admin: user.is_admin === 1,
      language: user.language,
      created_at: user.created_at,
      updated_at: user.updated_at,
      password_changed_at: user.password_changed_at,
      last_login_at: user.last_login_at,
    },
    sessions: sessions.map((s) => ({
      created_at: s.created_at,
      last_seen_at: s.last_seen_at,
      expires_at: s.expires_at,
      user_agent: s.user_agent,
    })),
    course_roles: await selectUserRoles(db.kysely, userId),
    enrolments: await selectUserEnrolments(db.kysely, userId),
    saved_work: await selectUserSavedCells(db.kysely, userId),
    saved_work_history: await selectUserCellVersions(db.kysely, userId),
    progress: await selectUserProgress(db.kysely, userId),
    video_views: await selectUserVideoViews(db.kysely, userId),
    certificates: await selectUserCertificates(db.kysely, userId),
    forum_posts: await selectUserPosts(db.kysely, userId),
    forum_votes: await selectUserVotes(db.kysely, userId),
    forum_follows: await selectUserFollows(db.kysely, userId),
    teacher: await selectOptionalTeacherStatus(db.kysely, userId),
    classes: await selectPupilClasses(db.kysely, userId),
  };
}
