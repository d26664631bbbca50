// The in-browser runtime on the demo course's notebooks, in Chromium: running, globals, errors,
// streaming, input(), interrupt, restart, rich display (and its sanitising), files, modules,
// run-all rules, keyboard.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULTS, useCarnetInBrowser } from './harness.ts';
import { cell, cellIndex, openNotebook, outputText, runCell, setCode, waitForState } from './notebook.ts';

const running = useCarnetInBrowser();
const url = (route: string): string => `${running.carnet.url}/courses/demo/${route}`;

describe('a notebook page', () => {
  let page: Page;
  beforeAll(async () => {
    page = await openNotebook(running.browser, url('w1/w1-s1-c1-nombres'));
  });
  afterAll(async () => {
    await page.context().close();
  });

  it('runs a cell when its Run button is clicked, with an execution number', async () => {
    const first = cell(page, 0);
    await first.locator('.nb-run').click();
    await first.locator('.nb-count', { hasText: '[1]' }).waitFor();
    expect(await outputText(page, 0)).toBe('(14, 20)');
    await page.screenshot({ path: join(RESULTS, 'runtime-first-cell.png') });
  });

  it('shares globals between cells', async () => {
    await setCode(page, 1, 'partage = 6 * 7');
    await setCode(page, 2, 'partage + 0.5');
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    expect(await outputText(page, 2)).toBe('42.5');
  });

  it('shows a traceback with the learner line numbers and no runtime frames', async () => {
    await setCode(page, 3, 'def inverse(x):\n    return 1 / x\n\n\ninverse(0)');
    expect(await runCell(page, 3)).toBe('error');
    const text = await outputText(page, 3);
    expect(text).toMatch(/Cellule \[\d+\], ligne 5/);
    expect(text).toMatch(/Cellule \[\d+\], ligne 2, in inverse\n\s+return 1 \/ x/);
    expect(text).toContain('ZeroDivisionError: division by zero');
    expect(text).not.toMatch(/pyodide|_carnet_kernel|eval_code/);
  });

  it('streams output as it comes', async () => {
    await setCode(page, 4, 'import time\nfor i in range(3):\n    print("tour", i)\n    time.sleep(0.4)\nprint("fin")');
    const done = runCell(page, 4);
    await cell(page, 4).locator('.nb-outputs', { hasText: 'tour 0' }).waitFor({ timeout: 5000 });
    // The first line is there while the cell still runs.
    expect(await page.locator('.runtime-status').getAttribute('data-state')).toBe('busy');
    expect(await outputText(page, 4)).not.toContain('fin');
    expect(await done).toBe('ok');
    expect(await outputText(page, 4)).toBe('tour 0\ntour 1\ntour 2\nfin\n');
  });

  it('interrupts an infinite loop within 100 ms, then runs again', async () => {
    await setCode(page, 5, 'n = 0\nwhile True:\n    n += 1');
    const done = runCell(page, 5);
    await waitForState(page, 'busy');
    await page.waitForTimeout(300);
    const elapsed = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const outputs = document.querySelector('.nb-code[data-cell-number="6"] .nb-outputs')!;
          const started = performance.now();
          new MutationObserver(() => {
            if (outputs.textContent?.includes('KeyboardInterrupt')) resolve(performance.now() - started);
          }).observe(outputs, { childList: true, subtree: true, characterData: true });
          document.querySelector<HTMLButtonElement>('.runtime-interrupt')!.click();
        }),
    );
    expect(await done).toBe('interrupted');
    console.log(`interrupt: KeyboardInterrupt shown ${elapsed.toFixed(1)} ms after the click`);
    expect(elapsed).toBeLessThan(100);
    await setCode(page, 5, 'n > 0');
    expect(await runCell(page, 5)).toBe('ok');
    expect(await outputText(page, 5)).toBe('True');
  });

  it('restarts with a fresh interpreter', async () => {
    await setCode(page, 6, 'avant_redemarrage = 1');
    expect(await runCell(page, 6)).toBe('ok');
    await page.locator('.runtime-restart').click();
    await waitForState(page, 'ready');
    await setCode(page, 6, 'avant_redemarrage');
    expect(await runCell(page, 6)).toBe('error');
    expect(await outputText(page, 6)).toContain("NameError: name 'avant_redemarrage' is not defined");
    expect(await cell(page, 6).locator('.nb-count').textContent()).toBe('[1]');
  });

  it('displays rich HTML, and no script from an output runs in the page', async () => {
    await setCode(
      page,
      7,
      [
        'from IPython.display import HTML, display',
        'display(HTML(\'<b class="gras">gras</b><img src="x" onerror="window.pwned = 1"><script>window.pwned = 2</script>\'))',
        'class Carte:',
        '    def _repr_html_(self):',
        '        return \'<table><tr><td>as</td></tr></table><a href="javascript:window.pwned=3">lien</a>\'',
        'Carte()',
      ].join('\n'),
    );
    expect(await runCell(page, 7)).toBe('ok');
    const outputs = cell(page, 7).locator('.nb-outputs');
    expect(await outputs.locator('b.gras').textContent()).toBe('gras');
    expect(await outputs.locator('td').textContent()).toBe('as');
    expect(await outputs.locator('script').count()).toBe(0);
    expect(await outputs.locator('img').getAttribute('onerror')).toBeNull();
    expect(await outputs.locator('a').getAttribute('href')).toBeNull();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('runs all cells: tagged errors are expected, the run goes to the end', async () => {
    await page.locator('.runtime-restart').click();
    await waitForState(page, 'ready');
    await page.reload();
    await waitForState(page, 'ready');
    const statuses = await page.evaluate(() => window.carnetNotebook.runAll());
    const tagged = await page.evaluate(() => window.carnetNotebook.cells.map((c) => c.tags.has('raises-exception')));
    expect(statuses).toHaveLength(tagged.length);
    statuses.forEach((status, i) => expect(status).toBe(tagged[i] ? 'error' : 'ok'));
    const counts = await page.locator('.nb-count').allTextContents();
    expect(counts.at(-1)).toBe(`[${statuses.length}]`);
  });

  it('stops run-all at an unexpected error, like Jupyter', async () => {
    await page.reload();
    await waitForState(page, 'ready');
    await setCode(page, 1, 'raise ValueError("imprévu")');
    const statuses = await page.evaluate(() => window.carnetNotebook.runAll());
    expect(statuses.slice(0, 2)).toEqual(['ok', 'error']);
    expect(statuses.slice(2).every((s) => s === 'cancelled')).toBe(true);
    expect(await cell(page, 2).locator('.nb-count').textContent()).toBe('[ ]');
  });

  it('runs with the keyboard: Shift-Enter runs and moves on, Escape leaves the editor', async () => {
    await page.reload();
    await waitForState(page, 'ready');
    await cell(page, 0).locator('.nb-input').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('21 * 2');
    await page.keyboard.press('Shift+Enter');
    await cell(page, 0).locator('.nb-outputs', { hasText: '42' }).waitFor();
    // Focus is now in the next cell's editor.
    const focused = await page.evaluate(() =>
      document.activeElement?.closest('.nb-code')?.getAttribute('data-cell-number'),
    );
    expect(focused).toBe('2');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-cell-number'))).toBe('2');
    await page.keyboard.press('Control+Enter'); // not in an editor: nothing runs
    await page.keyboard.press('Enter'); // back into the editor
    await page.keyboard.press('Control+Enter');
    await cell(page, 1)
      .locator('.nb-count', { hasText: /\[\d+\]/ })
      .waitFor();
    expect(await page.locator('.cm-content').first().getAttribute('aria-label')).toBe('Code de la cellule 1');
  });

  it('resets a cell to the course original, and undo brings the edit back', async () => {
    await setCode(page, 2, 'modifié = True');
    const reset = cell(page, 2).locator('.nb-reset');
    expect(await reset.isVisible()).toBe(true);
    await reset.click();
    const original = await page.evaluate(() => window.carnetNotebook.cells[2]!.original);
    expect(await page.evaluate(() => window.carnetNotebook.cells[2]!.source)).toBe(original);
    expect(await reset.isVisible()).toBe(false);
    await page.keyboard.press('Control+z');
    expect(await page.evaluate(() => window.carnetNotebook.cells[2]!.source)).toBe('modifié = True');
  });
});

