import type { ItemStatus } from '../lib/progress/status.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/**
 * A progress bar: a native <progress> (a progressbar to assistive technology, with its value)
 * named by `label`, and the count as text, so neither colour nor the bar alone carries it.
 */
export function progressBar(
  ctx: Pick<PageContext, 't'>,
  counts: { done: number; total: number; withVideos?: boolean },
  label: string,
): SafeHtml {
  const { done, total } = counts;
  const count = counts.withVideos ? 'progress.countWithVideos' : 'progress.count';
  return html`<div class="progress-bar">
    <progress max="${Math.max(total, 1)}" value="${done}" aria-label="${label}">${done} / ${total}</progress>
    <span class="progress-count">${ctx.t(count, { done, total })}</span>
  </div>`;
}

/** An item's status as words (with a symbol for sighted readers), next to its link. */
export function itemStatusMark(ctx: Pick<PageContext, 't'>, status: ItemStatus): SafeHtml {
  const symbol = status === 'done' ? '✓' : status === 'started' ? '◐' : '○';
  return html`<span class="item-status item-status-${status}"
    ><span aria-hidden="true">${symbol}</span> ${ctx.t(`progress.status.${status}`)}</span
  >`;
}
