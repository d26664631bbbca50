// "Share my notebook" in Chromium (issue 13): a learner runs and edits a notebook, shares a
// snapshot with its outputs in a new question; another learner, who has their own work on the
// same notebook, opens the snapshot as a runnable copy, runs it, and finds their own work intact.
import { describe, expect, it } from 'vitest';
import { useCarnetInBrowser } from './harness.ts';
import { signUp } from './learners.ts';
import { outputText, runCell, setCode, waitForState } from './notebook.ts';

const NOTEBOOK = '/courses/demo/w2/w2-s2-c1-dictionnaires';

describe('notebook snapshots in Chromium', () => {
  const running = useCarnetInBrowser();

  it('shares a snapshot in a question; another learner runs it as a copy, their own work untouched', async () => {
    const ada = await running.browser.newContext({ locale: 'fr-FR' });
    const bob = await running.browser.newContext({ locale: 'fr-FR' });
    try {
      await signUp(ada, running.carnet, { name: 'Ada', email: 'ada@example.org', password: 'analytical engine 1843' });
      await signUp(bob, running.carnet, { name: 'Bob', email: 'bob@example.org', password: 'difference engine 1822' });

      // Bob has his own work on the notebook.
      const mine = await bob.newPage();
      await mine.goto(`${running.carnet.url}${NOTEBOOK}`);
      await waitForState(mine, 'ready', 60_000);
      const first = 0;
      await setCode(mine, first, 'travail_de_bob = 1');
      await mine.waitForSelector('.save-status[data-status="saved"]');

      // Ada runs her version and shares it, outputs included.
      const page = await ada.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(`${running.carnet.url}${NOTEBOOK}`);
      await waitForState(page, 'ready', 60_000);
      await setCode(page, first, 'stock = {"kiwis": 7}\nprint(stock["kiwis"] * 6)');
      expect(await runCell(page, first)).toBe('ok');
      expect(await outputText(page, first)).toContain('42');
      await page.locator('.snapshot-share summary').click();
      await page.getByLabel('avec les sorties affichées').check();
      await page.getByRole('button', { name: 'Partager dans le forum' }).click();
      await page.waitForURL(/\/forum\/new\?route=.*&snapshot=/);
      await page.getByLabel('Titre').fill('Mon dictionnaire de stock');
      await page.getByLabel('Message', { exact: true }).fill('Est-ce la bonne façon ?');
      await page.getByRole('button', { name: 'Publier' }).click();
      await page.getByRole('heading', { level: 1, name: 'Mon dictionnaire de stock' }).waitFor();
      const thread = page.url();

      // Bob opens it: the read-only snapshot shows the code and the output, then the runnable copy.
      const other = await bob.newPage();
      await other.goto(thread);
      await other.getByRole('link', { name: /Instantané joint/ }).click();
      await other.getByRole('heading', { level: 1, name: 'Instantané de notebook' }).waitFor();
      expect(await other.locator('.snapshot-cell pre.code').first().textContent()).toContain('"kiwis": 7');
      expect(await other.locator('.snapshot-outputs').first().textContent()).toContain('42');
      await other.getByRole('link', { name: 'Ouvrir une copie exécutable' }).click();
      await waitForState(other, 'ready', 60_000);
      await other.locator('.snapshot-scratch').waitFor();
      expect(await other.evaluate(() => window.carnetNotebook.cells[0]!.source)).toContain('"kiwis": 7');
      expect(await runCell(other, first)).toBe('ok');
      expect(await outputText(other, first)).toContain('42');
      // Nothing of the copy was saved: Bob's own work is back on the plain page.
      await other.getByRole('link', { name: 'Revenir à mon travail' }).click();
      await waitForState(other, 'ready', 60_000);
      await other.waitForSelector('.save-status[data-status="saved"]');
      const code = await other.evaluate(() => window.carnetNotebook.cells[0]!.source);
      expect(code).toBe('travail_de_bob = 1');
    } finally {
      await ada.close();
      await bob.close();
    }
  });
});
