import type { Quiz, QuizQuestion } from '@carnet/course-format';
import { createEnv, escapeHtml, renderHtml, type UrlResolver } from '@carnet/render';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  selectAnswerCounts,
  selectProblemCounts,
  selectVersionsWithSameQuiz,
  type AttemptScope,
} from '../../models/quiz-attempts.ts';
import { csvLine, UTF8_BOM } from '../csv.ts';
import { gradeQuestion, normaliseText, problemQuestions, readNumber } from './grade.ts';

/**
 * Answer distributions of a quiz for its staff (ADR 028): how many attempts chose each option,
 * the most frequent free answers, and per problem who tried and how it went. The database counts
 * (one row per distinct answer, never one per attempt); this module only names and grades the
 * distinct answers against the full quiz. Staff may see answers: options are marked correct here.
 */

/** Free answers shown per question (the rest is summed up as a count of other answers). */
export const TOP_ANSWERS = 10;

export interface OptionStats {
  /** Sanitised HTML of the option (staff page). */
  html: string;
  /** The same as plain text (CSV). */
  text: string;
  correct: boolean;
  /** Attempts that chose it. */
  count: number;
  /** count ÷ attempts that answered the question, 0 to 1; null when none did. */
  share: number | null;
}

export interface FreeAnswerStats {
  /** As learners typed it, once normalised (numbers: the number; text: trimmed, lower case). */
  value: string;
  correct: boolean;
  count: number;
  share: number | null;
}

export interface QuestionStats {
  id: string;
  /** 1-based within its problem. */
  number: number;
  kind: QuizQuestion['kind'];
  /** Sanitised HTML of the `>>label<<`, if any. */
  label: string | null;
  /** Counted attempts that answered it (something ticked or typed). */
  answered: number;
  /** Counted attempts of its problem that left it blank. */
  blank: number;
  /** Counted attempts whose answer to it was right (a checkbox set: exactly right). */
  correct: number;
  /** Choice questions: every option, in the quiz's order. */
  options: OptionStats[] | null;
  /** Numeric and text questions: the most frequent answers. */
  top: FreeAnswerStats[] | null;
  /** Numeric and text questions: distinct answers beyond `top`, and the attempts that gave them. */
  others: { distinct: number; count: number } | null;
}

export interface ProblemStats {
  id: string;
  /** 1-based. */
  number: number;
  /** Sanitised HTML of the title, if any. */
  title: string | null;
  /** Learners with at least one attempt (in the session filter; first-only does not change it). */
  learners: number;
  attempts: number;
  /** Learners whose first attempt is counted, and of those, how many had it fully right. */
  firstAttempts: number;
  firstCorrect: number;
  /** firstCorrect ÷ firstAttempts, null without any. */
  firstSuccess: number | null;
  /** attempts ÷ learners, null without any. */
  meanAttempts: number | null;
  /** Attempts the question figures count: first attempts only, or all. */
  counted: number;
  questions: QuestionStats[];
}

export interface QuizStats {
  /** The versions whose attempts are counted (their quiz at this route is identical). */
  versionIds: number[];
  problems: ProblemStats[];
}

const noLinks: UrlResolver = (url) => (/^https?:/i.test(url) ? { url, external: true } : null);

/** The figures of one quiz, as a version defines it. */
export async function quizStats(
  db: Kysely<Database>,
  input: {
    courseId: number;
    versionId: number;
    route: string;
    quiz: Quiz;
    language: string;
    runId?: number | undefined;
    firstOnly: boolean;
  },
): Promise<QuizStats> {
  const versionIds = await selectVersionsWithSameQuiz(db, input.courseId, input.versionId, input.route);
  const scope: AttemptScope = {
    courseId: input.courseId,
    route: input.route,
    versionIds,
    runId: input.runId,
    firstOnly: input.firstOnly,
  };
  const [problemRows, answerRows] = await Promise.all([selectProblemCounts(db, scope), selectAnswerCounts(db, scope)]);
  const byProblem = new Map(problemRows.map((r) => [r.problem_id, r]));
  const byQuestion = new Map<string, { values: string[]; n: number }[]>();
  for (const row of answerRows) {
    const values = parseValues(row.answer);
    if (values.length === 0) continue;
    let list = byQuestion.get(row.question);
    if (!list) byQuestion.set(row.question, (list = []));
    list.push({ values, n: row.n });
  }

  const env = createEnv(input.language, () => {});
  const render = (text: string): string => renderHtml(text, env, noLinks, 'quiz statistics');
  const problems = input.quiz.problems.map((problem, p): ProblemStats => {
    const counts = byProblem.get(problem.id);
    const attempts = counts?.attempts ?? 0;
    const learners = counts?.learners ?? 0;
    const firstAttempts = counts?.first ?? 0;
    const firstCorrect = counts?.first_correct ?? 0;
    const counted = input.firstOnly ? firstAttempts : attempts;
    return {
      id: problem.id,
      number: p + 1,
      title: problem.title ? render(problem.title) : null,
      learners,
      attempts,
      firstAttempts,
      firstCorrect,
      firstSuccess: firstAttempts > 0 ? firstCorrect / firstAttempts : null,
      meanAttempts: learners > 0 ? attempts / learners : null,
      counted,
      questions: problemQuestions(problem).map((q, i) =>
        questionStats(q, i + 1, byQuestion.get(q.id) ?? [], counted, render),
      ),
    };
  });
  return { versionIds, problems };
}

