import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunTimes } from '../runs/schedule.ts';
import {
  computeGrade,
  DEFAULT_GRADING_POLICY,
  parseGradingPolicy,
  isCounted,
  reaches,
  serializeGradingPolicy,
  weekDeadline,
  weekDueAt,
  whyNotCounted,
  type GradedItem,
  type GradingPolicy,
  type LearnerResults,
} from './policy.ts';

const run: RunTimes = {
  mode: 'scheduled',
  starts_at: '2030-01-07T08:00:00.000Z',
  ends_at: '2030-03-01T00:00:00.000Z',
  enrol_opens_at: null,
  enrol_closes_at: null,
  week_opens: '{}',
  archived: 0,
};
const policy = (over: Partial<GradingPolicy> = {}): GradingPolicy => ({ ...DEFAULT_GRADING_POLICY, ...over });

const quiz = (week: number, route: string, problem: string): GradedItem => ({
  key: `quiz:${route}#${problem}`,
  kind: 'quiz',
  week,
  route,
  ref: problem,
  title: `${route} ${problem}`,
  forgeable: false,
});
const exercise = (week: number, name: string, forgeable = false): GradedItem => ({
  key: `exercise:corrections.exo_${name}.exo_${name}`,
  kind: 'exercise',
  week,
  route: `w${week}/nb`,
  ref: `corrections.exo_${name}.exo_${name}`,
  title: name,
  forgeable,
});
const attempt = (route: string, problemId: string, score: number, max: number, at: string) => ({
  route,
  problemId,
  score,
  max,
  at,
});
const pass = (name: string, at: string) => ({ module: `corrections.exo_${name}`, exercise: `exo_${name}`, at });
const none: LearnerResults = { attempts: [], passes: [] };

// Week 1 opens 2030-01-07 08:00 and is due 14 days later; week 2 a week after.
const W1_DUE = '2030-01-21T08:00:00.000Z';
const BEFORE = '2030-01-10T00:00:00.000Z';
const LATE = '2030-01-25T00:00:00.000Z';

describe('stored policy', () => {
  it('"{}" and garbage are the defaults', () => {
    expect(parseGradingPolicy('{}')).toEqual(DEFAULT_GRADING_POLICY);
    expect(parseGradingPolicy('not json')).toEqual(DEFAULT_GRADING_POLICY);
    expect(parseGradingPolicy('{"threshold": 7}')).toEqual(DEFAULT_GRADING_POLICY);
  });
  it('round-trips and fills what is missing', () => {
    const p = policy({ threshold: 0.6, weeks: [2, 1], due: { 2: '2030-02-01T00:00:00.000Z' }, graceMinutes: 30 });
    const back = parseGradingPolicy(serializeGradingPolicy(p));
    expect(back).toEqual({ ...p, weeks: [1, 2] });
    expect(parseGradingPolicy('{"weights":{"exercise":0}}').weights).toEqual({ quiz: 1, exercise: 0 });
  });
  it('forgeable exercises count unless the policy says exclude; a wrong value is the default policy', () => {
    expect(DEFAULT_GRADING_POLICY.forgeable).toBe('count');
    expect(parseGradingPolicy('{"threshold":0.6}').forgeable).toBe('count');
    expect(parseGradingPolicy('{"forgeable":"exclude"}').forgeable).toBe('exclude');
    expect(parseGradingPolicy(serializeGradingPolicy(policy({ forgeable: 'exclude' }))).forgeable).toBe('exclude');
    expect(parseGradingPolicy('{"forgeable":"maybe","threshold":0.6}')).toEqual(DEFAULT_GRADING_POLICY);
  });
});

describe('due dates', () => {
  it('derive from the schedule: a scheduled week is due dueDays after it opens', () => {
    expect(weekDueAt(run, policy(), 1)).toBe(W1_DUE);
    expect(weekDueAt(run, policy(), 2)).toBe('2030-01-28T08:00:00.000Z');
    expect(weekDueAt(run, policy({ dueDays: 7 }), 1)).toBe('2030-01-14T08:00:00.000Z');
  });
  it('follow week opening overrides, never pass the end of the session, and yield to staff dates', () => {
    const moved = { ...run, week_opens: JSON.stringify({ 2: '2030-01-30T08:00:00.000Z' }) };
    expect(weekDueAt(moved, policy(), 2)).toBe('2030-02-13T08:00:00.000Z');
    expect(weekDueAt(run, policy(), 8)).toBe('2030-03-01T00:00:00.000Z');
    expect(weekDueAt(run, policy({ due: { 1: '2030-01-09T00:00:00.000Z' } }), 1)).toBe('2030-01-09T00:00:00.000Z');
  });
  it('self-paced sessions are due at their end, or never', () => {
    const selfPaced = { ...run, mode: 'self-paced' as const };
    expect(weekDueAt(selfPaced, policy(), 3)).toBe(run.ends_at);
    expect(weekDueAt({ ...selfPaced, ends_at: null }, policy(), 3)).toBeNull();
  });
  it('the deadline adds the grace period', () => {
    expect(weekDeadline(run, policy({ graceMinutes: 90 }), 1)).toBe('2030-01-21T09:30:00.000Z');
  });
});

