import type { Kysely } from 'kysely';
import type { Database, SchoolClass } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { deleteUserSessions } from '../../models/auth-sessions.ts';
import {
  deleteClassMember,
  deleteClassRow,
  ensureClassMember,
  ensureClassTeacher,
  insertClass,
  insertPupilAccount,
  selectClassPupilAccounts,
  selectOptionalClassByCode,
  selectOptionalOwningClassId,
  updateJoinCode,
  updateSheetIssued,
} from '../../models/classes.ts';
import { isTeacher } from '../../models/teachers.ts';
import {
  insertUser,
  selectOptionalUserByEmail,
  selectOptionalUserById,
  updatePasswordHash,
} from '../../models/users.ts';
import type { Services } from '../../services.ts';
import { removeAccount } from '../auth/accounts.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { ThrottlePolicy } from '../auth/throttle.ts';
import { firstPassword, identifierStem, randomIdentifier, randomJoinCode } from './codes.ts';

/**
 * Class workflows (issue 14): creation, join codes, rosters of pseudonymous accounts and their
 * passwords, co-teachers, deletion at the end of the year. Access checks are the routes' (a class
 * is read through selectOptionalClassOfTeacher); these functions trust the class id they get.
 */

type ClassServices = Pick<Services, 'db' | 'clock' | 'limiter'>;

/** The levels a class may have (stored as these keys; labels in the catalogues). */
export const LEVELS = ['college', 'seconde', 'premiere', 'terminale', 'prepa', 'licence', 'master', 'other'] as const;
export type Level = (typeof LEVELS)[number];
export const levelLabel = (level: string): MessageKey =>
  (LEVELS as readonly string[]).includes(level) ? (`classes.level.${level}` as MessageKey) : 'classes.level.other';

/** Failed join attempts (wrong or closed codes) allowed per address and per account (ADR 048). */
export const JOIN_POLICIES = {
  perIp: { limit: 30, windowSeconds: 15 * 60 },
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
} as const satisfies Record<string, ThrottlePolicy>;

/** Pupils created at once from a roster, at most. */
export const ROSTER_MAX = 60;
export const CLASS_NAME_MAX = 80;

export interface ClassInput {
  name: string;
  schoolYear: string;
  level: string;
}

/** Checks a class's fields: the error key of each bad one (empty when all are good). */
export function classInputProblems(input: ClassInput): Partial<Record<keyof ClassInput, MessageKey>> {
  const errors: Partial<Record<keyof ClassInput, MessageKey>> = {};
  if (!input.name) errors.name = 'classes.error.name';
  else if ([...input.name].length > CLASS_NAME_MAX || /[\u0000-\u001f\u007f]/.test(input.name)) {
    errors.name = 'classes.error.name';
  }
  const year = /^(\d{4})-(\d{4})$/.exec(input.schoolYear);
  if (!year || Number(year[2]) !== Number(year[1]) + 1) errors.schoolYear = 'classes.error.year';
  if (!(LEVELS as readonly string[]).includes(input.level)) errors.level = 'classes.error.level';
  return errors;
}

/** The school year a date falls in (from September): '2026-2027' from 2026-09-01 to 2027-08-31. */
export function schoolYearOf(date: Date): string {
  const start = date.getUTCMonth() >= 8 ? date.getUTCFullYear() : date.getUTCFullYear() - 1;
  return `${start}-${start + 1}`;
}

/** Creates a class with a fresh join code, its creator as its first teacher. */
export async function createClass(services: ClassServices, teacherId: number, input: ClassInput): Promise<SchoolClass> {
  const now = services.clock();
  return services.db.kysely.transaction().execute(async (trx) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const created = await insertClass(trx, { ...input, joinCode: randomJoinCode(), createdBy: teacherId }, now);
      if (!created) continue;
      await ensureClassTeacher(trx, { classId: created.id, userId: teacherId, addedBy: teacherId }, now);
      return created;
    }
    throw new Error('no free join code after 20 draws');
  });
}

