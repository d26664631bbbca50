import type { Kysely } from 'kysely';
import type { CourseItemRow, Database, NewCourseItem } from '../db/schema.ts';

/** An item without its page body: what lists and navigation need. */
export type CourseItemSummary = Omit<CourseItemRow, 'html' | 'headings' | 'meta'>;

const SUMMARY_COLUMNS = [
  'version_id',
  'route',
  'path',
  'type',
  'kind',
  'position',
  'week',
  'sequence',
  'title',
  'menu_title',
] as const;

/** The item at `route` in a version, page body included, or null. */
export async function selectOptionalItemByRoute(
  db: Kysely<Database>,
  versionId: number,
  route: string,
): Promise<CourseItemRow | null> {
  return (
    (await db
      .selectFrom('course_items')
      .selectAll()
      .where('version_id', '=', versionId)
      .where('route', '=', route)
      .executeTakeFirst()) ?? null
  );
}

/** Every item of a version in course order, without page bodies. */
export async function selectItemSummaries(db: Kysely<Database>, versionId: number): Promise<CourseItemSummary[]> {
  return db
    .selectFrom('course_items')
    .select(SUMMARY_COLUMNS)
    .where('version_id', '=', versionId)
    .orderBy('position')
    .execute();
}

/** The items just before and after `position` in course order. */
export async function selectNeighbours(
  db: Kysely<Database>,
  versionId: number,
  position: number,
): Promise<{ previous: CourseItemSummary | null; next: CourseItemSummary | null }> {
  const rows = await db
    .selectFrom('course_items')
    .select(SUMMARY_COLUMNS)
    .where('version_id', '=', versionId)
    .where('position', 'in', [position - 1, position + 1])
    .execute();
  return {
    previous: rows.find((r) => r.position === position - 1) ?? null,
    next: rows.find((r) => r.position === position + 1) ?? null,
  };
}

/** Inserts items in batches (parameter limits differ between databases). */
export async function insertItems(db: Kysely<Database>, items: NewCourseItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 50) {
    await db
      .insertInto('course_items')
      .values(items.slice(i, i + 50))
      .execute();
  }
}

/** Stores the full quiz models (answers included) of a version, for grading only. */
export async function insertQuizKeys(
  db: Kysely<Database>,
  keys: { version_id: number; route: string; quiz: string }[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    await db
      .insertInto('quiz_keys')
      .values(keys.slice(i, i + 100))
      .execute();
  }
}

/** Route of the first item of a version in course order, or null for an empty version. */
export async function selectOptionalFirstRoute(db: Kysely<Database>, versionId: number): Promise<string | null> {
  const row = await db
    .selectFrom('course_items')
    .select('route')
    .where('version_id', '=', versionId)
    .orderBy('position')
    .limit(1)
    .executeTakeFirst();
  return row?.route ?? null;
}

/** The titles and weeks of these routes in a version (routes it lacks are left out). */
export async function selectItemTitles(
  db: Kysely<Database>,
  versionId: number,
  routes: string[],
): Promise<Map<string, { title: string; week: number | null }>> {
  if (routes.length === 0) return new Map();
  const rows = await db
    .selectFrom('course_items')
    .select(['route', 'title', 'week'])
    .where('version_id', '=', versionId)
    .where('route', 'in', [...new Set(routes)])
    .execute();
  return new Map(rows.map((r) => [r.route, { title: r.title, week: r.week }]));
}