describe('arithmetic', () => {
  const items = [
    quiz(1, 'w1/q', 'p1'),
    quiz(1, 'w1/q', 'p2'),
    exercise(1, 'a'),
    quiz(2, 'w2/q', 'p1'),
    exercise(2, 'b'),
  ];

  it('nothing done is 0 and not passed', () => {
    const g = computeGrade(run, policy(), 'best', items, none);
    expect(g.grade).toBe(0);
    expect(g.passed).toBe(false);
    expect(g.weeks.map((w) => w.week)).toEqual([1, 2]);
  });

  it('types are weighted means of their items', () => {
    const results: LearnerResults = {
      attempts: [attempt('w1/q', 'p1', 2, 2, BEFORE), attempt('w1/q', 'p2', 1, 2, BEFORE)],
      passes: [pass('a', BEFORE)],
    };
    // quizzes: (1 + 0.5 + 0) / 3 = 0.5; exercises: (1 + 0) / 2 = 0.5.
    const equal = computeGrade(run, policy(), 'best', items, results);
    expect(equal.types.quiz.score).toBeCloseTo(0.5);
    expect(equal.types.exercise.score).toBeCloseTo(0.5);
    expect(equal.grade).toBeCloseTo(0.5);
    // Quizzes weigh 3, exercises 1, and a fully done exercise set: (3 × 0.5 + 1 × 1) / 4.
    const weighted = computeGrade(run, policy({ weights: { quiz: 3, exercise: 1 } }), 'best', items, {
      ...results,
      passes: [pass('a', BEFORE), pass('b', BEFORE)],
    });
    expect(weighted.grade).toBeCloseTo(0.625);
    // A type weighing 0 is left out, even when it has items.
    expect(computeGrade(run, policy({ weights: { quiz: 1, exercise: 0 } }), 'best', items, results).grade).toBeCloseTo(
      0.5,
    );
    expect(computeGrade(run, policy({ weights: { quiz: 0, exercise: 1 } }), 'best', items, results).grade).toBeCloseTo(
      0.5,
    );
  });

  it('the best or the last attempt counts, as the quiz policy says', () => {
    const results: LearnerResults = {
      attempts: [attempt('w1/q', 'p1', 2, 2, BEFORE), attempt('w1/q', 'p1', 0, 2, BEFORE)],
      passes: [],
    };
    const only = [quiz(1, 'w1/q', 'p1')];
    expect(computeGrade(run, policy(), 'best', only, results).grade).toBe(1);
    expect(computeGrade(run, policy(), 'last', only, results).grade).toBe(0);
  });

  it('late results are kept, shown and not counted; the grace period moves the line', () => {
    const only = [quiz(1, 'w1/q', 'p1'), exercise(1, 'a')];
    const results: LearnerResults = { attempts: [attempt('w1/q', 'p1', 2, 2, LATE)], passes: [pass('a', LATE)] };
    const g = computeGrade(run, policy(), 'best', only, results);
    expect(g.grade).toBe(0);
    expect(g.weeks[0]!.items.map((i) => [i.score, i.late])).toEqual([
      [null, 1],
      [null, 1],
    ]);
    // On the due date exactly: counts. One millisecond after: late, unless within the grace period.
    const atDue = { attempts: [attempt('w1/q', 'p1', 2, 2, W1_DUE)], passes: [] };
    const after = { attempts: [attempt('w1/q', 'p1', 2, 2, '2030-01-21T08:00:00.001Z')], passes: [] };
    expect(computeGrade(run, policy(), 'best', only, atDue).types.quiz.score).toBe(1);
    expect(computeGrade(run, policy(), 'best', only, after).types.quiz.score).toBe(0);
    expect(computeGrade(run, policy({ graceMinutes: 1 }), 'best', only, after).types.quiz.score).toBe(1);
    // A late better attempt does not replace the one made in time.
    const both = {
      attempts: [attempt('w1/q', 'p1', 1, 2, BEFORE), attempt('w1/q', 'p1', 2, 2, LATE)],
      passes: [],
    };
    expect(computeGrade(run, policy(), 'last', only, both).types.quiz.score).toBe(0.5);
  });

  it('only the weeks that count are graded; the others are still reported', () => {
    const results: LearnerResults = { attempts: [attempt('w2/q', 'p1', 2, 2, BEFORE)], passes: [pass('b', BEFORE)] };
    const g = computeGrade(run, policy({ weeks: [2] }), 'best', items, results);
    expect(g.grade).toBe(1);
    expect(g.passed).toBe(true);
    expect(g.weeks[0]!.items.every((i) => !i.counted)).toBe(true);
    expect(g.weeks[0]!.score).toBeNull();
    expect(g.weeks[1]!.score).toBe(1);
  });

  it('a forgeable exercise counts by default; with exclude, its pass no longer raises the grade', () => {
    const mixed = [quiz(1, 'w1/q', 'p1'), exercise(1, 'sure'), exercise(1, 'nu', true)];
    const passedForgeable: LearnerResults = { attempts: [], passes: [pass('nu', BEFORE)] };
    // Counted: exercises (0 + 1) / 2 = 0.5, quizzes 0: the grade is 0.25.
    const counted = computeGrade(run, policy(), 'best', mixed, passedForgeable);
    expect(counted.grade).toBeCloseTo(0.25);
    expect(counted.types.exercise.items).toBe(2);
    // Excluded: the exercise type is the sure one alone, not passed: 0, and the grade 0.
    const excluded = computeGrade(run, policy({ forgeable: 'exclude' }), 'best', mixed, passedForgeable);
    expect(excluded.grade).toBe(0);
    expect(excluded.types.exercise).toMatchObject({ score: 0, items: 1 });
    // Still reported, with its score, as not counted.
    const nu = excluded.weeks[0]!.items.find((i) => i.item.title === 'nu')!;
    expect([nu.score, nu.counted]).toEqual([1, false]);
    // The sure exercise and the quiz are untouched by the setting.
    const honest: LearnerResults = { attempts: [attempt('w1/q', 'p1', 1, 1, BEFORE)], passes: [pass('sure', BEFORE)] };
    expect(computeGrade(run, policy({ forgeable: 'exclude' }), 'best', mixed, honest).grade).toBe(1);
    expect(computeGrade(run, policy(), 'best', mixed, honest).grade).toBeCloseTo(0.75);
  });

  it('a session whose only exercises are forgeable and excluded grades quizzes alone, and passes nobody on exercises', () => {
    const onlyForgeable = [exercise(1, 'nu', true)];
    const results: LearnerResults = { attempts: [], passes: [pass('nu', BEFORE)] };
    const g = computeGrade(run, policy({ forgeable: 'exclude', threshold: 0 }), 'best', onlyForgeable, results);
    expect([g.grade, g.passed, g.types.exercise.items]).toEqual([0, false, 0]);
    const withQuiz = [quiz(1, 'w1/q', 'p1'), ...onlyForgeable];
    const quizOnly = computeGrade(run, policy({ forgeable: 'exclude' }), 'best', withQuiz, {
      ...results,
      attempts: [attempt('w1/q', 'p1', 1, 2, BEFORE)],
    });
    expect(quizOnly.grade).toBe(0.5);
  });

  it('says why an item does not count: weight first, then week, then forgeable', () => {
    const nu = exercise(2, 'nu', true);
    const exclude = policy({ forgeable: 'exclude' });
    expect(whyNotCounted(policy(), nu)).toBeNull();
    expect(whyNotCounted(exclude, nu)).toBe('forgeable');
    expect(whyNotCounted({ ...exclude, weeks: [1] }, nu)).toBe('week');
    expect(whyNotCounted({ ...exclude, weeks: [1], weights: { quiz: 1, exercise: 0 } }, nu)).toBe('weight');
    expect(isCounted(exclude, exercise(2, 'sure'))).toBe(true);
    // A quiz problem is never forgeable (the server holds its answers).
    expect(isCounted(exclude, quiz(2, 'w2/q', 'p1'))).toBe(true);
  });

  it('the threshold is reached at equality, even through rounding (1/3 + 1/6 = 1/2)', () => {
    const three = [quiz(1, 'q', 'p1'), quiz(1, 'q', 'p2'), quiz(1, 'q', 'p3')];
    const results = {
      attempts: [attempt('q', 'p1', 1, 1, BEFORE), attempt('q', 'p2', 1, 2, BEFORE)],
      passes: [],
    };
    const g = computeGrade(run, policy({ threshold: 0.5 }), 'best', three, results);
    expect(g.grade).toBeCloseTo(0.5);
    expect(g.passed).toBe(true);
    expect(computeGrade(run, policy({ threshold: 0.51 }), 'best', three, results).passed).toBe(false);
    expect(reaches(1 / 3 + 1 / 6, 0.5)).toBe(true);
    expect(reaches(0.4999, 0.5)).toBe(false);
  });

  it('a threshold of 0 passes only once something counts', () => {
    expect(computeGrade(run, policy({ threshold: 0 }), 'best', items, none).passed).toBe(true);
    expect(computeGrade(run, policy({ threshold: 0 }), 'best', [], none).passed).toBe(false);
  });

  it('property: the grade stays in [0, 1] and more correct results never lower it', () => {
    const scores = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(scores, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), (s, wq, we) => {
        fc.pre(wq + we > 0);
        const p = policy({ weights: { quiz: wq, exercise: we } });
        const quizzes = items.filter((i) => i.kind === 'quiz');
        const results = (bonus: number): LearnerResults => ({
          attempts: quizzes.map((q, k) => attempt(q.route, q.ref, Math.min(4, s[k]! + bonus), 4, BEFORE)),
          passes: s[3]! > 1 ? [pass('a', BEFORE)] : [],
        });
        const a = computeGrade(run, p, 'best', items, results(0)).grade;
        const b = computeGrade(run, p, 'best', items, results(1)).grade;
        return a >= 0 && a <= 1 && b >= a - 1e-12;
      }),
      { numRuns: 500 },
    );
  });
});
