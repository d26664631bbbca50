import type { Kysely } from 'kysely';
import type { Database, TeacherStatus } from '../db/schema.ts';

/** Whether the user is an approved teacher. */
export async function isTeacher(db: Kysely<Database>, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('teachers')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  return row !== undefined;
}

/** The user's teacher row ('requested' or 'approved'), or null. */
export async function selectOptionalTeacherStatus(db: Kysely<Database>, userId: number): Promise<TeacherStatus | null> {
  const row = await db.selectFrom('teachers').select('status').where('user_id', '=', userId).executeTakeFirst();
  return row?.status ?? null;
}

/** Records a request to teach; an existing row (requested or approved) is left as it is. */
export async function ensureTeacherRequest(
  db: Kysely<Database>,
  userId: number,
  school: string,
  now: Date,
): Promise<void> {
  await db
    .insertInto('teachers')
    .values({ user_id: userId, status: 'requested', school, requested_at: now.toISOString() })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

/** Makes the user a teacher (idempotent; approves a pending request). */
export async function approveTeacher(
  db: Kysely<Database>,
  userId: number,
  approvedBy: number | null,
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('teachers')
    .values({ user_id: userId, status: 'approved', approved_at: at, approved_by: approvedBy })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ status: 'approved', approved_at: at, approved_by: approvedBy }),
    )
    .execute();
}

/** Removes the role or a pending request; says whether there was a row. */
export async function deleteTeacher(db: Kysely<Database>, userId: number, status?: TeacherStatus): Promise<boolean> {
  let query = db.deleteFrom('teachers').where('user_id', '=', userId);
  if (status) query = query.where('status', '=', status);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface TeacherListEntry {
  user_id: number;
  email: string;
  display_name: string;
  status: TeacherStatus;
  school: string | null;
  requested_at: string | null;
  approved_at: string | null;
}

/** Teachers and pending requests, requests first, oldest request first, then teachers by name. */
export async function selectTeachers(db: Kysely<Database>): Promise<TeacherListEntry[]> {
  return db
    .selectFrom('teachers')
    .innerJoin('users', 'users.id', 'teachers.user_id')
    .select([
      'teachers.user_id',
      'users.email',
      'users.display_name',
      'teachers.status',
      'teachers.school',
      'teachers.requested_at',
      'teachers.approved_at',
    ])
    .orderBy('teachers.status', 'desc')
    .orderBy('teachers.requested_at')
    .orderBy('users.display_name')
    .execute();
}
