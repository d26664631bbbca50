import type { Kysely } from 'kysely';
import type { CourseRole, Database } from '../db/schema.ts';

/** Whether the user holds `role` on the course. */
export async function hasCourseRole(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  role: CourseRole = 'staff',
): Promise<boolean> {
  const row = await db
    .selectFrom('course_roles')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('role', '=', role)
    .executeTakeFirst();
  return row !== undefined;
}

/** Grants a role (idempotent). */
export async function ensureCourseRole(
  db: Kysely<Database>,
  data: { userId: number; courseId: number; role: CourseRole; grantedBy: number | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('course_roles')
    .values({
      user_id: data.userId,
      course_id: data.courseId,
      role: data.role,
      granted_at: now.toISOString(),
      granted_by: data.grantedBy,
    })
    .onConflict((oc) => oc.columns(['user_id', 'course_id', 'role']).doNothing())
    .execute();
}

/** Removes a role; says whether there was one. */
export async function deleteCourseRole(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  role: CourseRole,
): Promise<boolean> {
  const result = await db
    .deleteFrom('course_roles')
    .where('user_id', '=', userId)
    .where('course_id', '=', courseId)
    .where('role', '=', role)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export interface StaffMember {
  user_id: number;
  email: string;
  display_name: string;
  role: CourseRole;
  granted_at: string;
}

/** The holders of a role on a course (its staff, unless told), by name. */
export async function selectCourseStaff(
  db: Kysely<Database>,
  courseId: number,
  role: CourseRole = 'staff',
): Promise<StaffMember[]> {
  return db
    .selectFrom('course_roles')
    .innerJoin('users', 'users.id', 'course_roles.user_id')
    .select([
      'course_roles.user_id',
      'users.email',
      'users.display_name',
      'course_roles.role',
      'course_roles.granted_at',
    ])
    .where('course_roles.course_id', '=', courseId)
    .where('course_roles.role', '=', role)
    .orderBy('users.display_name')
    .execute();
}

/** Ids of the courses on which the user is staff (a forum moderator manages nothing). */
export async function selectCourseIdsWithRole(db: Kysely<Database>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('course_roles')
    .select('course_id')
    .where('user_id', '=', userId)
    .where('role', '=', 'staff')
    .execute();
  return rows.map((r) => r.course_id);
}

/** A user's roles, with course slugs (for their data export). */
export async function selectUserRoles(
  db: Kysely<Database>,
  userId: number,
): Promise<{ course: string; role: CourseRole; granted_at: string }[]> {
  return db
    .selectFrom('course_roles')
    .innerJoin('courses', 'courses.id', 'course_roles.course_id')
    .select(['courses.slug as course', 'course_roles.role', 'course_roles.granted_at'])
    .where('course_roles.user_id', '=', userId)
    .execute();
}