describe('the demo course in the browser', () => {
  it('queues a run clicked before Python is ready, and runs it once ready', async () => {
    const page = await openNotebook(running.browser, url('w1/w1-s1-c1-nombres'), { ready: false });
    const first = cell(page, 0);
    await first.locator('.nb-run').click();
    expect(await page.locator('.runtime-status').getAttribute('data-state')).toBe('loading');
    expect(await first.locator('.nb-count').textContent()).toBe('[*]');
    await first.locator('.nb-count', { hasText: '[1]' }).waitFor({ timeout: 60_000 });
    expect(await outputText(page, 0)).toBe('(14, 20)');
    await page.context().close();
  });

  it('cuts a long output, and shows the rest on demand', async () => {
    const page = await openNotebook(running.browser, url('w1/w1-s1-c1-nombres'));
    await setCode(page, 0, 'for i in range(2000):\n    print("ligne", i)');
    expect(await runCell(page, 0)).toBe('ok');
    const more = cell(page, 0).locator('.nb-more');
    expect(await more.textContent()).toBe('Afficher la suite (1500 lignes)');
    expect(await outputText(page, 0)).not.toContain('ligne 1999');
    await more.click();
    expect(await outputText(page, 0)).toContain('ligne 1999\n');
    expect(await cell(page, 0).locator('.nb-more').count()).toBe(0);
    await page.context().close();
  });

  it('answers input() in an inline field, prompt first', async () => {
    const page = await openNotebook(running.browser, url('w1/w1-s2-c1-chaines'));
    const index = await cellIndex(page, 'input(');
    const done = runCell(page, index);
    const field = cell(page, index).locator('.nb-input-request input');
    await field.waitFor();
    expect(await cell(page, index).locator('.nb-input-request label').textContent()).toBe(
      'Comment vous appelez-vous ? ',
    );
    await field.fill('Ada');
    await field.press('Enter');
    expect(await done).toBe('ok');
    expect(await outputText(page, index)).toMatch(/^Comment vous appelez-vous \? Ada\n.*Ada/s);
    await page.context().close();
  });

  it('interrupts a learner waiting at input()', async () => {
    const page = await openNotebook(running.browser, url('w1/w1-s2-c1-chaines'));
    await setCode(page, 0, 'input("Rien ? ")');
    const done = runCell(page, 0);
    await cell(page, 0).locator('.nb-input-request input').waitFor();
    await page.locator('.runtime-interrupt').click();
    expect(await done).toBe('interrupted');
    expect(await outputText(page, 0)).toContain('KeyboardInterrupt');
    expect(await cell(page, 0).locator('.nb-input-request').count()).toBe(0);
    await page.context().close();
  });

  it('reads the course data files and lists them from the notebook folder', async () => {
    const page = await openNotebook(running.browser, url('w2/w2-s4-c1-fichiers'));
    const ls = await cellIndex(page, '!ls data');
    expect(await runCell(page, ls)).toBe('ok');
    expect((await outputText(page, ls)).split('\n')).toEqual(
      expect.arrayContaining(['agenda.txt', 'marche.json', 'poeme.txt', 'temperatures.csv']),
    );
    const cat = await cellIndex(page, '!cat data/poeme.txt');
    expect(await runCell(page, cat)).toBe('ok');
    const opened = await cellIndex(page, 'open("data/marche.json"');
    expect(await runCell(page, opened)).toBe('ok');
    await page.context().close();
  });

  it('imports the course modules, packages included', async () => {
    const page = await openNotebook(running.browser, url('w3/w3-s3-c1-modules'));
    await setCode(
      page,
      0,
      'import outils, geometrie\nfrom geometrie import Cercle\ngeometrie.__name__, type(Cercle(1)).__name__',
    );
    expect(await runCell(page, 0)).toBe('ok');
    expect(await outputText(page, 0)).toBe("('geometrie', 'Cercle')");
    // Exercise modules arrive sealed: the stand-in has no solution.
    await setCode(page, 0, 'from corrections.exo_duree import exo_duree\nexo_duree.solution');
    expect(await runCell(page, 0)).toBe('error');
    expect(await outputText(page, 0)).toContain('SolutionUnavailable');
    await setCode(page, 0, 'import numpy');
    expect(await runCell(page, 0)).toBe('error');
    expect(await outputText(page, 0)).toContain('CARNET_PYODIDE_PACKAGES_URL');
    await page.context().close();
  });

  it('runs an exercise: the example, then the table of a wrong and of a right answer', async () => {
    const page = await openNotebook(running.browser, url('w1/w1-s3-x1-duree'));
    expect(await runCell(page, 0)).toBe('ok');
    const example = cell(page, 0).locator('.nbae.nbae-example');
    expect(await example.locator('.nbae-row').count()).toBeGreaterThanOrEqual(2);
    expect(await example.textContent()).toContain("duree(3725)'01:02:05'");
    await setCode(
      page,
      1,
      'def duree(secondes):\n    return f"{secondes // 3600}:{secondes // 60 % 60}:{secondes % 60}"',
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    const table = cell(page, 2).locator('.nbae.nbae-correction');
    expect(await table.locator('.nbae-row-ko').count()).toBeGreaterThan(0);
    // The browser has 6 of the 8 datasets: the server keeps 2 to itself (ADR 034).
    expect(await table.locator('.nbae-summary').textContent()).toMatch(
      /^\d\/6 correct \+ 2 vérification\(s\) faite\(s\) par le serveur$/,
    );
    await setCode(
      page,
      1,
      'def duree(secondes):\n    h, reste = divmod(secondes, 3600)\n    return f"{h:02}:{reste // 60:02}:{reste % 60:02}"',
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    expect(await table.locator('.nbae-summary').textContent()).toBe(
      '6/6 correct + 2 vérification(s) faite(s) par le serveur',
    );
    expect(await table.locator('.nbae-row-ko').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS, 'runtime-exercise.png') });
    await page.context().close();
  });

  it('runs every standard-library cell of every notebook', async () => {
    const page = await openNotebook(running.browser, `${running.carnet.url}/courses/demo`, { ready: false });
    const routes = await page.$$eval('a[href^="/courses/demo/"]', (links) =>
      [...new Set(links.map((a) => a.getAttribute('href')!))].filter((h) => !h.endsWith('-q1-premiers-pas')),
    );
    await page.context().close();
    let ran = 0;
    const failures: string[] = [];
    for (const route of routes) {
      const notebook = await openNotebook(running.browser, `${running.carnet.url}${route}`, { ready: false });
      if ((await notebook.locator('#carnet-notebook').count()) === 0) {
        await notebook.context().close();
        continue; // a quiz
      }
      await waitForState(notebook, 'ready', 60_000);
      const results = await notebook.evaluate(async () => {
        const nb = window.carnetNotebook;
        const out: { status: string; tags: string[]; exercise: boolean; text: string }[] = [];
        for (const c of nb.cells) {
          if (c.tags.has('skip-execution')) continue;
          const [status] = await nb.runCells([c]);
          out.push({
            status: status!,
            tags: [...c.tags],
            // Exercises (corrections.*) arrive with the exercises issue.
            exercise: /\bexo_\w+|corrections/.test(c.source),
            text: c.element.querySelector('.nb-outputs')?.textContent?.slice(0, 300) ?? '',
          });
        }
        return out;
      });
      for (const [i, r] of results.entries()) {
        ran++;
        const expected = r.tags.includes('raises-exception') || r.exercise ? r.status : 'ok';
        if (r.status !== expected) failures.push(`${route} cell ${i + 1}: ${r.status}\n${r.text}`);
      }
      await notebook.context().close();
    }
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThan(100);
  }, 600_000);
});

