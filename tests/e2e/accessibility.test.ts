import { describe, expect, it } from 'vitest';
import { axeViolations, useCarnetInBrowser } from './harness.ts';
import './notebook.ts';

const PAGES = [
  ['catalogue', '/', false],
  ['course', '/courses/demo', false],
  ['notebook', '/courses/demo/w1/w1-s1-c1-nombres', false],
  // Outputs, tracebacks, prompts and editors, once every cell has run.
  ['notebook after running all its cells', '/courses/demo/w1/w1-s1-c1-nombres', true],
  ['ipynb notebook', '/courses/demo/w2/w2-s2-c1-dictionnaires', false],
  ['exercise notebook', '/courses/demo/w3/w3-s2-x1-date-tirelire', false],
  ['quiz', '/courses/demo/w2/w2-s2-q1-conteneurs', false],
  ['error page', '/courses/demo/nowhere', false],
  ['login', '/login', false],
  ['sign-up', '/signup', false],
  ['forgotten password', '/password/forgot', false],
] as const;

/** axe-core's WCAG 2.1 A and AA rules on every kind of page, in both themes. */
describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  const running = useCarnetInBrowser();

  for (const theme of ['light', 'dark'] as const) {
    it.each(PAGES)(`%s has no violation in the ${theme} theme`, async (_name, path, runAll) => {
      // axe is injected as an inline script, which our CSP forbids: bypass it for this check only.
      const context = await running.browser.newContext({ bypassCSP: true, colorScheme: theme, locale: 'fr-FR' });
      try {
        const page = await context.newPage();
        await page.goto(`${running.carnet.url}${path}`);
        if (runAll) {
          await page.waitForSelector('.runtime-status[data-state="ready"]', { timeout: 60_000 });
          await page.evaluate(() => window.carnetNotebook.runAll());
        }
        const violations = await axeViolations(page);
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
