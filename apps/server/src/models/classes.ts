import { sql, type Kysely } from 'kysely';
import type { ClassMemberVia, Database, SchoolClass } from '../db/schema.ts';

/** Classes, their teachers, members and pseudonymous accounts (issue 14). Workflows: lib/classes. */

export interface NewClassData {
  name: string;
  schoolYear: string;
  level: string;
  joinCode: string;
  createdBy: number;
}

/** Creates a class; null when its join code is taken (the caller draws another). */
export async function insertClass(db: Kysely<Database>, data: NewClassData, now: Date): Promise<SchoolClass | null> {
  const at = now.toISOString();
  const row = await db
    .insertInto('classes')
    .values({
      name: data.name,
      school_year: data.schoolYear,
      level: data.level,
      join_code: data.joinCode,
      created_by: data.createdBy,
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('join_code').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** The class if `userId` is one of its teachers, else null (a class that is not theirs does not exist). */
export async function selectOptionalClassOfTeacher(
  db: Kysely<Database>,
  classId: number,
  userId: number,
): Promise<SchoolClass | null> {
  const row = await db
    .selectFrom('classes')
    .innerJoin('class_teachers', 'class_teachers.class_id', 'classes.id')
    .selectAll('classes')
    .where('classes.id', '=', classId)
    .where('class_teachers.user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}

/** The class with this join code (open or closed), or null. */
export async function selectOptionalClassByCode(db: Kysely<Database>, code: string): Promise<SchoolClass | null> {
  return (await db.selectFrom('classes').selectAll().where('join_code', '=', code).executeTakeFirst()) ?? null;
}

export interface TeacherClassEntry extends SchoolClass {
  pupils: number;
}

/** A teacher's classes with their pupil counts, latest school year first, then by name. */
export async function selectTeacherClasses(db: Kysely<Database>, userId: number): Promise<TeacherClassEntry[]> {
  const rows = await db
    .selectFrom('classes')
    .innerJoin('class_teachers', 'class_teachers.class_id', 'classes.id')
    .selectAll('classes')
    .select((eb) =>
      eb
        .selectFrom('class_members')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('class_members.class_id', '=', 'classes.id')
        .as('pupils'),
    )
    .where('class_teachers.user_id', '=', userId)
    .orderBy('classes.school_year', 'desc')
    .orderBy('classes.name')
    .orderBy('classes.id')
    .execute();
  return rows.map((r) => ({ ...r, pupils: Number(r.pupils ?? 0) }));
}

/** Changes a class's name, year and level. */
export async function updateClassDetails(
  db: Kysely<Database>,
  classId: number,
  data: { name: string; schoolYear: string; level: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('classes')
    .set({ name: data.name, school_year: data.schoolYear, level: data.level, updated_at: now.toISOString() })
    .where('id', '=', classId)
    .execute();
}

/**
 * Gives a class a new join code, open, unless another class holds that code (one statement);
 * says whether it did.
 */
export async function updateJoinCode(db: Kysely<Database>, classId: number, code: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('classes')
    .set({ join_code: code, join_open: 1, updated_at: now.toISOString() })
    .where('id', '=', classId)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('classes as other').select('other.id').where('other.join_code', '=', code))),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Opens or closes a class's code. */
export async function updateJoinOpen(db: Kysely<Database>, classId: number, open: boolean, now: Date): Promise<void> {
  await db
    .updateTable('classes')
    .set({ join_open: open ? 1 : 0, updated_at: now.toISOString() })
    .where('id', '=', classId)
    .execute();
}

/** Deletes a class row; its teachers and members go with it (its pupil accounts must be gone first). */
export async function deleteClassRow(db: Kysely<Database>, classId: number): Promise<void> {
  await db.deleteFrom('classes').where('id', '=', classId).execute();
}

// ---- Teachers of a class ----

/** Adds a teacher to a class (idempotent); says whether they were not one already. */
export async function ensureClassTeacher(
  db: Kysely<Database>,
  data: { classId: number; userId: number; addedBy: number | null },
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('class_teachers')
    .values({ class_id: data.classId, user_id: data.userId, added_at: now.toISOString(), added_by: data.addedBy })
    .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface ClassTeacherEntry {
  user_id: number;
  email: string;
  display_name: string;
  added_at: string;
}

/** A class's teachers, by name. */
export async function selectClassTeachers(db: Kysely<Database>, classId: number): Promise<ClassTeacherEntry[]> {
  return db
    .selectFrom('class_teachers')
    .innerJoin('users', 'users.id', 'class_teachers.user_id')
    .select(['class_teachers.user_id', 'users.email', 'users.display_name', 'class_teachers.added_at'])
    .where('class_teachers.class_id', '=', classId)
    .orderBy('users.display_name')
    .orderBy('class_teachers.user_id')
    .execute();
}

/**
 * Removes a teacher from a class unless they are its last one (one statement: two teachers
 * leaving at once cannot leave it with none); says whether they left.
 */
export async function deleteClassTeacherUnlessLast(
  db: Kysely<Database>,
  classId: number,
  userId: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('class_teachers')
    .where('class_id', '=', classId)
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('class_teachers as other')
          .select('other.user_id')
          .where('other.class_id', '=', classId)
          .where('other.user_id', '<>', userId),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- Members ----

/** Adds a pupil to a class (idempotent); says whether they were not in it already. */
export async function ensureClassMember(
  db: Kysely<Database>,
  data: { classId: number; userId: number; via: ClassMemberVia },
  now: Date,
): Promise<boolean> {
  const result = await db
    .insertInto('class_members')
    .values({ class_id: data.classId, user_id: data.userId, via: data.via, joined_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Removes a pupil from a class; says whether they were in it. */
export async function deleteClassMember(db: Kysely<Database>, classId: number, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('class_members')
    .where('class_id', '=', classId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface ClassPupilEntry {
  user_id: number;
  display_name: string;
  /** The e-mail address, or a pseudonymous account's identifier. */
  email: string;
  via: ClassMemberVia;
  joined_at: string;
  last_login_at: string | null;
  /** 1 when the account is one this class created (pseudonymous, deleted with the class). */
  owned: number;
  /** For an owned account: 1 while its password is still the one printed on the sheet. */
  sheet_password: number;
}

/** A class's pupils in class-list order (by name). */
export async function selectClassPupils(db: Kysely<Database>, classId: number): Promise<ClassPupilEntry[]> {
  const rows = await db
    .selectFrom('class_members')
    .innerJoin('users', 'users.id', 'class_members.user_id')
    .leftJoin('class_pupil_accounts as owned', (join) =>
      join.onRef('owned.user_id', '=', 'class_members.user_id').on('owned.class_id', '=', classId),
    )
    .select([
      'class_members.user_id',
      'users.display_name',
      'users.email',
      'class_members.via',
      'class_members.joined_at',
      'users.last_login_at',
      sql<number>`case when owned.user_id is null then 0 else 1 end`.as('owned'),
      sql<number>`case when owned.user_id is not null and (users.password_changed_at is null or users.password_changed_at <= owned.sheet_issued_at) then 1 else 0 end`.as(
        'sheet_password',
      ),
    ])
    .where('class_members.class_id', '=', classId)
    .orderBy('users.display_name')
    .orderBy('class_members.user_id')
    .execute();
  return rows.map((r) => ({ ...r, owned: Number(r.owned), sheet_password: Number(r.sheet_password) }));
}

/** Whether the user is a pupil of the class. */
export async function isClassMember(db: Kysely<Database>, classId: number, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('class_members')
    .select('user_id')
    .where('class_id', '=', classId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface PupilClassEntry {
  id: number;
  name: string;
  school_year: string;
  level: string;
  teachers: string[];
}

/** The classes a user is a pupil of, with their teachers' names (for /me). */
export async function selectPupilClasses(db: Kysely<Database>, userId: number): Promise<PupilClassEntry[]> {
  const classes = await db
    .selectFrom('classes')
    .innerJoin('class_members', 'class_members.class_id', 'classes.id')
    .select(['classes.id', 'classes.name', 'classes.school_year', 'classes.level'])
    .where('class_members.user_id', '=', userId)
    .orderBy('classes.school_year', 'desc')
    .orderBy('classes.name')
    .execute();
  if (classes.length === 0) return [];
  const teachers = await db
    .selectFrom('class_teachers')
    .innerJoin('users', 'users.id', 'class_teachers.user_id')
    .select(['class_teachers.class_id', 'users.display_name'])
    .where(
      'class_teachers.class_id',
      'in',
      classes.map((c) => c.id),
    )
    .orderBy('users.display_name')
    .execute();
  return classes.map((c) => ({
    ...c,
    teachers: teachers.filter((t) => t.class_id === c.id).map((t) => t.display_name),
  }));
}

// ---- Pseudonymous accounts ----

/** Marks an account as a pseudonymous pupil account owned by a class. */
export async function insertPupilAccount(
  db: Kysely<Database>,
  userId: number,
  classId: number,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('class_pupil_accounts')
    .values({ user_id: userId, class_id: classId, sheet_issued_at: at, created_at: at })
    .execute();
}

/** Records that the teacher printed a new password for the account. */
export async function updateSheetIssued(db: Kysely<Database>, userId: number, now: Date): Promise<void> {
  await db
    .updateTable('class_pupil_accounts')
    .set({ sheet_issued_at: now.toISOString() })
    .where('user_id', '=', userId)
    .execute();
}

/** The class that owns a pseudonymous account, or null for an account with an e-mail. */
export async function selectOptionalOwningClassId(db: Kysely<Database>, userId: number): Promise<number | null> {
  const row = await db
    .selectFrom('class_pupil_accounts')
    .select('class_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.class_id ?? null;
}

/** The pseudonymous accounts a class owns, with their identifiers. */
export async function selectClassPupilAccounts(
  db: Kysely<Database>,
  classId: number,
): Promise<{ user_id: number; email_key: string }[]> {
  return db
    .selectFrom('class_pupil_accounts')
    .innerJoin('users', 'users.id', 'class_pupil_accounts.user_id')
    .select(['class_pupil_accounts.user_id', 'users.email_key'])
    .where('class_pupil_accounts.class_id', '=', classId)
    .execute();
}
