/**
 * The grading and quiz policies of a session as staff type them (the grading page, `carnet run
 * grading`): text values in, a checked `GradingPolicy` and quiz columns out, or the error of each
 * field. Pure, like `checkRunInput`.
 */
import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { RunChanges } from '../../models/runs.ts';
import { DEFAULT_QUIZ_POLICY, SHOW_ANSWER_VALUES, type ShowAnswer } from '../quizzes/policy.ts';
import { parseDateInput, toLocalInput } from '../runs/dates.ts';
import { FORGEABLE_POLICIES, parseGradingPolicy, type CertificateIssue, type GradingPolicy } from './policy.ts';

/** The fields of the form, as text (checkboxes: '1' when ticked; `weeks`: the ticked week numbers). */
export interface GradingInput {
  quizWeight: string;
  exerciseWeight: string;
  weeks: string[];
  /** Week number → due date text; empty means "computed". */
  due: Record<number, string>;
  dueDays: string;
  graceMinutes: string;
  /** Percent, 0 to 100. */
  threshold: string;
  certIssue: string;
  certDate: string;
  certShowGrade: string;
  /** `count` or `exclude`: what exercises with no hidden check do in the grade. */
  forgeable: string;
  quizAttempts: string;
  quizCounts: string;
  quizPartialCredit: string;
  quizShowAnswer: string;
}

/** The quiz policy's columns of `runs` (ADR 026). */
export type QuizColumns = Required<
  Pick<RunChanges, 'quiz_attempts' | 'quiz_counts' | 'quiz_partial_credit' | 'quiz_show_answer'>
>;

/** A field's name in the form → its error; `due` errors are keyed `due_<week>`. */
export type GradingFieldErrors = Record<string, MessageKey>;

export type CheckedGrading =
  { ok: true; policy: GradingPolicy; quiz: QuizColumns } | { ok: false; errors: GradingFieldErrors };

