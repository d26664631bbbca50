import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.ts';
import { selectExerciseSeals } from '../../models/exercise-seals.ts';
import { LruCache } from '../cache.ts';
import { gradingStandins } from './standin.ts';

/** The seal format python/carnet_seal/seal.py writes (python/README.md, ADR 034). */
export const SEAL_FORMAT = 'carnet-seal/2';

/**
 * How learners practise an exercise: `local` in the browser from its public form, `server` by the
 * server running the module on their cells, `none` when its inputs cannot leave the server.
 */
export type PracticeMode = 'local' | 'server' | 'none';

const inputsForm = z
  .object({ format: z.literal('carnet-inputs/1'), class: z.string(), name: z.string() })
  .passthrough();

const exerciseSeal = z.object({
  attribute: z.string().regex(/^[A-Za-z_]\w*$/),
  class: z.string(),
  name: z.string(),
  mode: z.enum(['local', 'server', 'none']),
  /** `sealed`: the library judges from the full seal; `module`: the module judges in a trusted run. */
  judge: z.enum(['sealed', 'module']).nullable(),
  reason: z.string().nullable(),
  /** Datasets drawn when the module loads: each verification draws new ones. */
  random: z.boolean(),
  /** Checks the browser never sees: held back from the module's datasets, and the author's own. */
  checks: z.object({ hidden: z.number().int(), extra: z.number().int(), fresh: z.boolean().optional() }).optional(),
  example_html: z.string(),
  problems: z.array(z.string()),
  /** Full sealed form (every dataset and expected result): the judge's, never sent out. */
  sealed: z.record(z.string(), z.unknown()).optional(),
  /** What the browser's stand-in gets (mode local). */
  public: z.record(z.string(), z.unknown()).optional(),
  /** The module judge's plan of calls, with the held-back indices. */
  plan: inputsForm.optional(),
  /** What the untrusted run gets: the inputs, never an expected value. */
  inputs: inputsForm.optional(),
});

export const sealDocument = z.object({
  format: z.literal(SEAL_FORMAT),
  module: z.string(),
  output: z.string().optional(),
  exercises: z.array(exerciseSeal),
  /** Sources the browser and the untrusted run get: names notebooks import, functions datasets name. */
  helpers: z.array(
    z.object({
      module: z.string(),
      name: z.string(),
      source: z.string(),
      /** An exercise's solution that a notebook imports: the author hands it to learners. */
      solution: z.boolean().optional(),
    }),
  ),
  problems: z.array(z.string()),
  /** The module imports numpy (a draw seeds numpy's generator too). */
  numpy: z.boolean(),
  /** The course settings the module was sealed with (hidden shares, author datasets), for draws. */
  options: z.record(z.string(), z.unknown()).optional(),
});

export type ExerciseSeal = z.infer<typeof exerciseSeal>;
export type SealDocument = z.infer<typeof sealDocument>;
export type InputsForm = z.infer<typeof inputsForm>;

/** The number of checks an exercise's verified grade rests on that the learner never saw. */
export function hiddenChecks(exercise: ExerciseSeal): number {
  if (exercise.mode === 'none') return 0;
  if (exercise.random) return Math.max(1, exercise.checks?.hidden ?? 0);
  return (exercise.checks?.hidden ?? 0) + (exercise.checks?.extra ?? 0);
}

/** One exercise of a version, with the module it belongs to. */
export interface VersionExercise {
  module: string;
  seal: ExerciseSeal;
  doc: SealDocument;
}

/** A version's sealed modules, read once per process (versions never change). */
export interface VersionSeals {
  docs: SealDocument[];
  /** `corrections.exo_x.exo_x` → the exercise. */
  exercises: Map<string, VersionExercise>;
  /** Modules sealed by an older Carnet (another format): their exercises cannot be verified. */
  outdated: string[];
  /** Each module's grading stand-in source (what the untrusted run imports: helpers, inert exercises). */
  gradingSources: Map<string, string>;
}

const cache = new LruCache<number, VersionSeals>(50, Infinity, 'seals');

/** The sealed exercises of a version, cached per process. */
export function versionSeals(db: Kysely<Database>, versionId: number): Promise<VersionSeals> {
  return cache.getOrLoad(versionId, async () => {
    const docs: SealDocument[] = [];
    const outdated: string[] = [];
    for (const row of await selectExerciseSeals(db, versionId)) {
      if (row.status !== 'sealed' || !row.seal) continue;
      const parsed = sealDocument.safeParse(JSON.parse(row.seal));
      if (parsed.success) docs.push(parsed.data);
      else outdated.push(row.module);
    }
    const exercises = new Map<string, VersionExercise>();
    for (const doc of docs)
      for (const seal of doc.exercises)
        exercises.set(`${doc.module}.${seal.attribute}`, { module: doc.module, seal, doc });
    const gradingSources = new Map(
      gradingStandins(docs).map((m) => [m.path.replace(/(\/__init__)?\.py$/, '').replace(/\//g, '.'), m.source]),
    );
    return { docs, exercises, outdated, gradingSources };
  });
}
