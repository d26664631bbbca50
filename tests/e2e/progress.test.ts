// A learner's progress page in Chromium: after answering a quiz, the grade and the chart show; no
// axe-core violation in either theme; on a 390 px phone nothing overflows sideways.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axeViolations, RESULTS, useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';

const QUIZ = '/courses/demo/w1/w1-s3-q1-premiers-pas';
const PROGRESS = '/courses/demo/progress';

describe('the progress page in Chromium', () => {
  const running = useCarnetInBrowser();

  it('shows the grade and the chart after a quiz answer, accessible in both themes and on a phone', async () => {
    // A scheduled session that started three days ago: week 1 is due in eleven days.
    const start = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    carnetCommand(running.carnet, ['run', 'create', 'demo', '--title', 'Session suivie', '--start', start]);
    // axe is injected as an inline script, which our CSP forbids: bypass it for this suite only.
    const context = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    try {
      await signUp(context, running.carnet, {
        name: 'Ada',
        email: 'ada@example.org',
        password: 'analytical engine 1843',
      });
      const page = await context.newPage();
      await page.goto(running.carnet.url);
      await page.getByRole('button', { name: "S'inscrire" }).first().click();
      await page.locator('.enrolled-badge').first().waitFor();

      await page.goto(`${running.carnet.url}${QUIZ}`);
      const p2 = page.locator('section#p2');
      await p2.getByLabel('float').check();
      await p2.getByRole('button', { name: 'Valider' }).click();
      await p2.getByRole('status').filter({ hasText: 'Score retenu : 1 / 1' }).waitFor();
      // The quiz page links to the progress page.
      await page.getByRole('link', { name: 'Ma progression et ma note' }).click();
      await page.waitForURL(`${running.carnet.url}${PROGRESS}`);

      await page.getByRole('heading', { level: 1, name: /Ma progression/ }).waitFor();
      const grade = page.locator('.grade-value');
      expect(await grade.isVisible()).toBe(true);
      expect(await grade.textContent()).toMatch(/Note actuelle : \d+(,\d)?\s?%, pour un seuil de réussite de 50\s?%/);
      expect(await page.getByRole('meter').count()).toBe(1);
      const chart = page.getByRole('img', { name: 'Score par semaine' });
      expect(await chart.isVisible()).toBe(true);
      expect(await page.locator('svg .chart-week').count()).toBe(3);
      // The threshold line (a horizontal line: no height, so measured by its width).
      expect((await page.locator('svg .chart-threshold').first().boundingBox())!.width).toBeGreaterThan(200);
      // The answered problem is done, with its score and its attempts.
      const row = page.locator('tr', { has: page.locator(`a[href="${QUIZ}#p2"]`) });
      expect(await row.textContent()).toMatch(/1 \/ 1[\s\S]*Fait[\s\S]*1 sur 2/);

      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        await page.reload();
        // The bars take the theme's colours (CSS custom properties), not a fixed one.
        const fill = await page
          .locator('svg .chart-bar')
          .first()
          .evaluate((e) => getComputedStyle(e).fill);
        expect(fill).toBe(theme === 'light' ? 'rgb(11, 87, 164)' : 'rgb(122, 183, 255)');
        expect(await axeViolations(page), theme).toEqual([]);
        await page.screenshot({ path: join(RESULTS, `progress-${theme}.png`) });
        await page.locator('.score-chart').screenshot({ path: join(RESULTS, `progress-chart-${theme}.png`) });
      }

      // A phone: the chart scales down, nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.reload();
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        chart: document.querySelector('.score-chart svg')!.getBoundingClientRect().width,
      }));
      expect(widths.page).toBeLessThanOrEqual(widths.viewport);
      expect(widths.chart).toBeGreaterThan(250);
      expect(widths.chart).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(RESULTS, 'progress-phone.png'), fullPage: true });
      await page.locator('.weeks-summary').screenshot({ path: join(RESULTS, 'progress-phone-chart.png') });
      await page
        .locator('.week-detail')
        .first()
        .screenshot({ path: join(RESULTS, 'progress-phone-week.png') });
    } finally {
      await context.close();
    }
  });
});
