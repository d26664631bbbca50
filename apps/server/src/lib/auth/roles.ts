import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CurrentUser } from '../../http/auth.ts';
import { hasCourseRole } from '../../models/course-roles.ts';

/** Whether a user may manage a course's sessions: administrators everywhere, staff on their courses. */
export async function canManageCourse(db: Kysely<Database>, user: CurrentUser, courseId: number): Promise<boolean> {
  return user.isAdmin || hasCourseRole(db, user.id, courseId, 'staff');
}
