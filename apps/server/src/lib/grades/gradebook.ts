/**
 * Grades as a workflow across tables (ADR 029): a version's graded items (cached: versions are
 * immutable), learners' stored results read in batches, their grades computed by the pure
 * `policy.ts` and kept in `learner_grades`.
 */
import type { Quiz } from '@carnet/course-format';
import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import { selectOptionalActiveEnrolment } from '../../models/enrolments.ts';
import {
  selectEnrolledLearnerPage,
  selectLearnerResults,
  selectOptionalLearnerGrade,
  upsertLearnerGrades,
  type LearnerGradeRow,
} from '../../models/learner-grades.ts';
import { LruCache } from '../cache.ts';
import { hiddenChecks, versionSeals, type PracticeMode } from '../exercises/seals.ts';
import {
  computeGrade,
  parseGradingPolicy,
  type GradedItem,
  type LearnerGrade,
  type LearnerResults,
  type WeekDeadlines,
} from './policy.ts';

/** An exercise of a version as staff see it: where it is corrected, how it is checked, what it rests on. */
export interface ExerciseFacts {
  /** `<module>.<attribute>`, as in graded items' `ref`. */
  ref: string;
  module: string;
  name: string;
  /** The first notebook that corrects it (`<exo>.correction(…)`), else the first that imports it. */
  route: string;
  /** That notebook's title (plain text). */
  notebookTitle: string;
  week: number | null;
  /** How learners' work is checked; `none` also when its module is not sealed (failed, no sandbox). */
  mode: PracticeMode;
  /** Checks the browser never sees (`hiddenChecks` of its seal); 0 when it cannot be checked. */
  hiddenChecks: number;
  /** Verified on a fresh draw of its datasets each time. */
  random: boolean;
  /** Checked (mode local or server) with no hidden check: its verified grade can be forged. */
  forgeable: boolean;
  /** Its graded item; null when it is not graded (no notebook corrects it, or it cannot be checked). */
  item: GradedItem | null;
}

interface VersionFacts {
  items: GradedItem[];
  weeks: Map<string, number | null>;
  exercises: ExerciseFacts[];
}

const itemsCache = new LruCache<number, VersionFacts>(100);

/** Plain text from an author's inline HTML (titles in CSV cells and chart labels). */
function plain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The graded items of a version, in course order: each problem of each quiz, and each exercise a
 * notebook corrects (`<exo>.correction(…)`) whose module is sealed — an exercise the server cannot
 * verify cannot be graded (it is listed by the import report instead).
 */
export async function gradedItems(db: Kysely<Database>, versionId: number): Promise<GradedItem[]> {
  return (await versionFacts(db, versionId)).items;
}

/** The week of an item of a version (null: outside weeks, or no such item). */
export async function routeWeek(db: Kysely<Database>, versionId: number, route: string): Promise<number | null> {
  return (await versionFacts(db, versionId)).weeks.get(route) ?? null;
}

/** Every exercise a notebook of a version uses, in course order, with how it is checked and graded. */
export async function versionExercises(db: Kysely<Database>, versionId: number): Promise<ExerciseFacts[]> {
  return (await versionFacts(db, versionId)).exercises;
}

async function versionFacts(db: Kysely<Database>, versionId: number): Promise<VersionFacts> {
  const cached = itemsCache.get(versionId);
  if (cached) return cached;
  const rows = await db
    .selectFrom('course_items')
    .select(['route', 'type', 'week', 'title', 'meta'])
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
  const keys = new Map(
    (await db.selectFrom('quiz_keys').select(['route', 'quiz']).where('version_id', '=', versionId).execute()).map(
      (k) => [k.route, JSON.parse(k.quiz) as Quiz],
    ),
  );
  const seals = (await versionSeals(db, versionId)).exercises;
  const items: GradedItem[] = [];
  const seen = new Set<string>();
  const exercises = new Map<string, ExerciseFacts>();
  for (const row of rows) {
    if (row.type === 'quiz') {
      const quiz = keys.get(row.route);
      quiz?.problems.forEach((problem, index) => {
        const title = problem.title ? plain(problem.title) : '';
        items.push({
          key: `quiz:${row.route}#${problem.id}`,
          kind: 'quiz',
          week: row.week,
          route: row.route,
          ref: problem.id,
          title: title || `${row.title} — ${index + 1}`,
          forgeable: false,
        });
      });
    } else {
      const uses = (JSON.parse(row.meta) as { exercises?: { module: string; name: string; corrected: boolean }[] })
        .exercises;
      for (const use of uses ?? []) {
        const ref = `${use.module}.${use.name}`;
        const seal = seals.get(ref)?.seal;
        const mode = seal?.mode ?? 'none';
        const hidden = seal ? hiddenChecks(seal) : 0;
        let facts = exercises.get(ref);
        if (!facts) {
          facts = {
            ref,
            module: use.module,
            name: use.name,
            route: row.route,
            notebookTitle: row.title,
            week: row.week,
            mode,
            hiddenChecks: hidden,
            random: seal?.random ?? false,
            forgeable: mode !== 'none' && hidden === 0,
            item: null,
          };
          exercises.set(ref, facts);
        }
        // Only an exercise the server can verify can be graded.
        if (!use.corrected || mode === 'none' || seen.has(ref)) continue;
        seen.add(ref);
        const item: GradedItem = {
          key: `exercise:${ref}`,
          kind: 'exercise',
          week: row.week,
          route: row.route,
          ref,
          title: use.name,
          forgeable: facts.forgeable,
        };
        items.push(item);
        Object.assign(facts, { route: row.route, notebookTitle: row.title, week: row.week, item });
      }
    }
  }
  const facts = { items, weeks: new Map(rows.map((r) => [r.route, r.week])), exercises: [...exercises.values()] };
  itemsCache.set(versionId, facts);
  return facts;
}

