// The session analytics page (issue 14) in Chromium: after a learner's first steps (a notebook
// opened, a quiz answered), its staff see the charts and their tables; axe finds nothing in either
// theme, and the page fits a phone.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { axeViolations, useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';

const QUIZ = '/courses/demo/w1/w1-s3-q1-premiers-pas';

describe('session analytics in Chromium', () => {
  const running = useCarnetInBrowser();

  it('shows a session’s figures to its staff: charts with tables, accessible in both themes and on a phone', async () => {
    const start = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    carnetCommand(running.carnet, [
      'run',
      'create',
      'demo',
      '--title',
      'Session suivie',
      '--slug',
      'suivie',
      '--start',
      start,
    ]);
    const passwordFile = join(running.carnet.dataDir, 'staff-password');
    writeFileSync(passwordFile, 'tutor of the course 42\n');
    carnetCommand(running.carnet, [
      'user',
      'create',
      '--email',
      'equipe@example.org',
      '--name',
      'Équipe',
      '--admin',
      '--password-file',
      passwordFile,
    ]);
    const learner = await running.browser.newContext({ locale: 'fr-FR' });
    try {
      await signUp(learner, running.carnet, {
        name: 'Ada',
        email: 'ada@example.org',
        password: 'analytical engine 1843',
      });
      const page = await learner.newPage();
      await page.goto(running.carnet.url);
      await page.getByRole('button', { name: "S'inscrire" }).first().click();
      await page.locator('.enrolled-badge').first().waitFor();
      await page.goto(`${running.carnet.url}${QUIZ}`);
      const p2 = page.locator('section#p2');
      await p2.getByLabel('float').check();
      await p2.getByRole('button', { name: 'Valider' }).click();
      await p2.getByRole('status').filter({ hasText: 'Score retenu' }).waitFor();
    } finally {
      await learner.close();
    }

    for (const [theme, viewport] of [
      ['light', { width: 1280, height: 900 }],
      ['dark', { width: 390, height: 844 }],
    ] as const) {
      const staff = await running.browser.newContext({
        locale: 'fr-FR',
        bypassCSP: true,
        colorScheme: theme,
        viewport,
      });
      try {
        const page = await staff.newPage();
        await page.goto(`${running.carnet.url}/login`);
        await page.getByLabel('Adresse e-mail').fill('equipe@example.org');
        await page.getByLabel('Mot de passe').fill('tutor of the course 42');
        await page.getByRole('button', { name: 'Se connecter' }).click();
        await page.waitForURL(/\/me$/);
        const response = await page.goto(`${running.carnet.url}/manage/courses/demo/runs/suivie/analytics`);
        expect(response?.status()).toBe(200);
        await page.getByRole('heading', { level: 1 }).waitFor();
        expect(await page.locator('svg').count()).toBeGreaterThan(0);
        expect(await page.locator('table').count()).toBeGreaterThan(0);
        expect(await axeViolations(page), theme).toEqual([]);
        const fits = await page.evaluate(
          () => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1,
        );
        expect(fits, `${theme} ${viewport.width}px`).toBe(true);
      } finally {
        await staff.close();
      }
    }
  }, 180_000);
});
