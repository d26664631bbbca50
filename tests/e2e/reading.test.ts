import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { RESULTS, useCarnetInBrowser } from './harness.ts';

/** Reading the demo course in a real browser: what a newcomer sees after `npm start`. */
describe('reading the demo course in Chromium', () => {
  const running = useCarnetInBrowser();

  /** A page that fails the test on any console error or failed request (a CSP or COEP block shows up here). */
  async function openPage(
    options: { width?: number; dark?: boolean; lang?: string } = {},
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await running.browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      colorScheme: options.dark ? 'dark' : 'light',
      locale: options.lang ?? 'fr-FR',
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
    return { page, problems };
  }

  it('goes from the catalogue to a notebook, and renders math, admonitions and side-by-side cells', async () => {
    const { page, problems } = await openPage();
    await page.goto(running.carnet.url);
    expect(await page.locator('h1').textContent()).toBe('Catalogue des cours');
    await page.getByRole('link', { name: 'Python pas à pas' }).click();
    await page.getByRole('link', { name: 'Commencer le cours' }).click();
    // The course opens with its first sequence's video, then its first notebook.
    await page.waitForURL(/\/courses\/demo\/w1\/w1-s1-av$/);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    expect(problems).toEqual([]);
    await page
      .locator('.pager-top')
      .getByRole('link', { name: /Suivant/ })
      .click();
    await page.waitForURL(/\/courses\/demo\/w1\/w1-s1-c1-nombres$/);
    // Leaving the video page cancels what it was still loading (its slides' Python): not a problem.
    problems.splice(0, problems.length, ...problems.filter((p) => !p.endsWith('net::ERR_ABORTED')));
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

    // Math: KaTeX's HTML rendering, laid out by its stylesheet and fonts (a glyph box has a size).
    const math = page.locator('.katex-html').first();
    await math.waitFor();
    expect((await math.boundingBox())!.height).toBeGreaterThan(5);
    expect(await page.evaluate(() => document.fonts.check('16px KaTeX_Main'))).toBe(true);
    // An admonition, styled as a box with a coloured left border.
    const admonition = page.locator('.admonition').first();
    await admonition.waitFor();
    expect(await admonition.evaluate((el) => getComputedStyle(el).borderLeftWidth)).toBe('5px');
    // A side-by-side pair: two cells on one line on a wide screen.
    const [left, right] = await sideBySidePair(page);
    expect(Math.abs(left.y - right.y)).toBeLessThan(2);
    expect(right.x).toBeGreaterThan(left.x + left.width - 1);

    await page.screenshot({ path: join(RESULTS, 'notebook-desktop.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('stacks side-by-side cells on a phone, and keeps the page within the screen', async () => {
    const { page, problems } = await openPage({ width: 390 });
    await page.goto(`${running.carnet.url}/courses/demo/w1/w1-s1-c1-nombres`);
    const [top, bottom] = await sideBySidePair(page);
    expect(bottom.y).toBeGreaterThanOrEqual(top.y + top.height - 1);
    expect(Math.abs(bottom.x - top.x)).toBeLessThan(2);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(RESULTS, 'notebook-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('is usable with the keyboard: the skip link comes first and jumps to the content', async () => {
    const { page } = await openPage();
    await page.goto(`${running.carnet.url}/courses/demo`);
    await page.keyboard.press('Tab');
    const skip = page.locator('.skip-link');
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    const box = (await skip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('follows the reader’s dark mode and language', async () => {
    const { page, problems } = await openPage({ dark: true, lang: 'en-US' });
    await page.goto(`${running.carnet.url}/courses/demo/w2/w2-s1-c1-listes`);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r! + g! + b!).toBeLessThan(150);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('article').getAttribute('lang')).toBe('fr');
    expect(await page.getByRole('navigation', { name: 'Navigation between the pages of the course' }).count()).toBe(2);
    await page.screenshot({ path: join(RESULTS, 'notebook-dark.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('shows a quiz as a form whose options can be chosen by their label', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${running.carnet.url}/courses/demo/w1/w1-s3-q1-premiers-pas`);
    const question = page.locator('fieldset.quiz-single').first();
    const label = question.locator('label').nth(1);
    await label.click();
    expect(await question.locator('input').nth(1).isChecked()).toBe(true);
    await page.screenshot({ path: join(RESULTS, 'quiz.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});

type Box = { x: number; y: number; width: number; height: number };

/**
 * The first two cells of the first side-by-side row, measured together once the page is enhanced
 * (the runtime's toolbar, inserted above the notebook, moves everything down).
 */
async function sideBySidePair(page: Page): Promise<[Box, Box]> {
  await page.locator('.runtime-status').waitFor();
  const boxes = await page.evaluate(() =>
    [...document.querySelectorAll('.nb-row')[0]!.querySelectorAll(':scope > .nb-cell')].map((cell) => {
      const { x, y, width, height } = cell.getBoundingClientRect();
      return { x, y, width, height };
    }),
  );
  expect(boxes.length).toBeGreaterThanOrEqual(2);
  return [boxes[0]!, boxes[1]!];
}
