import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

// A session's staff figures (issue 14, ADR 049): grouped counts only, never a learner's rows in
// memory. "The session's learners" are its active enrolments.

const num = (value: number | string | null): number => Number(value ?? 0);

/**
 * Learners by id, inclusive: the heavy figures are counted a slice of learners at a time (each
 * statement short, ADR 049), and add up, since each learner is in one slice.
 */
export interface UserRange {
  from: number;
  to: number;
}

/** The lowest and highest user id of the session's active enrolments (null: none). */
export async function selectEnrolledUserRange(db: Kysely<Database>, runId: number): Promise<UserRange | null> {
  const row = await db
    .selectFrom('enrolments')
    .select((eb) => [eb.fn.min<number>('user_id').as('from'), eb.fn.max<number>('user_id').as('to')])
    .where('run_id', '=', runId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row && row.from !== null && row.to !== null ? { from: num(row.from), to: num(row.to) } : null;
}

/** The stored figures of a session (JSON) and when they were computed, if any. */
export async function selectOptionalSnapshot(
  db: Kysely<Database>,
  runId: number,
): Promise<{ figures: string; computed_at: string } | undefined> {
  return db
    .selectFrom('run_analytics')
    .select(['figures', 'computed_at'])
    .where('run_id', '=', runId)
    .executeTakeFirst();
}

/** Stores a session's figures, replacing the previous ones. */
export async function upsertSnapshot(
  db: Kysely<Database>,
  runId: number,
  figures: string,
  computedAt: string,
): Promise<void> {
  await db
    .insertInto('run_analytics')
    .values({ run_id: runId, figures, computed_at: computedAt })
    .onConflict((oc) => oc.column('run_id').doUpdateSet({ figures, computed_at: computedAt }))
    .execute();
}

/** Learners active on each day from `fromDay` on (days without activity are absent). */
export async function selectActiveByDay(
  db: Kysely<Database>,
  runId: number,
  fromDay: string,
): Promise<{ day: string; learners: number }[]> {
  const rows = await db
    .selectFrom('learner_activity')
    .select(['day', (eb) => eb.fn.countAll<number | string>().as('learners')])
    .where('run_id', '=', runId)
    .where('day', '>=', fromDay)
    .groupBy('day')
    .execute();
  return rows.map((r) => ({ day: r.day, learners: num(r.learners) }));
}

/** Distinct learners active in each week (its Monday) from `fromWeek` on. */
export async function selectActiveByWeek(
  db: Kysely<Database>,
  runId: number,
  fromWeek: string,
): Promise<{ week: string; learners: number }[]> {
  const rows = await db
    .selectFrom('learner_activity')
    .select(['week', (eb) => eb.fn.count<number | string>('user_id').distinct().as('learners')])
    .where('run_id', '=', runId)
    .where('week', '>=', fromWeek)
    .groupBy('week')
    .execute();
  return rows.map((r) => ({ week: r.week, learners: num(r.learners) }));
}

/** The session's active enrolments. */
export async function countActiveLearners(db: Kysely<Database>, runId: number): Promise<number> {
  const row = await db
    .selectFrom('enrolments')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('run_id', '=', runId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return num(row.n);
}

/** Per item route: the session's learners with any progress on it (opened) and with it done. */
export async function selectItemReach(
  db: Kysely<Database>,
  runId: number,
  users: UserRange,
): Promise<{ route: string; opened: number; done: number }[]> {
  const rows = await sql<{ route: string; opened: number | string; done: number | string }>`
    select p.route, count(*) as opened, sum(p.done) as done
    from (
      select ip.route, ip.user_id, max(case when ip.state = 'done' then 1 else 0 end) as done
      from enrolments e
      join item_progress ip on ip.user_id = e.user_id and ip.course_id = e.course_id
      where e.run_id = ${runId} and e.status = 'active' and e.user_id between ${users.from} and ${users.to}
      group by ip.route, ip.user_id
    ) p
    group by p.route`.execute(db);
  return rows.rows.map((r) => ({ route: r.route, opened: num(r.opened), done: num(r.done) }));
}

/**
 * Per week: the session's learners who opened any of its items (reached) and who have every one
 * of them done (completed). `items` maps each item route of a week to that week.
 */
export async function selectWeekReach(
  db: Kysely<Database>,
  runId: number,
  items: readonly { route: string; week: number }[],
  users: UserRange,
): Promise<{ week: number; reached: number; completed: number }[]> {
  if (items.length === 0) return [];
  const size = new Map<number, number>();
  for (const item of items) size.set(item.week, (size.get(item.week) ?? 0) + 1);
  const values = sql.join(
    items.map((i) => sql`(cast(${i.route} as text), cast(${i.week} as integer), cast(${size.get(i.week)} as integer))`),
  );
  const rows = await sql<{ week: number | string; reached: number | string; completed: number | string }>`
    with weeks (route, week, items) as (values ${values})
    select w.week, count(*) as reached, sum(case when w.done = w.items then 1 else 0 end) as completed
    from (
      select ip.user_id, wk.week, max(wk.items) as items,
        count(distinct case when ip.state = 'done' then ip.route end) as done
      from enrolments e
      join item_progress ip on ip.user_id = e.user_id and ip.course_id = e.course_id
      join weeks wk on wk.route = ip.route
      where e.run_id = ${runId} and e.status = 'active' and e.user_id between ${users.from} and ${users.to}
      group by ip.user_id, wk.week
    ) w
    group by w.week`.execute(db);
  return rows.rows.map((r) => ({ week: num(r.week), reached: num(r.reached), completed: num(r.completed) }));
}

/** Learners of an exercise grouped by how many verified submissions their first pass took. */
export interface AttemptsBucket {
  module: string;
  exercise: string;
  /** The rank of the learner's first passing submission (1 = first try); null: never passed. */
  attempts: number | null;
  learners: number;
  submissions: number;
  passes: number;
}

/**
 * The session's verified submissions (a verdict, pass or fail) per exercise, as a histogram of
 * attempts to the first pass: per learner in SQL (window rank), then counted per exercise.
 */
export async function selectExerciseAttempts(
  db: Kysely<Database>,
  runId: number,
  users: UserRange,
): Promise<AttemptsBucket[]> {
  const rows = await sql<{
    module: string;
    exercise: string;
    attempts: number | string | null;
    learners: number | string;
    submissions: number | string;
    passes: number | string;
  }>`
    select t.module, t.exercise, t.first_pass as attempts, count(*) as learners,
      sum(t.n) as submissions, sum(t.passes) as passes
    from (
      select r.module, r.exercise, r.user_id, count(*) as n, sum(r.ok) as passes,
        min(case when r.ok = 1 then r.rank end) as first_pass
      from (
        select s.module, s.exercise, s.user_id, s.ok,
          row_number() over (partition by s.user_id, s.module, s.exercise order by s.id) as rank
        from enrolments e
        join submissions s on s.user_id = e.user_id and s.course_id = e.course_id
        where e.run_id = ${runId} and e.status = 'active' and e.user_id between ${users.from} and ${users.to}
          and s.status = 'done'
      ) r
      group by r.module, r.exercise, r.user_id
    ) t
    group by t.module, t.exercise, t.first_pass`.execute(db);
  return rows.rows.map((r) => ({
    module: r.module,
    exercise: r.exercise,
    attempts: r.attempts === null ? null : num(r.attempts),
    learners: num(r.learners),
    submissions: num(r.submissions),
    passes: num(r.passes),
  }));
}

/** The failing-row counters of a session's exercises (failures per check), most failed first. */
export async function selectRowFailures(db: Kysely<Database>, runId: number) {
  return db
    .selectFrom('exercise_row_failures')
    .select(['module', 'exercise', 'hidden', 'row_index', 'call', 'failures'])
    .where('run_id', '=', runId)
    .orderBy('failures', 'desc')
    .orderBy('hidden')
    .orderBy('row_index')
    .execute();
}

/** Per quiz problem of a session: first attempts (count, right, score sum), all attempts, learners ever right. */
export async function selectProblemDifficulty(db: Kysely<Database>, runId: number, users: UserRange) {
  const rows = await sql<{
    route: string;
    problem_id: string;
    learners: number | string;
    right_first: number | string;
    score_first: number | string | null;
    attempts: number | string;
    right_ever: number | string;
  }>`
    select q.route, q.problem_id,
      sum(case when q.attempt = 1 then 1 else 0 end) as learners,
      sum(case when q.attempt = 1 and q.max > 0 and q.score >= q.max then 1 else 0 end) as right_first,
      sum(case when q.attempt = 1 and q.max > 0 then q.score / q.max else 0 end) as score_first,
      count(*) as attempts,
      count(distinct case when q.max > 0 and q.score >= q.max then q.user_id end) as right_ever
    from enrolments e
    join quiz_attempts q on q.user_id = e.user_id and q.course_id = e.course_id and q.run_id = e.run_id
    where e.run_id = ${runId} and e.status = 'active' and e.user_id between ${users.from} and ${users.to}
    group by q.route, q.problem_id`.execute(db);
  return rows.rows.map((r) => ({
    route: r.route,
    problem: r.problem_id,
    learners: num(r.learners),
    rightFirst: num(r.right_first),
    scoreFirst: num(r.score_first),
    attempts: num(r.attempts),
    rightEver: num(r.right_ever),
  }));
}
