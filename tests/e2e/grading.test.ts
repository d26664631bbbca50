// Verified grades in Chromium: a learner's correction() is re-run by the server in the sandbox,
// and the cell says whether the server agrees; anonymous readers are told to log in.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCarnetInBrowser } from './harness.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { carnetCommand, signUp } from './learners.ts';
import { cell, openNotebook, runCell, setCode, waitForState } from './notebook.ts';

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
    const summary = await cell(page, 2).locator('.nbae-summary').textContent();
    const [passed] = summary!.split('/');
    expect(text).toBe(`vérifié : ${passed}/8 corrects`);
  });

  it('verifies a right answer, and the submission is in the history', async () => {
    await setCode(
      page,
      1,
      'def duree(secondes):\n    h, reste = divmod(secondes, 3600)\n    return f"{h:02}:{reste // 60:02}:{reste % 60:02}"',
    );
    expect(await runCell(page, 1)).toBe('ok');
    expect(await runCell(page, 2)).toBe('ok');
    expect(await verdict(page, 2)).toEqual({ state: 'verified', text: 'vérifié ✓' });
    const history = await page.evaluate(async () => {
      const response = await fetch('/api/submissions?slug=demo&route=w1/w1-s3-x1-duree');
      return (await response.json()) as { submissions: { verdict?: { ok: boolean } }[] };
    });
    expect(history.submissions.map((s) => s.verdict?.ok)).toEqual([true, false]);
    // The learner sees them too, under the table: newest first, with the code.
    await cell(page, 2).locator('.nb-history summary').click();
    const items = cell(page, 2).locator('.nb-history li');
    await items.nth(1).waitFor();
    expect(await items.count()).toBe(2);
    expect(await items.nth(0).textContent()).toContain('vérifié ✓');
    expect(await items.nth(0).locator('pre').textContent()).toContain('divmod(secondes, 3600)');
    expect(await items.nth(1).textContent()).toMatch(/vérifié : \d\/8 corrects/);
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
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await table.locator('tbody tr').first().textContent()).toContain('Alan Turing');
    expect(await table.locator('tbody tr').first().textContent()).toContain('réussi');
    await context.close();
    // The learner is not staff: the page does not exist for them.
    const response = await page.goto(`${running.carnet.url}/manage/courses/demo/submissions`);
    expect(response?.status()).toBe(404);
  });
});
