// Verified grades in Chromium: a learner's correction() is re-run by the server in the sandbox on
// the rows the browser shows and on hidden checks it never sees (held back, written by the author,
// or a new random draw); exercises the browser cannot reproduce are checked by the server itself.
// The cell says what the server found; anonymous readers are told to log in.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCarnetInBrowser } from './harness.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { carnetCommand, signUp } from './learners.ts';
import { cell, cellIndex, openNotebook, outputText, runCell, setCode, waitForState } from './notebook.ts';

const running = useCarnetInBrowser();
const EXERCISE = 'w1/w1-s3-x1-duree';

/** The verification line under the correction table, once settled. */
async function verdict(page: Page, index: number): Promise<{ state: string; text: string }> {
  const status = cell(page, index).locator('.nb-grade');
  await page.waitForFunction(
    (i) => {
      const s = document.querySelector(`.nb-code[data-cell-number="${i + 1}"] .nb-grade`);
      return s && s.getAttribute('data-state') !== 'checking';
    },
    index,
    { timeout: 60_000 },
  );
  return { state: (await status.getAttribute('data-state'))!, text: (await status.textContent())! };
}

describe('verified grades', () => {
  let page: Page;
  beforeAll(async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    await signUp(context, running.carnet, {
      name: 'Alan Turing',
      email: 'alan@example.org',
      password: 'enigma and bombes',
    });
    page = await context.newPage();
    await page.goto(`${running.carnet.url}/courses/demo/${EXERCISE}`);
    await waitForState(page, 'ready', 60_000);
  });

  it('verifies a wrong answer: the server finds the same KO rows', async () => {
    expect(await runCell(page, 0)).toBe('ok');
    await setCode(
      page,
      1,
      'def duree(secondes):\n    return f"{secondes // 3600}:{secondes // 60 % 60}:{secondes % 60}"',
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    const { state, text } = await verdict(page, 2);
    expect(state).toBe('verified');
    // The browser checks the 6 rows it has; the server those 6 and 2 more, held back.
    const summary = await cell(page, 2).locator('.nbae-summary').textContent();
    expect(summary).toBe('1/6 correct + 2 vérification(s) faite(s) par le serveur');
    expect(await cell(page, 2).locator('.nbae-table tbody tr').count()).toBe(6);
    expect(text).toBe('vérifié : 2/8 corrects, dont 1/2 vérification(s) cachée(s)');
    expect(await cell(page, 2).locator('.nb-grade-rows li').allTextContents()).toContain(
      'vérification cachée 1 : résultat faux',
    );
  });

  it('fails a learner who copied every expected value the browser shows', async () => {
    await setCode(
      page,
      1,
      [
        'ATTENDU = {3725: "01:02:05", 59: "00:00:59", 60: "00:01:00", 3600: "01:00:00",',
        '           86399: "23:59:59", 360000: "100:00:00"}',
        'def duree(secondes):',
        '    return ATTENDU.get(secondes, "")',
      ].join('\n'),
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    expect(await cell(page, 2).locator('.nbae-summary').textContent()).toMatch(/^6\/6 correct/);
    const { state, text } = await verdict(page, 2);
    expect(state).toBe('verified');
    expect(text).toBe('vérifié : 6/8 corrects, dont 0/2 vérification(s) cachée(s)');
    expect(await cell(page, 2).locator('.nb-grade-rows li').allTextContents()).toEqual([
      'vérification cachée 1 : résultat faux',
      'vérification cachée 2 : résultat faux',
    ]);
  });

  it('verifies a right answer, and the submission is in the history', async () => {
    await setCode(
      page,
      1,
      'def duree(secondes):\n    h, reste = divmod(secondes, 3600)\n    return f"{h:02}:{reste // 60:02}:{reste % 60:02}"',
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    expect(await verdict(page, 2)).toEqual({ state: 'verified', text: 'vérifié ✓ (dont 2 vérification(s) cachée(s))' });
    const history = await page.evaluate(async () => {
      const response = await fetch('/api/submissions?slug=demo&route=w1/w1-s3-x1-duree');
      return (await response.json()) as { submissions: { verdict?: { ok: boolean } }[] };
    });
    expect(history.submissions.map((s) => s.verdict?.ok)).toEqual([true, false, false]);
    // The learner sees them too, under the table: newest first, with the code.
    await cell(page, 2).locator('.nb-history summary').click();
    const items = cell(page, 2).locator('.nb-history li');
    await items.nth(1).waitFor();
    expect(await items.count()).toBe(3);
    expect(await items.nth(0).textContent()).toContain('vérifié ✓');
    expect(await items.nth(0).locator('pre').textContent()).toContain('divmod(secondes, 3600)');
    expect(await items.nth(1).textContent()).toMatch(/vérifié : 6\/8 corrects/);
    // Passed: the official solution, and its variant, can be shown.
    await cell(page, 2).locator('.nb-solution button').click();
    await cell(page, 2).locator('.nb-solution pre').first().waitFor();
    const solution = await cell(page, 2).locator('.nb-solution').textContent();
    expect(solution).toContain('def duree(secondes):');
    expect(solution).toContain('Variante bis');
    expect(solution).not.toContain('duree_ko');
  });

  it('keeps the solution from a learner who has not passed', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    await signUp(context, running.carnet, { name: 'Ada', email: 'ada2@example.org', password: 'analytical engine' });
    const other = await context.newPage();
    await other.goto(`${running.carnet.url}/courses/demo/${EXERCISE}`);
    const status = await other.evaluate(async () => {
      const query = 'slug=demo&route=w1/w1-s3-x1-duree&module=corrections.exo_duree&exercise=exo_duree';
      return (await fetch(`/api/solutions?${query}`)).status;
    });
    expect(status).toBe(404);
    await context.close();
  });

  it('asks an anonymous reader to log in for the result to count', async () => {
    const anonymous = await openNotebook(running.browser, `${running.carnet.url}/courses/demo/${EXERCISE}`);
    expect(await runCell(anonymous, 0)).toBe('ok');
    expect(await runCell(anonymous, 2)).toBe('error'); // duree is not defined yet
    await setCode(anonymous, 1, 'def duree(s):\n    return ""');
    expect(await runCell(anonymous, 1)).toBe('ok');
    expect(await runCell(anonymous, 2)).toBe('ok');
    expect(await verdict(anonymous, 2)).toEqual({
      state: 'anonymous',
      text: 'connectez-vous pour que ce résultat compte',
    });
    await anonymous.context().close();
  });

  it('verifies an exercise with hidden datasets its author wrote for the server only', async () => {
    const words = await openNotebook(page.context(), `${running.carnet.url}/courses/demo/w2/w2-s3-x1-mots-et-suites`);
    const start = await cellIndex(words, 'from corrections.exo_compte_mots');
    const code = start + 1;
    await setCode(
      words,
      code,
      [
        'def compte_mots(texte):',
        '    compteur = {}',
        '    for mot in texte.lower().split():',
        '        mot = mot.strip(".,;:!?«»")',
        '        if mot:',
        '            compteur[mot] = compteur.get(mot, 0) + 1',
        '    return compteur',
      ].join('\n'),
    );
    for (const index of [start, code, code + 1]) expect(await runCell(words, index)).toBe('ok');
    expect(
      await cell(words, code + 1)
        .locator('.nbae-summary')
        .textContent(),
    ).toBe('7/7 correct + 2 vérification(s) faite(s) par le serveur');
    expect(await verdict(words, code + 1)).toEqual({
      state: 'verified',
      text: 'vérifié ✓ (dont 2 vérification(s) cachée(s))',
    });
    // Forgetting lower case and punctuation: wrong on the table's texts and on the author's own.
    await setCode(
      words,
      code,
      'def compte_mots(texte):\n    return {m: texte.split().count(m) for m in texte.split()}',
    );
    expect(await runCell(words, code)).toBe('ok');
    expect(await runCell(words, code + 1)).toBe('ok');
    const wrong = await verdict(words, code + 1);
    expect(wrong.text).toMatch(/, dont 0\/2 vérification\(s\) cachée\(s\)$/);
    await words.close();
  });

  it('verifies a random exercise on a new draw, and an exercise the server checks itself', async () => {
    const lists = await openNotebook(page.context(), `${running.carnet.url}/courses/demo/w2/w2-s1-x1-listes`);
    const squares = await cellIndex(lists, 'from corrections.exo_somme_carres');
    await setCode(lists, squares + 1, 'def somme_carres(nombres):\n    return sum(carre(x) for x in nombres)');
    for (const index of [squares, squares + 1, squares + 2]) expect(await runCell(lists, index)).toBe('ok');
    expect(
      await cell(lists, squares + 2)
        .locator('.nbae-summary')
        .textContent(),
    ).toBe('6/6 correct + vérification par le serveur sur 9 nouvelles données');
    expect(await verdict(lists, squares + 2)).toEqual({ state: 'verified', text: 'vérifié ✓' });

    // exo_moyenne compares within a millionth (a course subclass): the table comes from the server.
    const mean = await cellIndex(lists, 'from corrections.exo_moyenne');
    expect(await runCell(lists, mean)).toBe('ok');
    expect(await outputText(lists, mean)).toContain('moyenne([12, 15, 9])');
    await setCode(lists, mean + 1, 'def moyenne(notes):\n    return sum(notes) / len(notes) if notes else 0');
    expect(await runCell(lists, mean + 1)).toBe('ok');
    expect(await runCell(lists, mean + 2)).toBe('ok');
    const table = cell(lists, mean + 2).locator('.nbae-table');
    await table.waitFor();
    expect(await table.textContent()).toContain('vérification cachée 1 : résultat juste');
    expect(await table.textContent()).not.toContain('13.5');
    expect(await verdict(lists, mean + 2)).toEqual({
      state: 'verified',
      text: 'vérifié ✓ (dont 2 vérification(s) cachée(s))',
    });
    await lists.close();
    // Anonymous: the server does not check for readers who are not logged in.
    const anonymous = await openNotebook(running.browser, `${running.carnet.url}/courses/demo/w2/w2-s1-x1-listes`);
    for (const index of [mean, mean + 1, mean + 2]) await runCell(anonymous, index);
    expect(await outputText(anonymous, mean + 2)).toContain('connectez-vous pour le vérifier');
    await anonymous.context().close();
  });

  it("shows the course's submissions to its staff, and to nobody else", async () => {
    const passwordFile = join(running.carnet.dataDir, 'admin-password');
    writeFileSync(passwordFile, 'tutor of the course 42\n');
    carnetCommand(running.carnet, [
      'user',
      'create',
      '--email',
      'staff@example.org',
      '--name',
      'Équipe',
      '--admin',
      '--password-file',
      passwordFile,
    ]);
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    const admin = await context.newPage();
    await admin.goto(`${running.carnet.url}/login`);
    await admin.getByLabel('Adresse e-mail').fill('staff@example.org');
    await admin.getByLabel('Mot de passe').fill('tutor of the course 42');
    await admin.getByRole('button', { name: 'Se connecter' }).click();
    await admin.waitForURL(/\/me$/);
    await admin.goto(`${running.carnet.url}/manage/courses/demo`);
    await admin.getByRole('link', { name: 'Soumissions des exercices' }).click();
    const table = admin.locator('table');
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    expect(await table.locator('tbody tr').first().textContent()).toContain('Alan Turing');
    expect(await table.locator('tbody tr').first().textContent()).toContain('réussi');
    await context.close();
    // The learner is not staff: the page does not exist for them.
    const response = await page.goto(`${running.carnet.url}/manage/courses/demo/submissions`);
    expect(response?.status()).toBe(404);
  });
});
