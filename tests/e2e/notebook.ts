// Helpers for the runtime suites: open a notebook page, find, edit and run its cells.
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** The page's controller, as notebook.client.ts exposes it on `window.carnetNotebook`. */
interface PageCell {
  original: string;
  source: string;
  tags: Set<string>;
  element: HTMLElement;
  upgrade(): { state: { doc: { length: number } }; dispatch(tr: unknown): void; focus(): void } | null;
}
declare global {
  interface Window {
    carnetNotebook: {
      cells: PageCell[];
      runCells(cells: PageCell[], options?: { skipTagged?: boolean }): Promise<string[]>;
      runAll(): Promise<string[]>;
      runtime: { state: string; restart(): void; interrupt(): void };
    };
  }
}

/**
 * Opens a notebook page and waits until Python is ready; in a new French context, or in the given
 * one (a logged-in learner's).
 */
export async function openNotebook(
  browser: Browser | BrowserContext,
  url: string,
  options: { ready?: boolean } = {},
): Promise<Page> {
  const context = 'newContext' in browser ? await browser.newContext({ locale: 'fr-FR' }) : browser;
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(url);
  if (options.ready !== false) await waitForState(page, 'ready', 60_000);
  return page;
}

export async function waitForState(page: Page, state: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`.runtime-status[data-state="${state}"]`, { timeout });
}

/** Index of the first code cell whose original source contains `text`. */
export async function cellIndex(page: Page, text: string): Promise<number> {
  const index = await page.evaluate((t) => window.carnetNotebook.cells.findIndex((c) => c.original.includes(t)), text);
  if (index < 0) throw new Error(`no code cell contains ${JSON.stringify(text)}`);
  return index;
}

/** The code cell element at `index` (a locator). */
export function cell(page: Page, index: number) {
  return page.locator(`.nb-code[data-cell-number="${index + 1}"]`);
}

/** Replaces a cell's code, as if the learner had typed it (through the editor). */
export async function setCode(page: Page, index: number, code: string): Promise<void> {
  await page.evaluate(
    ({ i, code }) => {
      const editor = window.carnetNotebook.cells[i]!.upgrade()!;
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: code } });
    },
    { i: index, code },
  );
}

/** Runs one cell through the page (as its Run button does) and returns how it ended. */
export async function runCell(page: Page, index: number): Promise<string> {
  const [status] = await page.evaluate((i) => {
    const nb = window.carnetNotebook;
    return nb.runCells([nb.cells[i]!]);
  }, index);
  return status!;
}

/** The text of a cell's outputs. */
export async function outputText(page: Page, index: number): Promise<string> {
  return (await cell(page, index).locator('.nb-outputs').textContent()) ?? '';
}
