import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { selectOptionalItemByRoute } from '../../models/course-items.ts';
import { insertStartedIfAbsent, upsertProgressState } from '../../models/item-progress.ts';
import { selectPassedExercises, type SubmissionRow } from '../../models/submissions.ts';

/** An exercise a notebook uses, as the import records it in the item's meta (course-format `ExerciseUse`). */
interface ExerciseUse {
  module: string;
  name: string;
  corrected: boolean;
}

/**
 * The `exercise` progress source of a notebook after a verified pass (ADR 025): "done" once every
 * exercise the notebook corrects (`<exo>.correction(…)`) has a verified all-OK submission,
 * "started" before. Never goes back: a later failing submission does not undo a pass.
 */
export async function recordExerciseProgress(
  db: Kysely<Database>,
  submission: Pick<SubmissionRow, 'user_id' | 'course_id' | 'version_id' | 'route'>,
  at: string,
): Promise<void> {
  const item = await selectOptionalItemByRoute(db, submission.version_id, submission.route);
  const uses = item ? ((JSON.parse(item.meta) as { exercises?: ExerciseUse[] }).exercises ?? []) : [];
  const corrected = uses.filter((u) => u.corrected);
  const passed = new Set(
    (await selectPassedExercises(db, submission.user_id, submission.course_id, submission.route)).map(
      (p) => `${p.module}\0${p.exercise}`,
    ),
  );
  const key = {
    userId: submission.user_id,
    courseId: submission.course_id,
    route: submission.route,
    source: 'exercise' as const,
  };
  if (corrected.length > 0 && corrected.every((u) => passed.has(`${u.module}\0${u.name}`))) {
    await upsertProgressState(db, key, 'done', true, at);
  } else {
    await insertStartedIfAbsent(db, key, at);
  }
}