/** A decimal number typed by a person: `1`, `2.5`, `2,5`; null otherwise. */
function parseNumber(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

function parseWhole(text: string): number | null {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

const MAX_WEIGHT = 1000;
const MAX_DUE_DAYS = 3650;
const MAX_GRACE_MINUTES = 60 * 24 * 365;
const MAX_ATTEMPTS = 100;

/**
 * Checks the typed policies against the version's weeks. All weeks ticked is stored as "every
 * week" (null), so weeks added by a later version of the course count too.
 */
export function checkGradingInput(input: GradingInput, zone: string, versionWeeks: readonly number[]): CheckedGrading {
  const errors: GradingFieldErrors = {};
  const weight = (name: 'quizWeight' | 'exerciseWeight'): number => {
    const value = parseNumber(input[name]);
    if (value === null || value > MAX_WEIGHT) {
      errors[name] = 'form.grading.weight.invalid';
      return 0;
    }
    return value;
  };
  const quiz = weight('quizWeight');
  const exercise = weight('exerciseWeight');
  if (!errors['quizWeight'] && !errors['exerciseWeight'] && quiz === 0 && exercise === 0)
    errors['quizWeight'] = 'form.grading.weight.none';

  const ticked = new Set<number>();
  for (const text of input.weeks) {
    const week = parseWhole(text);
    if (week === null || !versionWeeks.includes(week)) errors['weeks'] = 'form.grading.weeks.invalid';
    else ticked.add(week);
  }
  if (!errors['weeks'] && versionWeeks.length > 0 && ticked.size === 0) errors['weeks'] = 'form.grading.weeks.none';
  const weeks = versionWeeks.every((w) => ticked.has(w)) ? null : [...ticked].sort((a, b) => a - b);

  const due: Record<number, string> = {};
  for (const [key, text] of Object.entries(input.due)) {
    const week = Number(key);
    if (text.trim() === '' || !versionWeeks.includes(week)) continue;
    const parsed = parseDateInput(text, zone);
    if (!parsed) errors[`due_${week}`] = 'form.run.date.invalid';
    else due[week] = parsed.toISOString();
  }

  const dueDays = parseWhole(input.dueDays);
  if (dueDays === null || dueDays > MAX_DUE_DAYS) errors['dueDays'] = 'form.grading.dueDays.invalid';
  const grace = parseWhole(input.graceMinutes);
  if (grace === null || grace > MAX_GRACE_MINUTES) errors['graceMinutes'] = 'form.grading.grace.invalid';
  const percent = parseNumber(input.threshold);
  if (percent === null || percent > 100) errors['threshold'] = 'form.grading.threshold.invalid';

  const issue = (['pass', 'date', 'never'] as const).find((v) => v === input.certIssue);
  if (!issue) errors['certIssue'] = 'form.grading.certIssue.invalid';
  let certDate: string | null = null;
  if (input.certDate.trim() !== '') {
    const parsed = parseDateInput(input.certDate, zone);
    if (!parsed) errors['certDate'] = 'form.run.date.invalid';
    else certDate = parsed.toISOString();
  } else if (issue === 'date') errors['certDate'] = 'form.grading.certDate.required';
  const forgeable = FORGEABLE_POLICIES.find((v) => v === input.forgeable);
  if (!forgeable) errors['forgeable'] = 'form.grading.forgeable.invalid';

  const attempts = parseWhole(input.quizAttempts);
  if (attempts === null || attempts > MAX_ATTEMPTS) errors['quizAttempts'] = 'form.grading.attempts.invalid';
  const counts = input.quizCounts === 'best' || input.quizCounts === 'last' ? input.quizCounts : null;
  if (!counts) errors['quizCounts'] = 'form.grading.counts.invalid';
  const show = SHOW_ANSWER_VALUES.find((v) => v === input.quizShowAnswer);
  if (!show) errors['quizShowAnswer'] = 'form.grading.showAnswer.invalid';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    policy: {
      weights: { quiz, exercise },
      weeks,
      dueDays: dueDays!,
      due,
      graceMinutes: grace!,
      // Percent typed, fraction stored: 60 → 0.6 (rounded so that 33.33 stays 0.3333).
      threshold: Math.round(percent! * 100) / 10_000,
      certificates: { issue: issue!, date: certDate, showGrade: input.certShowGrade === '1' },
      forgeable: forgeable!,
    },
    quiz: {
      quiz_attempts: attempts!,
      quiz_counts: counts!,
      quiz_partial_credit: input.quizPartialCredit === '1' ? 1 : 0,
      quiz_show_answer: show!,
    },
  };
}

/** A number for a text field: `0.6` → `0.6`, never `0.6000000000000001`. */
function numberText(n: number): string {
  return String(Number(n.toFixed(4)));
}

/** The stored policies of a session as form text (the form's first display, the command line). */
export function gradingInputOf(run: Run, zone: string, versionWeeks: readonly number[]): GradingInput {
  const policy = parseGradingPolicy(run.grading);
  const due: Record<number, string> = {};
  for (const week of versionWeeks) due[week] = toLocalInput(policy.due[week] ?? null, zone);
  return {
    quizWeight: numberText(policy.weights.quiz),
    exerciseWeight: numberText(policy.weights.exercise),
    weeks: versionWeeks.filter((w) => policy.weeks === null || policy.weeks.includes(w)).map(String),
    due,
    dueDays: String(policy.dueDays),
    graceMinutes: String(policy.graceMinutes),
    threshold: numberText(policy.threshold * 100),
    certIssue: policy.certificates.issue,
    certDate: toLocalInput(policy.certificates.date, zone),
    certShowGrade: policy.certificates.showGrade ? '1' : '',
    forgeable: policy.forgeable,
    quizAttempts: String(run.quiz_attempts),
    quizCounts: run.quiz_counts === 'last' ? 'last' : 'best',
    quizPartialCredit: run.quiz_partial_credit === 1 ? '1' : '',
    quizShowAnswer: SHOW_ANSWER_VALUES.includes(run.quiz_show_answer as ShowAnswer)
      ? run.quiz_show_answer
      : DEFAULT_QUIZ_POLICY.showAnswer,
  };
}

/** The week numbers of a version's structure, in order (every week, graded items or not). */
export async function versionWeeks(db: Kysely<Database>, versionId: number): Promise<number[]> {
  const row = await db.selectFrom('course_versions').select('structure').where('id', '=', versionId).executeTakeFirst();
  if (!row) return [];
  const structure = JSON.parse(row.structure) as { weeks?: { week: number }[] };
  return (structure.weeks ?? []).map((w) => w.week);
}

export const CERTIFICATE_ISSUES: readonly CertificateIssue[] = ['pass', 'date', 'never'];
