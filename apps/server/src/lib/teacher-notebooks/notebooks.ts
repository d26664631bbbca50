import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  selectOptionalTeacherNotebook,
  selectTeacherNotebooks,
  type TeacherNotebookEntry,
} from '../../models/teacher-notebooks.ts';

export { selectTeacherNotebooks, type TeacherNotebookEntry };

/** What an activity points at: a course item, its version pinned. */
export interface TeacherNotebookItem {
  courseId: number;
  versionId: number;
  route: string;
  title: string;
}

/**
 * The course item of a teacher's own notebook, at its latest version (the one a new activity
 * pins), or null when `notebookId` is not one of `teacherId`'s notebooks (ADR 052).
 */
export async function teacherNotebookItem(
  db: Kysely<Database>,
  teacherId: number,
  notebookId: number,
): Promise<TeacherNotebookItem | null> {
  const nb = await selectOptionalTeacherNotebook(db, teacherId, notebookId);
  return nb ? { courseId: nb.courseId, versionId: nb.versionId, route: nb.route, title: nb.title } : null;
}
