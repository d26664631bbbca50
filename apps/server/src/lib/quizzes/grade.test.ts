import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseQuiz, type Quiz, type QuizProblem, type QuizQuestion } from '@carnet/course-format';
import { describe, expect, it } from 'vitest';
import { answersFromForm, gradeProblem, gradeQuestion, numericMatches, problemQuestions, readNumber } from './grade.ts';

const demo = (path: string): Quiz => {
  const text = readFileSync(fileURLToPath(new URL(`../../../../../demo-course/${path}`, import.meta.url)), 'utf8');
  const { value } = parseQuiz(text, path);
  if (!value) throw new Error(`cannot parse ${path}`);
  return value;
};
const W1 = demo('w1/w1-s3-q1-premiers-pas.quiz');
const W2 = demo('w2/w2-s2-q1-conteneurs.quiz');
const W3 = demo('w3/w3-s3-q1-plus-loin.quiz');
const ALL = [W1, W2, W3];

const exact = { partialCredit: false };
const partial = { partialCredit: true };

function problemTitled(quiz: Quiz, start: string): QuizProblem {
  const found = quiz.problems.find((p) =>
    (p.title ?? p.blocks.find((b) => b.type === 'html')?.html ?? '').includes(start),
  );
  if (!found) throw new Error(`no problem ${start}`);
  return found;
}
const only = (problem: QuizProblem): QuizQuestion => problemQuestions(problem)[0]!;
const correctIndexes = (q: QuizQuestion): string[] =>
  'options' in q ? q.options.flatMap((o, i) => (o.correct ? [String(i)] : [])) : [];

describe('grading the demo course: every construct', () => {
  it('has every kind of question the format knows', () => {
    const kinds = new Set(ALL.flatMap((quiz) => quiz.problems.flatMap(problemQuestions)).map((q) => q.kind));
    expect([...kinds].sort()).toEqual(['dropdown', 'multiple', 'numeric', 'single', 'text']);
  });

  it('single choice: the one right option scores 1, any other 0', () => {
    const q = only(problemTitled(W1, 'Le type d'));
    expect(q.kind).toBe('single');
    expect(gradeQuestion(q, ['1'], exact)).toMatchObject({ score: 1, correct: true });
    for (const wrong of ['0', '2', '3']) expect(gradeQuestion(q, [wrong], exact).score).toBe(0);
  });

  it('single choice with eight options (a <pre> in the problem)', () => {
    const q = only(problemTitled(W1, 'Découper une chaîne'));
    expect(correctIndexes(q)).toEqual(['2']);
    expect(gradeQuestion(q, ['2'], exact).correct).toBe(true);
    expect(gradeQuestion(q, ['7'], exact).correct).toBe(false);
  });

  it('multiple choice: the exact set only, without partial credit', () => {
    const q = only(problemTitled(W1, 'Noms de variables'));
    expect(correctIndexes(q)).toEqual(['0', '2', '4']);
    expect(gradeQuestion(q, ['0', '2', '4'], exact)).toMatchObject({ score: 1, correct: true });
    expect(gradeQuestion(q, ['0', '2'], exact).score).toBe(0);
    expect(gradeQuestion(q, ['0', '1', '2', '4'], exact).score).toBe(0);
  });

  it('multiple choice with partial credit: a share per option rightly ticked or left', () => {
    const q = only(problemTitled(W1, 'Noms de variables'));
    expect(gradeQuestion(q, ['0', '2'], partial).score).toBeCloseTo(5 / 6);
    expect(gradeQuestion(q, ['0', '2'], partial).correct).toBe(false);
    expect(gradeQuestion(q, ['1', '3', '5'], partial).score).toBe(0);
    expect(gradeQuestion(q, ['0', '2', '4'], partial).score).toBe(1);
  });

  it('multiple choice with selected/unselected feedback (w2) grades like any other', () => {
    const q = only(problemTitled(W2, 'Les clés'));
    expect(correctIndexes(q)).toEqual(['0', '1', '2']);
    expect(gradeQuestion(q, ['0', '1', '2'], exact).correct).toBe(true);
    expect(gradeQuestion(q, ['0', '1', '2', '3'], exact).correct).toBe(false);
  });

  it('numeric, exact: 17 // 5 = 3', () => {
    const q = only(problemTitled(W1, 'Quotient et reste'));
    expect(q.kind).toBe('numeric');
    expect(gradeQuestion(q, ['3'], exact).correct).toBe(true);
    expect(gradeQuestion(q, [' 3.0 '], exact).correct).toBe(true);
    expect(gradeQuestion(q, ['3.4'], exact).correct).toBe(false);
    expect(gradeQuestion(q, ['trois'], exact)).toMatchObject({ score: 0, error: 'not-a-number' });
  });

  it('numeric with tolerance: 3.14 +- 0.01 accepts [3.13, 3.15], a decimal comma too', () => {
    const q = only(problemTitled(W1, 'Une valeur approchée'));
    for (const ok of ['3.14', '3.13', '3.15', '3.142857', '3,14'])
      expect(gradeQuestion(q, [ok], exact).correct).toBe(true);
    for (const no of ['3.12', '3.16', '22/7']) expect(gradeQuestion(q, [no], exact).correct).toBe(false);
  });

  it('a problem with a numeric, a dropdown and a text question (with or=) scores per question', () => {
    const problem = problemTitled(W1, 'Afficher ou renvoyer');
    const [numeric, dropdown, text] = problemQuestions(problem);
    expect([numeric!.kind, dropdown!.kind, text!.kind]).toEqual(['numeric', 'dropdown', 'text']);
    const all = gradeProblem(
      problem,
      { [numeric!.id]: ['42'], [dropdown!.id]: ['1'], [text!.id]: ['  RETURN '] },
      exact,
    );
    expect(all).toMatchObject({ score: 3, max: 3, correct: true, invalid: false, empty: false });
    const some = gradeProblem(problem, { [numeric!.id]: ['42'], [dropdown!.id]: ['0'] }, exact);
    expect(some).toMatchObject({ score: 1, max: 3, correct: false });
    expect(gradeQuestion(text!, ['return   x * 2'], exact).correct).toBe(true);
    expect(gradeQuestion(text!, ['print'], exact).correct).toBe(false);
    expect(gradeProblem(problem, {}, exact)).toMatchObject({ empty: true, score: 0 });
  });

  it('text with an alternative (w3): __init__.py or __init__', () => {
    const q = problemQuestions(W3.problems.find((p) => problemQuestions(p).some((q) => q.kind === 'text'))!).find(
      (q) => q.kind === 'text',
    )!;
    expect(gradeQuestion(q, ['__init__.py'], exact).correct).toBe(true);
    expect(gradeQuestion(q, ['__INIT__'], exact).correct).toBe(true);
    expect(gradeQuestion(q, ['init'], exact).correct).toBe(false);
  });

  it('every demo question is right with its own answers and wrong with none', () => {
    for (const quiz of ALL) {
      for (const problem of quiz.problems) {
        const answers = Object.fromEntries(
          problemQuestions(problem).map((q) => [
            q.id,
            q.kind === 'numeric'
              ? [String(q.answers[0]!.value)]
              : q.kind === 'text'
                ? [q.answers[0]!]
                : correctIndexes(q),
          ]),
        );
        expect(gradeProblem(problem, answers, exact).correct, `${quiz.path} ${problem.id}`).toBe(true);
        expect(gradeProblem(problem, {}, exact).score).toBe(0);
      }
    }
  });
});

