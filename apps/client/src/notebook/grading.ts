import type { ExerciseMessage } from '@carnet/runtime';
import { format, type UiStrings } from './strings.ts';

/** Where the page's learner is: what a submission needs besides the cells. */
export interface GradingContext {
  slug: string;
  route: string;
  /** In activity mode (ADR 051), the pupil's activity: its pinned version grades the cells. */
  activity?: number | undefined;
  /** The session's CSRF token; null for anonymous readers (nothing is submitted). */
  csrf: string | null;
}

/** A verdict as the server shows it to its learner: hidden checks only by number (ADR 034). */
interface LearnerVerdict {
  ok: boolean;
  passed: number;
  total: number;
  rows?: { call: string | null; hidden: number | null; ok: boolean; error: string | null }[];
  hidden?: { total: number; passed: number };
}

interface SubmissionState {
  status: 'queued' | 'running' | 'done' | 'failed';
  verdict?: LearnerVerdict;
  reason?: string;
}

const POLL_MS = 400;
const GIVE_UP_MS = 60_000;

/**
 * Submits a `correction()` the browser ran (the cells run since the last restart, in order) and
 * shows the server's verification in `status`: "verifying…", then verified, the server's verdict
 * when it differs, or why it could not be verified (README, "Verified grades").
 */