/** Replaces a class's join code with a fresh one (the old one stops working) and opens it. */
export async function regenerateJoinCode(services: ClassServices, classId: number): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await updateJoinCode(services.db.kysely, classId, randomJoinCode(), services.clock())) return;
  }
  throw new Error('no free join code after 20 draws');
}

export type CodeLookup =
  { class: SchoolClass } | { error: 'wrong' | 'closed' } | { throttled: true; retryAfterSeconds: number };

/**
 * The open class a code names, for a logged-in user about to join it. Every look-up counts
 * against the address's and the account's limits and a success gives its attempt back, so only
 * wrong and closed codes add up: a class joining together spends nothing, a guesser is stopped.
 */
export async function lookUpJoinCode(
  services: ClassServices,
  input: { code: string; userId: number; ip: string },
): Promise<CodeLookup> {
  const now = services.clock();
  const keys: [string, ThrottlePolicy][] = [
    [`join:ip:${input.ip}`, JOIN_POLICIES.perIp],
    [`join:account:${input.userId}`, JOIN_POLICIES.perAccount],
  ];
  let retryAfterSeconds = 0;
  for (const [key, policy] of keys) {
    const result = await services.limiter.consume(key, policy, now);
    if (!result.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, result.retryAfterSeconds);
  }
  if (retryAfterSeconds > 0) {
    // A refused attempt did nothing: it is not counted (as accounts.ts's throttle does).
    for (const [key] of keys) await services.limiter.release(key, now);
    return { throttled: true, retryAfterSeconds };
  }
  const found = await selectOptionalClassByCode(services.db.kysely, input.code);
  if (!found) return { error: 'wrong' };
  if (found.join_open !== 1) return { error: 'closed' };
  for (const [key] of keys) await services.limiter.release(key, now);
  return { class: found };
}

/** Makes the user a pupil of the class; says whether they were not one already. */
export async function joinClass(services: ClassServices, classId: number, userId: number): Promise<boolean> {
  return ensureClassMember(services.db.kysely, { classId, userId, via: 'code' }, services.clock());
}

/** One line of the password sheet: shown once, never stored in clear. */
export interface SheetEntry {
  userId: number;
  name: string;
  identifier: string;
  password: string;
}

/**
 * Why a roster is refused, or its names: one per line, trimmed, blank lines skipped, 1 to
 * ROSTER_MAX names of 80 characters at most without control characters.
 */
export function parseRoster(text: string): { names: string[] } | { error: MessageKey } {
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line.length > 0);
  if (names.length === 0) return { error: 'classes.error.rosterEmpty' };
  if (names.length > ROSTER_MAX) return { error: 'classes.error.rosterTooLong' };
  if (names.some((n) => [...n].length > 80 || /[\u0000-\u001f\u007f]/.test(n))) {
    return { error: 'classes.error.rosterName' };
  }
  return { names };
}

/**
 * Creates one pseudonymous account per name, each a pupil of the class that owns it: an
 * identifier from the name (unique: another draw on a clash), a first-time password hashed at
 * once. Only the name as given and the identifier are stored (no e-mail, no birth date).
 */
export async function createPupilAccounts(
  services: ClassServices,
  input: { classId: number; names: string[]; language: string },
): Promise<SheetEntry[]> {
  const now = services.clock();
  const prepared = await Promise.all(
    input.names.map(async (name) => {
      const password = firstPassword();
      return { name, password, hash: await hashPassword(password) };
    }),
  );
  return services.db.kysely.transaction().execute(async (trx) => {
    const sheet: SheetEntry[] = [];
    for (const pupil of prepared) {
      const stem = identifierStem(pupil.name);
      let created = null;
      for (let attempt = 0; attempt < 20 && !created; attempt++) {
        created = await insertUser(
          trx,
          {
            email: randomIdentifier(stem),
            displayName: pupil.name,
            passwordHash: pupil.hash,
            language: input.language,
          },
          now,
        );
      }
      if (!created) throw new Error('no free identifier after 20 draws');
      await insertPupilAccount(trx, created.id, input.classId, now);
      await ensureClassMember(trx, { classId: input.classId, userId: created.id, via: 'roster' }, now);
      sheet.push({ userId: created.id, name: pupil.name, identifier: created.email, password: pupil.password });
    }
    return sheet;
  });
}

