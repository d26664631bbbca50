import { describe, expect, it } from 'vitest';
import { DEFAULT_QUIZ_POLICY, problemState, type QuizPolicy } from './policy.ts';

const NOW = '2030-01-10T00:00:00.000Z';
const policy = (over: Partial<QuizPolicy>): QuizPolicy => ({ ...DEFAULT_QUIZ_POLICY, ...over });
const wrong = { score: 0, max: 2 };
const half = { score: 1, max: 2 };
const right = { score: 2, max: 2 };

describe('attempts', () => {
  it('counts down from the session default (2) and then refuses', () => {
    expect(problemState(DEFAULT_QUIZ_POLICY, [], NOW)).toMatchObject({ attemptsLeft: 2, canSubmit: true, score: null });
    expect(problemState(DEFAULT_QUIZ_POLICY, [wrong], NOW)).toMatchObject({ attemptsLeft: 1, canSubmit: true });
    expect(problemState(DEFAULT_QUIZ_POLICY, [wrong, half], NOW)).toMatchObject({ attemptsLeft: 0, canSubmit: false });
  });
  it('0 means unlimited', () => {
    expect(problemState(policy({ attempts: 0 }), [wrong, wrong, wrong], NOW)).toMatchObject({
      attemptsLeft: null,
      canSubmit: true,
    });
  });
  it('best or last attempt counts', () => {
    expect(problemState(policy({ counts: 'best', attempts: 3 }), [half, wrong], NOW).score).toBe(1);
    expect(problemState(policy({ counts: 'last', attempts: 3 }), [half, wrong], NOW).score).toBe(0);
  });
});

describe('show-answer policies', () => {
  const shows = (over: Partial<QuizPolicy>, attempts: { score: number; max: number }[], now = NOW): boolean =>
    problemState(policy(over), attempts, now).showAnswer;
  it('finished (default): after a correct answer or the last attempt, never before', () => {
    expect(shows({}, [])).toBe(false);
    expect(shows({}, [wrong])).toBe(false);
    expect(shows({}, [right])).toBe(true);
    expect(shows({}, [wrong, wrong])).toBe(true);
  });
  it('correct: only after a correct answer', () => {
    expect(shows({ showAnswer: 'correct' }, [wrong, wrong])).toBe(false);
    expect(shows({ showAnswer: 'correct' }, [wrong, right])).toBe(true);
  });
  it('last-attempt: only once no attempt is left', () => {
    expect(shows({ showAnswer: 'last-attempt' }, [right])).toBe(false);
    expect(shows({ showAnswer: 'last-attempt' }, [right, wrong])).toBe(true);
  });
  it('due: from the due date on, attempt or not; never without a date', () => {
    const due = { showAnswer: 'due' as const, dueAt: '2030-01-10T00:00:00.000Z' };
    expect(shows(due, [right], '2030-01-09T23:59:59.999Z')).toBe(false);
    expect(shows(due, [], '2030-01-10T00:00:00.000Z')).toBe(true);
    expect(shows({ showAnswer: 'due', dueAt: null }, [wrong, wrong])).toBe(false);
  });
  it('never: not even after the last attempt', () => {
    expect(shows({ showAnswer: 'never' }, [right, wrong])).toBe(false);
  });
});