describe('numbers and ranges', () => {
  it('reads learners’ numbers and refuses the rest', () => {
    expect(readNumber('-1.5e3')).toBe(-1500);
    expect(readNumber('.5')).toBe(0.5);
    expect(readNumber('1 000')).toBe(1000);
    expect(readNumber('3,14')).toBe(3.14);
    for (const bad of ['', 'abc', '1,2,3', '1.2.3', '0x10', 'Infinity', '1e999']) expect(readNumber(bad)).toBeNull();
  });

  it('ranges honour open and closed bounds', () => {
    const range = { value: 6, tolerance: 1, range: { min: 5, max: 7, minInclusive: true, maxInclusive: false } };
    expect(numericMatches(range, 5)).toBe(true);
    expect(numericMatches(range, 6.99)).toBe(true);
    expect(numericMatches(range, 7)).toBe(false);
    expect(numericMatches(range, 4.99)).toBe(false);
  });

  it('a relative tolerance (5%) as the parser gives it', () => {
    expect(numericMatches({ value: 100, tolerance: 5 }, 105)).toBe(true);
    expect(numericMatches({ value: 100, tolerance: 5 }, 105.1)).toBe(false);
  });
});

describe('answers from a form post', () => {
  const problem = problemTitled(W1, 'Noms de variables');
  const q = only(problem);
  it('keeps valid option indexes once, sorted; drops the rest and other questions', () => {
    expect(answersFromForm(problem, { [q.id]: ['4', '0', '0', '9', 'x', '-1'], other: 'x' })).toEqual({
      [q.id]: ['0', '4'],
    });
  });
  it('a radio keeps one value; a text field one non-blank value', () => {
    const single = problemTitled(W1, 'Le type d');
    expect(answersFromForm(single, { [only(single).id]: ['1', '2'] })).toEqual({ [only(single).id]: ['1'] });
    const numeric = problemTitled(W1, 'Quotient');
    expect(answersFromForm(numeric, { [only(numeric).id]: '  ' })).toEqual({ [only(numeric).id]: [] });
  });
});