/**
 * Gives a pseudonymous account of this class a new first-time password: its sessions end, its
 * login failures are forgotten. Null when the account is not one this class owns (an account
 * with an e-mail keeps its owner's password: only they can change it).
 */
export async function resetPupilPassword(
  services: ClassServices,
  classId: number,
  userId: number,
): Promise<SheetEntry | null> {
  if ((await selectOptionalOwningClassId(services.db.kysely, userId)) !== classId) return null;
  const user = await selectOptionalUserById(services.db.kysely, userId);
  if (!user) return null;
  const password = firstPassword();
  const hash = await hashPassword(password);
  const now = services.clock();
  await services.db.kysely.transaction().execute(async (trx) => {
    await updatePasswordHash(trx, userId, hash, now);
    await updateSheetIssued(trx, userId, now);
    await deleteUserSessions(trx, userId);
  });
  await services.limiter.reset(`login:account:${user.email_key}`);
  return { userId, name: user.display_name, identifier: user.email, password };
}

/** Throttling counters that name an account (its login failures, its join attempts). */
async function forgetAccountCounters(trx: Kysely<Database>, userId: number, emailKey: string): Promise<void> {
  await trx
    .deleteFrom('rate_limits')
    .where('key', 'in', [`login:account:${emailKey}`, `join:account:${userId}`])
    .execute();
}

/**
 * Takes a pupil out of a class. An account this class owns is deleted with everything it made
 * (as its owner's own deletion would); an account with an e-mail only leaves the class.
 */
export async function removePupil(
  services: ClassServices,
  classId: number,
  userId: number,
): Promise<'deleted' | 'left' | 'absent'> {
  const now = services.clock();
  return services.db.kysely.transaction().execute(async (trx) => {
    const owner = await selectOptionalOwningClassId(trx, userId);
    if (owner === classId) {
      const user = await selectOptionalUserById(trx, userId);
      await removeAccount(trx, userId, now);
      if (user) await forgetAccountCounters(trx, userId, user.email_key);
      return 'deleted';
    }
    return (await deleteClassMember(trx, classId, userId)) ? 'left' : 'absent';
  });
}

/**
 * Deletes a class at the end of the year, in one transaction: each pseudonymous account it owns
 * goes with everything it made (saved work, progress, submissions, votes; forum posts anonymised),
 * then the class with its teachers and members: pupils with their own accounts only leave it.
 */
export async function deleteClass(services: ClassServices, classId: number): Promise<{ deletedAccounts: number }> {
  const now = services.clock();
  return services.db.kysely.transaction().execute(async (trx) => {
    const accounts = await selectClassPupilAccounts(trx, classId);
    for (const account of accounts) {
      await removeAccount(trx, account.user_id, now);
      await forgetAccountCounters(trx, account.user_id, account.email_key);
    }
    await deleteClassRow(trx, classId);
    return { deletedAccounts: accounts.length };
  });
}

/** Adds an approved teacher, found by e-mail, to a class. */
export async function addCoTeacher(
  services: ClassServices,
  input: { classId: number; email: string; addedBy: number },
): Promise<'added' | 'already' | 'not-a-teacher'> {
  const user = await selectOptionalUserByEmail(services.db.kysely, input.email);
  if (!user || !(await isTeacher(services.db.kysely, user.id))) return 'not-a-teacher';
  const added = await ensureClassTeacher(
    services.db.kysely,
    { classId: input.classId, userId: user.id, addedBy: input.addedBy },
    services.clock(),
  );
  return added ? 'added' : 'already';
}
