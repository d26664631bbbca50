import { csvLine, UTF8_BOM } from '../csv.ts';
import type { RunAnalytics } from './figures.ts';

/** The tables of the analytics page that download as CSV, by file name. */
export const ANALYTICS_TABLES = [
  'days',
  'weeks',
  'funnel-weeks',
  'funnel-items',
  'exercises',
  'failing-rows',
  'quizzes',
] as const;
export type AnalyticsTable = (typeof ANALYTICS_TABLES)[number];

export const isAnalyticsTable = (name: string): name is AnalyticsTable =>
  (ANALYTICS_TABLES as readonly string[]).includes(name);

/** Shares and means as decimals with 4 places (a spreadsheet formats them); null stays empty. */
const ratio = (value: number | null): number | null => (value === null ? null : Number(value.toFixed(4)));

/**
 * One table of the page as CSV (lib/csv.ts: formulas defused, CRLF), with a byte order mark.
 * Column names are English identifiers, the same in every language, for scripts that read them.
 */
export function analyticsCsv(data: RunAnalytics, table: AnalyticsTable): string {
  const lines: (string | number | null)[][] = [];
  switch (table) {
    case 'days':
      lines.push(['day', 'active_learners'], ...data.days.map((d) => [d.day, d.learners]));
      break;
    case 'weeks':
      lines.push(['week_of', 'active_learners'], ...data.weeks.map((w) => [w.week, w.learners]));
      break;
    case 'funnel-weeks':
      lines.push(
        ['week', 'items', 'learners_reached', 'learners_completed', 'learners_enrolled'],
        ...data.funnelWeeks.map((w) => [w.week, w.items, w.reached, w.completed, data.learners]),
      );
      break;
    case 'funnel-items':
      lines.push(
        ['week', 'route', 'type', 'title', 'learners_opened', 'learners_done'],
        ...data.funnelItems.map((i) => [i.week, i.route, i.type, i.title, i.opened, i.done]),
      );
      break;
    case 'exercises':
      lines.push(
        [
          'week',
          'exercise',
          'notebook',
          'learners_tried',
          'learners_passed',
          'success_rate',
          'submissions',
          'passing_submissions',
          'mean_attempts_to_pass',
          'median_attempts_to_pass',
        ],
        ...data.exercises.map((e) => [
          e.week,
          e.ref,
          e.route,
          e.tried,
          e.passed,
          ratio(e.tried > 0 ? e.passed / e.tried : null),
          e.submissions,
          e.passes,
          ratio(e.meanAttempts),
          e.medianAttempts,
        ]),
      );
      break;
    case 'failing-rows':
      lines.push(['exercise', 'check', 'hidden', 'call', 'failing_submissions']);
      for (const e of data.exercises)
        for (const r of e.failingRows) lines.push([e.ref, r.index, r.hidden ? 1 : 0, r.call, r.failures]);
      break;
    case 'quizzes':
      lines.push(
        [
          'week',
          'quiz',
          'problem',
          'title',
          'learners',
          'right_first_attempt',
          'mean_first_score',
          'right_any_attempt',
          'attempts',
        ],
        ...data.quizzes.map((q) => [
          q.week,
          q.route,
          q.problem,
          q.title,
          q.learners,
          ratio(q.rightFirst),
          ratio(q.meanFirstScore),
          ratio(q.rightEver),
          q.attempts,
        ]),
      );
      break;
  }
  return UTF8_BOM + lines.map(csvLine).join('');
}
