// A learner's code is kept, in Chromium: sign up, enrol, edit, reload; reset and undo; two tabs
// in conflict; offline edits sent when the connection returns; progress.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';
import { cell, openNotebook, waitForState } from './notebook.ts';

const running = useCarnetInBrowser();
const NOTEBOOK = 'w1/w1-s1-c1-nombres';
let context: BrowserContext;

/** Opens the notebook and waits until Python is ready and saved work is loaded. */
async function open(route = NOTEBOOK, ctx = context): Promise<Page> {
  const page = await openNotebook(ctx, `${running.carnet.url}/courses/demo/${route}`);
  await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status'));
  return page;
}

/** Types into a cell's editor like a learner (select all, type). */
async function type(page: Page, index: number, text: string): Promise<void> {
  await cell(page, index).locator('.nb-input').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

const saveStatus = (page: Page) => page.locator('.save-status').getAttribute('data-status');
const waitSaved = (page: Page) =>
  page.waitForSelector('.save-status[data-status="saved"]', { timeout: 10_000 }).then(() => undefined);
const code = (page: Page, index: number) => page.evaluate((i) => window.carnetNotebook.cells[i]!.source, index);

beforeAll(async () => {
  carnetCommand(running.carnet, [
    'run',
    'create',
    'demo',
    '--title',
    'Session de test',
    '--start',
    '2026-01-05',
    '--self-paced',
  ]);
  context = await running.browser.newContext({ locale: 'fr-FR' });
  await signUp(context, running.carnet, {
    name: 'Grace Hopper',
    email: 'grace@example.org',
    password: 'cobol and compilers',
  });
  const page = await context.newPage();
  await page.goto(running.carnet.url);
  await page.getByRole('button', { name: "S'inscrire" }).first().click();
  await page.locator('.enrolled-badge').first().waitFor();
  await page.close();
});

describe('saved work', () => {
  it('asks an anonymous reader to log in to keep their code', async () => {
    const anonymous = await running.browser.newContext({ locale: 'fr-FR' });
    const page = await open(NOTEBOOK, anonymous);
    expect(await saveStatus(page)).toBe('anonymous');
    expect(await page.locator('.save-status a').getAttribute('href')).toBe(
      `/login?next=%2Fcourses%2Fdemo%2Fw1%2Fw1-s1-c1-nombres`,
    );
    await anonymous.close();
  });

  it('keeps what the learner typed: after a reload the code is back, and the download has it', async () => {
    const page = await open();
    await type(page, 0, 'mon_code = "gardé"');
    await waitSaved(page);
    await page.reload();
    await waitForState(page, 'ready', 60_000);
    await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status') === 'saved');
    expect(await code(page, 0)).toBe('mon_code = "gardé"');
    expect(await cell(page, 0).locator('.nb-reset').isVisible()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.work-download-ipynb').click()]);
    const path = await download.path();
    const notebook = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path, 'utf8'))) as {
      nbformat: number;
      nbformat_minor: number;
      cells: { cell_type: string; source: string | string[] }[];
    };
    expect([notebook.nbformat, notebook.nbformat_minor]).toEqual([4, 5]);
    const sources = notebook.cells.map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
    expect(sources).toContain('mon_code = "gardé"');
    await page.close();
  });

  it('resets the whole notebook to the course, and undoes the reset', async () => {
    const page = await open();
    await type(page, 1, 'deuxieme = 2');
    await waitSaved(page);
    const originals = await page.evaluate(() => window.carnetNotebook.cells.map((c) => c.original));
    await page.locator('.work-reset-all').click();
    await waitSaved(page);
    expect(await code(page, 0)).toBe(originals[0]);
    expect(await code(page, 1)).toBe(originals[1]);
    await page.reload();
    await waitForState(page, 'ready', 60_000);
    await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status') === 'saved');
    expect(await code(page, 1)).toBe(originals[1]);
    // Undo is offered in the page that reset; do it again and undo there.
    await type(page, 1, 'deuxieme = 2');
    await waitSaved(page);
    await page.locator('.work-reset-all').click();
    await page.locator('.work-undo-reset').click();
    await waitSaved(page);
    await page.reload();
    await waitForState(page, 'ready', 60_000);
    await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status') === 'saved');
    expect(await code(page, 1)).toBe('deuxieme = 2');
    await page.close();
  });

  it('never lets two tabs overwrite each other silently: the learner chooses', async () => {
    const first = await open();
    const second = await open();
    await type(first, 2, 'onglet = "premier"');
    await waitSaved(first);
    // The second tab still builds on the version before: its save is refused, and it says so.
    await type(second, 2, 'onglet = "second"');
    await second.waitForSelector('.save-status[data-status="conflict"]');
    const notice = cell(second, 2).locator('.nb-notice');
    expect(await notice.textContent()).toContain('onglet = "premier"');
    await notice.getByRole('button', { name: 'Garder ma version' }).click();
    await waitSaved(second);
    await first.reload();
    await waitForState(first, 'ready', 60_000);
    await first.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status') === 'saved');
    expect(await code(first, 2)).toBe('onglet = "second"');
    await first.close();
    await second.close();
  });

  it('keeps edits typed offline and sends them when the connection returns', async () => {
    const page = await open();
    await context.setOffline(true);
    try {
      await type(page, 3, 'hors_ligne = 1');
      await page.waitForSelector('.save-status[data-status="offline"]');
    } finally {
      await context.setOffline(false);
    }
    await waitSaved(page);
    await page.close();
    const again = await open();
    expect(await code(again, 3)).toBe('hors_ligne = 1');
    await again.close();
  });

  it('sends, on the next visit, edits left in the browser while offline', async () => {
    const page = await open();
    await context.setOffline(true);
    try {
      await type(page, 4, 'laisse_en_route = 1');
      await page.waitForSelector('.save-status[data-status="offline"]');
      // The edit reached IndexedDB (a few milliseconds after the keystroke)…
      await page.waitForFunction(
        () =>
          new Promise<boolean>((resolve) => {
            const open = indexedDB.open('carnet');
            open.onsuccess = () => {
              const all = open.result.transaction('pending').objectStore('pending').getAll();
              all.onsuccess = () =>
                resolve((all.result as { code: string }[]).some((p) => p.code === 'laisse_en_route = 1'));
            };
          }),
      );
      await page.close(); // …and the page is gone: the edit waits there
    } finally {
      await context.setOffline(false);
    }
    const again = await open();
    expect(await code(again, 4)).toBe('laisse_en_route = 1');
    await waitSaved(again);
    await again.close();
    const third = await open();
    expect(await code(third, 4)).toBe('laisse_en_route = 1');
    await third.close();
  });

  it('marks a notebook read at its end, and done or not with the button', async () => {
    const page = await open('w1/w1-s2-c1-chaines');
    await page.locator('.progress-box').scrollIntoViewIfNeeded();
    await page.waitForSelector('.progress-toggle[aria-pressed="true"]');
    await page.locator('.progress-toggle').click();
    await page.waitForSelector('.progress-toggle[aria-pressed="false"]');
    await page.locator('.progress-toggle').click();
    await page.waitForSelector('.progress-toggle[aria-pressed="true"]');
    await page.close();
  });

  it('keeps the learner code when the course changes the cell, and offers the new original', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'carnet-changing-'));
    mkdirSync(join(folder, 'w1'));
    const notebook = (second: string): string =>
      `---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n---\n\n# Évolutions\n\n` +
      `\`\`\`{code-cell} ipython3\nx = 1\n\`\`\`\n\n\`\`\`{code-cell} ipython3\n${second}\n\`\`\`\n`;
    writeFileSync(join(folder, 'w1', 'w1-s1-c1-evolutions.md'), notebook('y = 2'));
    carnetCommand(running.carnet, ['import', folder, '--slug', 'evolutions']);
    const route = 'w1/w1-s1-c1-evolutions';
    const url = `${running.carnet.url}/courses/evolutions/${route}`;
    const page = await context.newPage();
    await page.goto(url);
    await waitForState(page, 'ready', 60_000);
    await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status'));
    await type(page, 1, 'y = "à moi"');
    await waitSaved(page);

    // The author changes that cell; the new version goes live.
    writeFileSync(join(folder, 'w1', 'w1-s1-c1-evolutions.md'), notebook('y = 3  # corrigé'));
    carnetCommand(running.carnet, ['import', folder, '--slug', 'evolutions']);
    await page.waitForTimeout(2100); // the live version is cached for CARNET_LIVE_CACHE_MS
    await page.reload();
    await waitForState(page, 'ready', 60_000);
    await page.waitForFunction(() => document.querySelector('.save-status')?.getAttribute('data-status') === 'saved');
    expect(await code(page, 1)).toBe('y = "à moi"');
    const notice = cell(page, 1).locator('.nb-notice');
    expect(await notice.textContent()).toContain('Cette cellule a changé dans le cours');
    await notice.getByRole('button', { name: 'Voir le nouvel original' }).click();
    expect(await notice.locator('pre').textContent()).toBe('y = 3  # corrigé');
    await notice.getByRole('button', { name: 'Passer au nouvel original' }).click();
    expect(await code(page, 1)).toBe('y = 3  # corrigé');
    await waitSaved(page);
    expect(await cell(page, 1).locator('.nb-notice').count()).toBe(0);
    await page.close();
  });
});