describe('degraded conditions', () => {
  it('without cross-origin isolation, interrupting restarts Python and says so', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    // As behind a proxy that drops the isolation headers: no SharedArrayBuffer.
    await page.route('**/courses/demo/**', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-embedder-policy'];
      delete headers['cross-origin-opener-policy'];
      await route.fulfill({ response, headers });
    });
    await page.goto(url('w1/w1-s1-c1-nombres'));
    await waitForState(page, 'ready', 60_000);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await setCode(page, 0, 'while True:\n    pass');
    const done = runCell(page, 0);
    await waitForState(page, 'busy');
    await page.locator('.runtime-interrupt').click();
    expect(await done).toBe('interrupted');
    await waitForState(page, 'ready', 60_000);
    expect(await page.locator('.runtime-status').textContent()).toContain("n'est pas isolée");
    await setCode(page, 0, 'input()');
    expect(await runCell(page, 0)).toBe('error');
    expect(await outputText(page, 0)).toContain('input() a besoin');
    await context.close();
  });

  it('says so when Python cannot start, and the page stays readable', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    const page = await context.newPage();
    await page.route('**/pyodide.asm.wasm', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
    await page.goto(url('w1/w1-s1-c1-nombres'));
    await waitForState(page, 'dead', 60_000);
    expect(await page.locator('.runtime-status').textContent()).toContain("Python n'a pas pu démarrer");
    expect(await page.locator('.nb-code pre, .nb-code .cm-content').count()).toBeGreaterThan(10);
    await context.close();
  });

  it('without JavaScript, the code is shown and the page says how to run it', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url('w1/w1-s1-c1-nombres'));
    expect(await page.locator('.nb-code pre.code').count()).toBeGreaterThan(10);
    expect(await page.locator('.runtime-bar').count()).toBe(0);
    expect(await page.locator('noscript').textContent()).toContain('Activez JavaScript');
    await context.close();
  });
});
