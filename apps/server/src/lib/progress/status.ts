import type { ProgressRow } from '../../models/item-progress.ts';

/** An item's status as a learner sees it. */
export type ItemStatus = 'not-started' | 'started' | 'done';

const RANK: Record<ItemStatus, number> = { 'not-started': 0, started: 1, done: 2 };

/**
 * An item's status from the rows of every source that feeds it: the furthest one wins. Reading
 * is the only source today; an exercise passed or a quiz answered will add theirs (ADR 019).
 */
export function itemStatus(rows: readonly Pick<ProgressRow, 'state'>[]): ItemStatus {
  let status: ItemStatus = 'not-started';
  for (const row of rows) if (RANK[row.state] > RANK[status]) status = row.state;
  return status;
}

/** The status of every item of a course that has any progress, by route. */
export function statusesByRoute(rows: readonly ProgressRow[]): Map<string, ItemStatus> {
  const byRoute = new Map<string, ProgressRow[]>();
  for (const row of rows) {
    const list = byRoute.get(row.route);
    if (list) list.push(row);
    else byRoute.set(row.route, [row]);
  }
  return new Map([...byRoute].map(([route, list]) => [route, itemStatus(list)]));
}

/** How many of `routes` are done (and started), for a progress bar. */
export function countDone(
  routes: readonly string[],
  statuses: ReadonlyMap<string, ItemStatus>,
): { done: number; started: number; total: number } {
  let done = 0;
  let started = 0;
  for (const route of routes) {
    const status = statuses.get(route);
    if (status === 'done') done++;
    else if (status === 'started') started++;
  }
  return { done, started, total: routes.length };
}
