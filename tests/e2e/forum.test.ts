// The course forum in Chromium (issue 13, first increment): a learner asks a question from a
// notebook page, with and without JavaScript; another answers and comments; the asker accepts the
// answer; the notebook's Discussions panel lists the thread; axe finds nothing on the forum's
// pages in either theme; a phone viewport does not overflow.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, useCarnetInBrowser } from './harness.ts';
import { signUp } from './learners.ts';

const NOTEBOOK = '/courses/demo/w1/w1-s1-c1-nombres';

async function noOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1);
}

describe('course forum in Chromium', () => {
  const running = useCarnetInBrowser();

  it('asks from a notebook page, answers, comments, accepts; the panel lists it; axe clean; fits a phone', async () => {
    const asker = await running.browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
    const helper = await running.browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
    try {
      await signUp(asker, running.carnet, {
        name: 'Alice',
        email: 'alice@example.org',
        password: 'correct horse battery',
      });
      await signUp(helper, running.carnet, {
        name: 'Bob',
        email: 'bob@example.org',
        password: 'correct horse battery',
      });
      const page = await asker.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(`${running.carnet.url}${NOTEBOOK}`);
      const panel = page.getByRole('region', { name: 'Discussions' });
      await panel.getByText('Aucune discussion sur cette page').waitFor();
      await panel.getByRole('link', { name: 'Poser une question sur cette page' }).click();
      await page.getByLabel('Titre').fill('Pourquoi 0.1 + 0.2 ne vaut pas 0.3 ?');
      await page.getByLabel('Message', { exact: true }).fill('Mon code :\n\n```python\nprint(0.1 + 0.2)\n```');
      expect(await noOverflow(page)).toBe(true);
      await page.getByRole('button', { name: 'Publier' }).click();
      await page.getByRole('heading', { level: 1, name: 'Pourquoi 0.1 + 0.2 ne vaut pas 0.3 ?' }).waitFor();
      const threadUrl = page.url();
      expect(await page.locator('.forum-post-opening pre.code .tok-variableName').first().textContent()).toBe('print');
      expect(await page.getByRole('link', { name: 'Nombres et variables' }).first().getAttribute('href')).toBe(
        NOTEBOOK,
      );

      // Without JavaScript: a reply and a comment, plain forms.
      const other = await helper.newPage();
      await other.goto(threadUrl);
      await other.getByLabel('Votre réponse').fill('Les flottants sont en base 2.');
      await other.getByRole('button', { name: 'Publier la réponse' }).click();
      await other.getByText('Les flottants sont en base 2.').waitFor();
      await other.locator('.forum-comment-form summary').first().click();
      await other.locator('.forum-comment-form textarea').first().fill('Voir aussi math.isclose.');
      await other.getByRole('button', { name: 'Publier le commentaire' }).click();
      await other.getByText('Voir aussi math.isclose.').waitFor();

      await page.reload();
      await page.getByRole('button', { name: 'Accepter cette réponse' }).click();
      await page.getByRole('heading', { name: 'Réponse acceptée' }).waitFor();
      expect(await noOverflow(page)).toBe(true);

      // The panel, filled by its module, lists the thread with its count.
      await page.goto(`${running.carnet.url}${NOTEBOOK}`);
      await panel.getByRole('link', { name: 'Pourquoi 0.1 + 0.2 ne vaut pas 0.3 ?' }).waitFor();
      expect(await panel.textContent()).toContain('2 réponse(s)');
      expect(await panel.textContent()).toContain('Résolu');

      for (const theme of ['light', 'dark'] as const) {
        const context = await running.browser.newContext({ bypassCSP: true, colorScheme: theme, locale: 'fr-FR' });
        try {
          const reader = await context.newPage();
          for (const path of [
            '/courses/demo/forum',
            `/courses/demo/forum?route=${encodeURIComponent(NOTEBOOK.replace('/courses/demo/', ''))}`,
            new URL(threadUrl).pathname,
          ]) {
            await reader.goto(`${running.carnet.url}${path}`);
            expect(await axeViolations(reader), `${path} (${theme})`).toEqual([]);
          }
        } finally {
          await context.close();
        }
      }
      // The forms of a logged-in reader too.
      await asker.close();
      const bypass = await running.browser.newContext({ bypassCSP: true, locale: 'fr-FR' });
      try {
        await signUp(bypass, running.carnet, {
          name: 'Chloé',
          email: 'chloe@example.org',
          password: 'correct horse battery',
        });
        const reader = await bypass.newPage();
        for (const path of ['/courses/demo/forum/new', new URL(threadUrl).pathname]) {
          await reader.goto(`${running.carnet.url}${path}`);
          expect(await axeViolations(reader), path).toEqual([]);
        }
      } finally {
        await bypass.close();
      }
    } finally {
      await asker.close().catch(() => {});
      await helper.close();
    }
  });
});
