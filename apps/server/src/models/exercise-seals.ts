import type { Kysely } from 'kysely';
import type { Database, ExerciseSealsTable, SealStatus } from '../db/schema.ts';

export type ExerciseSealRow = Omit<ExerciseSealsTable, 'id'> & { id: number };

/** Records how each exercise module of a version reaches the browser. */
export async function insertExerciseSeals(
  db: Kysely<Database>,
  versionId: number,
  seals: { module: string; status: SealStatus; seal: string | null; reason: string | null }[],
  now: string,
): Promise<void> {
  for (const seal of seals) {
    await db
      .insertInto('exercise_seals')
      .values({ version_id: versionId, ...seal, created_at: now })
      .execute();
  }
}

/** The exercise modules of a version with their seals, by module name. */
export async function selectExerciseSeals(db: Kysely<Database>, versionId: number): Promise<ExerciseSealRow[]> {
  return db.selectFrom('exercise_seals').selectAll().where('version_id', '=', versionId).orderBy('module').execute();
}