function parseValues(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function questionStats(
  q: QuizQuestion,
  number: number,
  answers: { values: string[]; n: number }[],
  counted: number,
  render: (html: string) => string,
): QuestionStats {
  const answered = answers.reduce((sum, a) => sum + a.n, 0);
  const share = (n: number): number | null => (answered > 0 ? n / answered : null);
  const correct = answers
    .filter((a) => gradeQuestion(q, a.values, { partialCredit: false }).correct)
    .reduce((sum, a) => sum + a.n, 0);
  const base = {
    id: q.id,
    number,
    kind: q.kind,
    label: q.label ? render(q.label) : null,
    answered,
    blank: Math.max(0, counted - answered),
    correct,
  };
  if (q.kind === 'numeric' || q.kind === 'text') {
    // Answers that grade the same are one answer: `3,14` and `3.14`, `Return` and ` return`.
    const merged = new Map<string, { count: number; raw: string }>();
    for (const a of answers) {
      const raw = a.values[0]!;
      const key = q.kind === 'numeric' ? String(readNumber(raw) ?? raw.trim()) : normaliseText(raw);
      const entry = merged.get(key);
      if (entry) entry.count += a.n;
      else merged.set(key, { count: a.n, raw });
    }
    const sorted = [...merged].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
    const top = sorted.slice(0, TOP_ANSWERS).map(([value, { count, raw }]) => ({
      value,
      correct: gradeQuestion(q, [raw], { partialCredit: false }).correct,
      count,
      share: share(count),
    }));
    const rest = sorted.slice(TOP_ANSWERS);
    return {
      ...base,
      options: null,
      top,
      others: { distinct: rest.length, count: rest.reduce((sum, [, e]) => sum + e.count, 0) },
    };
  }
  const chosen = new Array<number>(q.options.length).fill(0);
  for (const a of answers) {
    for (const v of a.values) {
      const i = Number(v);
      if (Number.isInteger(i) && i >= 0 && i < chosen.length) chosen[i]! += a.n;
    }
  }
  const options = q.options.map((o, i): OptionStats => {
    const html = 'html' in o ? render(o.html) : escapeHtml(o.text);
    return { html, text: htmlToText(html), correct: o.correct, count: chosen[i]!, share: share(chosen[i]!) };
  });
  return { ...base, options, top: null, others: null };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Plain text of a sanitised fragment (for CSV): tags dropped, entities decoded, spaces collapsed. */
export function htmlToText(fragment: string): string {
  return fragment
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[name.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

const CSV_COLUMNS = [
  'problem',
  'problem_title',
  'learners',
  'attempts',
  'first_attempt_success',
  'mean_attempts',
  'question',
  'question_kind',
  'answered',
  'blank',
  'correct_answers',
  'answer',
  'answer_is_correct',
  'count',
  'share',
] as const;

const ratio = (value: number | null, digits: number): string | null => (value === null ? null : value.toFixed(digits));

/**
 * The same figures as one CSV table (RFC 4180, header row, identifiers as column names, a byte
 * order mark for Excel, as the grade report): one row per option or frequent answer, with its
 * problem's and question's figures repeated.
 */
export function statsCsv(stats: QuizStats): string {
  let csv = UTF8_BOM + csvLine(CSV_COLUMNS);
  for (const p of stats.problems) {
    const problem = [
      p.id,
      p.title === null ? null : htmlToText(p.title),
      p.learners,
      p.attempts,
      ratio(p.firstSuccess, 4),
      ratio(p.meanAttempts, 2),
    ];
    for (const q of p.questions) {
      const question = [q.id, q.kind, q.answered, q.blank, q.correct];
      const answers: [string, boolean, number, number | null][] = q.options
        ? q.options.map((o) => [o.text, o.correct, o.count, o.share])
        : (q.top ?? []).map((a) => [a.value, a.correct, a.count, a.share]);
      if (answers.length === 0) csv += csvLine([...problem, ...question, null, null, null, null]);
      for (const [answer, correct, count, share] of answers) {
        csv += csvLine([...problem, ...question, answer, correct ? 'yes' : 'no', count, ratio(share, 4)]);
      }
    }
  }
  return csv;
}
