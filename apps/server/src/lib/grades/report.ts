/**
 * A session's grade report as CSV (ADR 032): one row per active learner, one column per graded
 * item, the score of each type, the grade and whether it passes. Produced page by page from
 * `runGrades`, so a session of 100,000 learners never sits in memory: the route streams the chunks
 * as the client reads them.
 */
import type { Kysely } from 'kysely';
import type { Database, Run } from '../../db/schema.ts';
import { csvLine, UTF8_BOM } from '../csv.ts';
import { gradedItems, runGrades } from './gradebook.ts';
import { GRADED_KINDS, isCounted, parseGradingPolicy, type GradedItem, type LearnerGrade } from './policy.ts';

/** A score as a number with at most 4 decimals: 0.5, 1, 0.3333; null stays empty. */
export function scoreText(score: number | null): string | null {
  return score === null ? null : String(Number(score.toFixed(4)));
}

/** An item's column title: its week and kind first (`W2 quiz: Listes`), marked when it does not count. */
export function itemColumn(item: GradedItem, counted: boolean): string {
  const where = item.week === null ? '' : `W${item.week} `;
  return `${where}${item.kind}: ${item.title}${counted ? '' : ' (not counted)'}`;
}

/** The header line. Column titles are in English whatever the reader's language: scripts read them. */
export function reportHeader(items: readonly GradedItem[], counted: (item: GradedItem) => boolean): string {
  return csvLine([
    'email',
    'name',
    ...items.map((i) => itemColumn(i, counted(i))),
    ...GRADED_KINDS.map((kind) => `${kind} score`),
    'grade',
    'passed',
  ]);
}

/** Each item's column by key, once per list of items (a report writes 100,000 lines with the same). */
const columnsOf = new WeakMap<readonly GradedItem[], Map<string, number>>();

/** One learner's line; `items` in the header's order. */
export function reportLine(
  learner: { email: string; name: string },
  items: readonly GradedItem[],
  grade: LearnerGrade,
): string {
  let columns = columnsOf.get(items);
  if (!columns) columnsOf.set(items, (columns = new Map(items.map((item, i) => [item.key, i]))));
  const scores: (string | null)[] = new Array<string | null>(items.length).fill(null);
  for (const week of grade.weeks)
    for (const g of week.items) {
      const column = columns.get(g.item.key);
      if (column !== undefined) scores[column] = scoreText(g.score);
    }
  return csvLine([
    learner.email,
    learner.name,
    ...scores,
    ...GRADED_KINDS.map((kind) => (grade.types[kind].items === 0 ? null : scoreText(grade.types[kind].score))),
    scoreText(grade.grade),
    grade.passed ? 'yes' : 'no',
  ]);
}

/**
 * The report, chunk by chunk: the byte order mark and the header, then one chunk per page of
 * `pageSize` learners (user id order). Nothing is read before the consumer asks for the next chunk.
 */
export async function* gradeReport(db: Kysely<Database>, run: Run, pageSize = 1000): AsyncGenerator<Buffer> {
  const items = await gradedItems(db, run.version_id);
  const policy = parseGradingPolicy(run.grading);
  const counted = (item: GradedItem) => isCounted(policy, item);
  yield Buffer.from(UTF8_BOM + reportHeader(items, counted), 'utf8');
  for await (const page of runGrades(db, run, pageSize)) {
    let text = '';
    for (const learner of page) text += reportLine(learner, items, learner.grade);
    yield Buffer.from(text, 'utf8');
  }
}

/** `grades-<course>-<run>-<date>.csv`, with only characters every file system and header accept. */
export function reportFileName(courseSlug: string, runSlug: string, now: Date): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');
  return `grades-${safe(courseSlug)}-${safe(runSlug)}-${now.toISOString().slice(0, 10)}.csv`;
}