export async function submitExercise(
  context: GradingContext,
  message: ExerciseMessage,
  cells: readonly string[],
  status: HTMLElement,
  strings: UiStrings,
): Promise<void> {
  const show = (text: string, state: string): void => {
    status.textContent = text;
    status.dataset['state'] = state;
    if (state !== 'checking' && state !== 'anonymous') offerHistory(context, message, status, strings);
  };
  if (!context.csrf) return show(strings.gradeLogin, 'anonymous');
  if (!message.module || !message.attribute) return show(unverified(strings, 'not-sealed'), 'unverified');
  show(strings.gradeChecking, 'checking');
  try {
    // A server-checked exercise was graded when the table was made: its submission is known.
    let id = message.result.submission ?? null;
    if (id === null) {
      const response = await fetch('/api/submissions', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': context.csrf },
        body: JSON.stringify({
          slug: context.slug,
          route: context.route,
          ...(context.activity ? { activity: context.activity } : {}),
          module: message.module,
          exercise: message.attribute,
          cells,
          browser: { ok: message.result.ok, passed: message.result.passed, total: message.result.total },
        }),
      });
      if (response.status === 429) return show(unverified(strings, 'too-many'), 'unverified');
      if (response.status === 503) return show(unverified(strings, 'busy'), 'unverified');
      if (!response.ok) return show(unverified(strings, 'not-sealed'), 'unverified');
      ({ id } = (await response.json()) as { id: number });
    }
    const started = Date.now();
    for (;;) {
      const state = (await (
        await fetch(`/api/submissions/${id}`, { credentials: 'same-origin' })
      ).json()) as SubmissionState;
      if (state.status === 'failed') return show(unverified(strings, state.reason ?? 'crashed'), 'unverified');
      if (state.status === 'done' && state.verdict) {
        showVerdict(state.verdict, message, status, strings, show);
        // The server's verdict decides: a pass opens the solution, otherwise it may be open anyway.
        offerSolution(context, message, status, strings, state.verdict.ok);
        return;
      }
      if (Date.now() - started > GIVE_UP_MS) return show(unverified(strings, 'timeout'), 'unverified');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch {
    show(unverified(strings, 'network'), 'unverified');
  }
}

/**
 * The server's verdict under the table: verified (with its hidden checks), or what it found
 * wrong — the rows the learner saw by their call, the hidden checks by their number.
 */
function showVerdict(
  verdict: LearnerVerdict,
  message: ExerciseMessage,
  status: HTMLElement,
  strings: UiStrings,
  show: (text: string, state: string) => void,
): void {
  const { ok, passed, total } = verdict;
  const hidden = verdict.hidden ?? { total: 0, passed: 0 };
  const browser = message.result;
  // The browser checked the rows it has; the server those and its hidden ones.
  const serverChecked = (browser.submission ?? null) !== null;
  const seen = (verdict.rows ?? []).filter((row) => row.hidden === null);
  const same =
    serverChecked || (seen.filter((row) => row.ok).length === browser.passed && seen.length === browser.total);
  if (ok) {
    show(
      hidden.total > 0 ? format(strings.gradeVerifiedHidden, { hidden: hidden.total }) : strings.gradeVerified,
      'verified',
    );
  } else if (!same) {
    show(format(strings.gradeDiffers, { passed, total }), 'differs');
  } else if (hidden.total > 0) {
    const values = { passed, total, hiddenPassed: hidden.passed, hiddenTotal: hidden.total };
    show(format(strings.gradeVerifiedKoHidden, values), 'verified');
  } else {
    show(format(strings.gradeVerifiedKo, { passed, total }), 'verified');
  }
  const wrong = (verdict.rows ?? []).filter((row) => !row.ok);
  status.parentElement?.querySelector('.nb-grade-rows')?.remove();
  if (ok || wrong.length === 0 || serverChecked) return;
  const list = document.createElement('ul');
  list.className = 'nb-grade-rows';
  list.setAttribute('aria-label', strings.gradeServerRows);
  for (const row of wrong) {
    const item = document.createElement('li');
    item.textContent =
      row.hidden !== null
        ? row.error
          ? format(strings.gradeHiddenError, { number: row.hidden, error: row.error })
          : format(strings.gradeHiddenWrong, { number: row.hidden })
        : format(strings.gradeRowWrong, { call: row.call ?? '' });
    list.append(item);
  }
  status.after(list);
}

/**
 * The official solution (and its variants), shown under the table on request: once passed, or
 * once the server says it is available anyway (the week's due date is past; staff). Without
 * `passed`, the server is asked first and nothing shows when it refuses.
 */
function offerSolution(
  context: GradingContext,
  message: ExerciseMessage,
  status: HTMLElement,
  strings: UiStrings,
  passed = true,
): void {
  if (status.nextElementSibling?.classList.contains('nb-solution')) return;
  const query = new URLSearchParams({
    slug: context.slug,
    route: context.route,
    module: message.module ?? '',
    exercise: message.attribute ?? '',
    ...(context.activity ? { activity: String(context.activity) } : {}),
  });
  const load = (): Promise<{ solutions: { variant: string | null; code: string }[] } | null> =>
    fetch(`/api/solutions?${query}`, { credentials: 'same-origin' })
      .then(async (response) =>
        response.ok ? ((await response.json()) as { solutions: { variant: string | null; code: string }[] }) : null,
      )
      .catch(() => null);
  const box = document.createElement('div');
  box.className = 'nb-solution';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = strings.showSolution;
  const show = (body: Awaited<ReturnType<typeof load>>): void => {
    if (!body) return;
    const parts: HTMLElement[] = [];
    for (const solution of body.solutions) {
      if (solution.variant) {
        const label = document.createElement('p');
        label.textContent = format(strings.solutionVariant, { variant: solution.variant });
        parts.push(label);
      }
      const pre = document.createElement('pre');
      pre.className = 'code';
      pre.tabIndex = 0;
      pre.textContent = solution.code;
      parts.push(pre);
    }
    box.replaceChildren(...parts);
  };
  box.append(button);
  if (passed) {
    button.addEventListener('click', () => void load().then(show));
    status.after(box);
    return;
  }
  void load().then((body) => {
    if (!body || status.nextElementSibling?.classList.contains('nb-solution')) return;
    button.addEventListener('click', () => show(body));
    status.after(box);
  });
}

/** The learner's earlier submissions of this exercise (date, verdict, code), loaded when opened. */
function offerHistory(
  context: GradingContext,
  message: ExerciseMessage,
  status: HTMLElement,
  strings: UiStrings,
): void {
  const area = status.parentElement;
  if (!area || area.querySelector('.nb-history') || !message.attribute) return;
  const details = document.createElement('details');
  details.className = 'nb-history';
  const summary = document.createElement('summary');
  summary.textContent = strings.history;
  const list = document.createElement('ol');
  details.append(summary, list);
  details.addEventListener('toggle', () => {
    if (!details.open) return;
    const query = new URLSearchParams({
      slug: context.slug,
      route: context.route,
      exercise: message.attribute ?? '',
      ...(context.activity ? { activity: String(context.activity) } : {}),
    });
    void fetch(`/api/submissions?${query}`, { credentials: 'same-origin' })
      .then(async (response) =>
        response.ok
          ? ((await response.json()) as {
              submissions: {
                createdAt: string;
                status: string;
                verdict?: { ok: boolean; passed: number; total: number };
                cells?: string[];
              }[];
            })
          : { submissions: [] },
      )
      .then(({ submissions }) => {
        list.replaceChildren(
          ...submissions.map((submission) => {
            const item = document.createElement('li');
            const verdict = submission.verdict
              ? submission.verdict.ok
                ? strings.gradeVerified
                : format(strings.gradeVerifiedKo, {
                    passed: submission.verdict.passed,
                    total: submission.verdict.total,
                  })
              : submission.status;
            const line = document.createElement('p');
            line.textContent = `${new Date(submission.createdAt).toLocaleString()} — ${verdict}`;
            const code = document.createElement('pre');
            code.className = 'code';
            code.tabIndex = 0;
            code.textContent = (submission.cells ?? []).join('\n\n');
            item.append(line, code);
            return item;
          }),
        );
      });
  });
  area.append(details);
}

function unverified(strings: UiStrings, code: string): string {
  const reasons = strings as unknown as Record<string, string | undefined>;
  return format(strings.gradeUnverified, { reason: reasons[`gradeReason.${code}`] ?? code });
}