/** A session's items and what grading needs of it. */
export interface Gradebook {
  run: Run;
  items: GradedItem[];
  grade(results: LearnerResults): LearnerGrade;
}

export async function gradebookOf(db: Kysely<Database>, run: Run): Promise<Gradebook> {
  const items = await gradedItems(db, run.version_id);
  const policy = parseGradingPolicy(run.grading);
  const counts = run.quiz_counts === 'last' ? 'last' : 'best';
  // Due dates depend on the session and the policy only: computed once per gradebook, not per learner.
  const deadlines: WeekDeadlines = new Map();
  return { run, items, grade: (results) => computeGrade(run, policy, counts, items, results, deadlines) };
}

/** One learner's grade in a session, from their stored results (the progress page, certificates). */
export async function learnerGrade(db: Kysely<Database>, run: Run, userId: number): Promise<LearnerGrade> {
  const book = await gradebookOf(db, run);
  const results = await selectLearnerResults(db, run.course_id, [userId]);
  return book.grade(results.get(userId) ?? { attempts: [], passes: [] });
}

/**
 * Every active learner of a session with their grade, in pages of `pageSize` learners (user id
 * order): memory stays bounded by one page, whatever the session's size (grade report, recompute).
 */
export async function* runGrades(
  db: Kysely<Database>,
  run: Run,
  pageSize = 1000,
): AsyncGenerator<{ userId: number; email: string; name: string; grade: LearnerGrade }[]> {
  const book = await gradebookOf(db, run);
  let after = 0;
  for (;;) {
    const learners = await selectEnrolledLearnerPage(db, run.id, after, pageSize);
    if (learners.length === 0) return;
    const results = await selectLearnerResults(
      db,
      run.course_id,
      learners.map((l) => l.id),
    );
    yield learners.map((l) => ({
      userId: l.id,
      email: l.email,
      name: l.display_name,
      grade: book.grade(results.get(l.id) ?? { attempts: [], passes: [] }),
    }));
    after = learners.at(-1)!.id;
  }
}

/** Hooks run when a learner's stored grade changes (certificates register one). */
export type GradeListener = (db: Kysely<Database>, run: Run, row: LearnerGradeRow, now: Date) => Promise<void>;
const listeners: GradeListener[] = [];
export function onGradeChange(listener: GradeListener): void {
  if (!listeners.includes(listener)) listeners.push(listener);
}

async function store(db: Kysely<Database>, run: Run, rows: LearnerGradeRow[], now: Date): Promise<void> {
  await upsertLearnerGrades(db, rows);
  for (const row of rows) for (const listener of listeners) await listener(db, run, row, now);
}

/**
 * Recomputes a learner's grade in a session, and stores it when it changed.
 */
export async function refreshLearnerGrade(
  db: Kysely<Database>,
  run: Run,
  userId: number,
  now: Date,
): Promise<LearnerGrade> {
  const grade = await learnerGrade(db, run, userId);
  const row = {
    run_id: run.id,
    user_id: userId,
    grade: grade.grade,
    passed: grade.passed ? 1 : 0,
    computed_at: now.toISOString(),
  };
  // Most new results change nothing (a failed attempt, a pass already counted): no write then;
  // the listeners still run (a certificate may be due now).
  const stored = await selectOptionalLearnerGrade(db, run.id, userId);
  if (stored && stored.grade === row.grade && stored.passed === row.passed) {
    for (const listener of listeners) await listener(db, run, stored, now);
  } else {
    await store(db, run, [row], now);
  }
  return grade;
}

/** After a new result: refreshes the learner's grade in the session they are enrolled in, if any. */
export async function refreshEnrolledGrade(
  db: Kysely<Database>,
  userId: number,
  courseId: number,
  now: Date,
): Promise<LearnerGrade | null> {
  const enrolment = await selectOptionalActiveEnrolment(db, userId, courseId);
  return enrolment ? refreshLearnerGrade(db, enrolment.run, userId, now) : null;
}

/** Recomputes every learner's grade of a session (the policy changed): returns how many. */
export async function recomputeRunGrades(db: Kysely<Database>, run: Run, now: Date): Promise<number> {
  let count = 0;
  for await (const page of runGrades(db, run)) {
    const at = now.toISOString();
    await store(
      db,
      run,
      page.map((l) => ({
        run_id: run.id,
        user_id: l.userId,
        grade: l.grade.grade,
        passed: l.grade.passed ? 1 : 0,
        computed_at: at,
      })),
      now,
    );
    count += page.length;
  }
  return count;
}
