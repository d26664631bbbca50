// Issue 14's scenario in Chromium: a teacher (made with the command line) creates a class and a
// hand-in activity from a demo notebook; a pupil with her own account joins with the code, another
// is created from a roster and logs in with his card's identifier and password; both open the
// activity from /me, edit and run a cell and hand in, while the teacher's following table changes
// by itself (polling, no reload); the teacher opens a copy, runs it, comments a cell, marks it and
// exports the marks CSV; the pupil sees the comment and the mark. The teacher's and the pupil's
// pages are axe clean in both themes, and the pupil's pages fit a phone.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';
import { outputText, runCell, setCode, waitForState } from './notebook.ts';

const ROUTE = 'w1/w1-s1-c1-nombres';
const TITLE = 'Les nombres, à rendre';

async function noOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1);
}

async function axeBothThemes(page: Page, what: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    expect(await axeViolations(page), `${what} (${theme})`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** `YYYY-MM-DDTHH:MM` for a datetime-local field, `days` from today (UTC date, fixed hour). */
function localInput(days: number, hour: string): string {
  return `${new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10)}T${hour}`;
}

/** A pupil opens the activity from /me, edits and runs its first cell, waits for the save. */
async function work(context: BrowserContext, url: string, code: string, expected: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`${url}/me`);
  await page.getByRole('link', { name: TITLE }).click();
  await page.waitForURL(/\/activities\/\d+$/);
  await waitForState(page, 'ready', 60_000);
  await page.waitForSelector('.save-status[data-status="saved"]', { timeout: 20_000 });
  await setCode(page, 0, code);
  expect(await runCell(page, 0)).toBe('ok');
  expect(await outputText(page, 0)).toContain(expected);
  await page.waitForSelector('.save-status[data-status="saved"]', { timeout: 20_000 });
  return page;
}

describe('classes and activities, end to end, in Chromium', () => {
  const running = useCarnetInBrowser();

  it('class, roster, joining by code, live following, hand-in, review with comment and mark, CSV', async () => {
    const url = running.carnet.url;
    const passwordFile = join(running.carnet.dataDir, 'teacher-password');
    writeFileSync(passwordFile, 'tableau noir et craie 42\n');
    carnetCommand(running.carnet, [
      'user',
      'create',
      '--email',
      'prof@example.org',
      '--name',
      'M. Turing',
      '--password-file',
      passwordFile,
    ]);
    carnetCommand(running.carnet, ['user', 'teacher', 'prof@example.org']);

    const teacher = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    // Ada has her own account; she is on a phone, and axe checks her pages.
    const ada = await running.browser.newContext({
      locale: 'fr-FR',
      bypassCSP: true,
      viewport: { width: 390, height: 844 },
    });
    const bruno = await running.browser.newContext({ locale: 'fr-FR' });
    try {
      // The teacher logs in and creates the class.
      const tp = await teacher.newPage();
      tp.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await tp.goto(`${url}/login`);
      await tp.getByLabel('Adresse e-mail ou identifiant').fill('prof@example.org');
      await tp.getByLabel('Mot de passe').fill('tableau noir et craie 42');
      await tp.getByRole('button', { name: 'Se connecter' }).click();
      await tp.waitForURL(/\/me$/);
      await tp.goto(`${url}/teach`);
      await tp.getByLabel('Nom de la classe').fill('Seconde 4');
      await tp.getByLabel('Année scolaire').fill('2026-2027');
      await tp.getByLabel('Niveau').selectOption('seconde');
      await tp.getByRole('button', { name: 'Créer la classe' }).click();
      await tp.getByText('La classe est créée.').waitFor();
      const classUrl = tp.url().replace(/\?.*$/, '');
      expect(classUrl).toMatch(/\/teach\/classes\/\d+$/);
      const code = (await tp.locator('.join-code code').textContent())!.trim();
      expect(code).toMatch(/^[A-Z2-9]{6}$/);

      // A roster of one: the printable sheet gives his identifier and first-time password.
      await tp.getByLabel('Prénoms ou pseudonymes, un par ligne').fill('Bruno K.');
      await tp.getByRole('button', { name: 'Créer les comptes et la feuille des mots de passe' }).click();
      await tp.getByRole('heading', { level: 1, name: 'Mots de passe · Seconde 4' }).waitFor();
      const identifier = (await tp.locator('.password-card-login').textContent())!.trim();
      const password = (await tp.locator('.password-card-password').textContent())!.trim();
      expect(identifier).toMatch(/^bruno[a-z]*\.[a-z0-9]{4}$/);
      await axeBothThemes(tp, 'password sheet');

      // The activity: the demo notebook, hand-in mode, closing next week.
      await tp.goto(classUrl);
      await tp.getByRole('link', { name: 'Nouvelle activité' }).click();
      await tp.getByLabel('Cours').selectOption('demo');
      await tp.getByRole('button', { name: 'Choisir ce cours' }).click();
      await tp.getByLabel('Notebook ou quiz').selectOption(ROUTE);
      await tp.getByLabel('Titre', { exact: true }).fill(TITLE);
      await tp.getByLabel('Ouverture', { exact: true }).fill(localInput(-1, '08:00'));
      await tp.getByLabel('Clôture', { exact: true }).fill(localInput(7, '18:00'));
      await tp.getByLabel('À rendre : la copie passe en lecture seule après la clôture.').check();
      await tp.getByRole('button', { name: 'Donner l’activité' }).click();
      await tp.getByText('L’activité est donnée à la classe.').waitFor();
      const followUrl = tp.url().replace(/\?.*$/, '');
      expect(followUrl).toMatch(/\/teach\/activities\/\d+$/);

      // Ada signs up, and joins with the code typed on /join.
      await signUp(ada, running.carnet, {
        name: 'Ada L.',
        email: 'ada@example.org',
        password: 'analytical engine 1843',
      });
      const ap = await ada.newPage();
      await ap.goto(`${url}/join`);
      await ap.getByLabel('Code de la classe').fill(code);
      await ap.getByRole('button', { name: 'Continuer' }).click();
      await ap.getByText('Seconde 4').first().waitFor();
      expect(await noOverflow(ap)).toBe(true);
      await ap.getByRole('button', { name: 'Rejoindre la classe' }).click();
      await ap.waitForURL(/\/me/);
      await ap.getByRole('link', { name: TITLE }).waitFor();

      // Bruno logs in with his card and follows the class's link: he is already in it.
      const bp = await bruno.newPage();
      await bp.goto(`${url}/login`);
      await bp.getByLabel('Adresse e-mail ou identifiant').fill(identifier);
      await bp.getByLabel('Mot de passe').fill(password);
      await bp.getByRole('button', { name: 'Se connecter' }).click();
      await bp.waitForURL(/\/me$/);
      await bp.goto(`${url}/join/${code}`);
      await bp.getByText('Vous êtes déjà dans cette classe.').waitFor();
      await bp.close();

      // The teacher's class page (with its two pupils and the activity), then the following page,
      // which stays open: from now on it is never reloaded.
      await tp.goto(classUrl);
      await tp.getByRole('heading', { name: 'Élèves (2)' }).waitFor();
      await axeBothThemes(tp, 'class page');
      await tp.goto(followUrl);
      const row = (name: string) => tp.locator('#following-table tbody tr', { hasText: name });
      await expect.poll(() => row('Ada L.').getAttribute('data-state')).toBe('not-opened');
      await tp.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      await axeBothThemes(tp, 'following page');

      // Both open the activity from /me, edit and run a cell: the table shows them in progress.
      const adaWork = await work(ada, url, 'x = 6\nprint(x * 7)', '42');
      expect(await noOverflow(adaWork)).toBe(true);
      await axeBothThemes(adaWork, 'pupil activity page, editable');
      const brunoWork = await work(bruno, url, 'print(2 ** 10)', '1024');
      await tp.waitForSelector('#following-table tr[data-state="in-progress"]:has-text("Ada L.")', { timeout: 10_000 });
      await tp.waitForSelector('#following-table tr[data-state="in-progress"]:has-text("Bruno K.")', {
        timeout: 10_000,
      });

      // They hand in: the table shows it, still without reloading.
      for (const page of [adaWork, brunoWork]) {
        await page.getByRole('button', { name: 'Rendre ma copie' }).click();
        await page.locator('.activity-banner').getByText('Cette copie est en lecture seule').waitFor();
      }
      await tp.waitForSelector('#following-table tr[data-state="handed-in"]:has-text("Ada L.")', { timeout: 10_000 });
      await tp.waitForSelector('#following-table tr[data-state="handed-in"]:has-text("Bruno K.")', { timeout: 10_000 });
      expect(await tp.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await brunoWork.close();

      // The teacher opens Ada's copy: read-only, her code, runnable in the teacher's browser.
      await row('Ada L.').getByRole('link', { name: 'Ada L.' }).click();
      await tp.getByRole('heading', { level: 1, name: /Copie de Ada L\./ }).waitFor();
      await waitForState(tp, 'ready', 60_000);
      expect(await runCell(tp, 0)).toBe('ok');
      expect(await outputText(tp, 0)).toContain('42');
      await tp.getByLabel('Cellule commentée').selectOption({ index: 0 });
      await tp.getByLabel('Commentaire', { exact: true }).fill('Bien : x * 7 vaut bien 42.');
      await tp.getByRole('button', { name: 'Ajouter le commentaire' }).click();
      await tp.getByText('Le commentaire est ajouté.').waitFor();
      await waitForState(tp, 'ready', 60_000);
      await tp.getByLabel('Note', { exact: true }).fill('17/20');
      await tp.getByLabel('Appréciation', { exact: true }).fill('Travail soigné.');
      await tp.getByRole('button', { name: 'Enregistrer la note' }).click();
      await tp.getByLabel('Note', { exact: true }).and(tp.locator('[value="17/20"]')).waitFor();
      await waitForState(tp, 'ready', 60_000);
      await axeBothThemes(tp, 'copy review');

      // The marks CSV, in class-list order.
      await tp.goto(followUrl);
      const [download] = await Promise.all([
        tp.waitForEvent('download'),
        tp.getByRole('link', { name: 'Notes (CSV)' }).click(),
      ]);
      const csv = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
      const lines = csv.split('\r\n').filter((l) => l !== '');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^Nom,État,Note,Appréciation,/);
      expect(lines[1]).toMatch(/^Ada L\.,rendue,17\/20,Travail soigné\.,/);
      expect(lines[2]).toMatch(/^Bruno K\.,rendue,,,/);

      // Ada sees the comment and the mark on her copy, and the mark on /me.
      await adaWork.reload();
      await adaWork.getByText('Note : 17/20').waitFor();
      await adaWork.getByText('Travail soigné.').waitFor();
      await adaWork.locator('.activity-comments').getByText('Bien : x * 7 vaut bien 42.').first().waitFor();
      await waitForState(adaWork, 'ready', 60_000);
      await adaWork.locator('.nb-teacher-comment').getByText('Bien : x * 7 vaut bien 42.').waitFor();
      expect(await outputText(adaWork, 0)).toBe('');
      expect(await runCell(adaWork, 0)).toBe('ok');
      expect(await outputText(adaWork, 0)).toContain('42');
      expect(await noOverflow(adaWork)).toBe(true);
      await axeBothThemes(adaWork, 'pupil activity page');
      await adaWork.goto(`${url}/me`);
      await adaWork.getByText('Note : 17/20').waitFor();
      expect(await noOverflow(adaWork)).toBe(true);
      await axeBothThemes(adaWork, '/me (pupil)');
    } finally {
      await teacher.close();
      await ada.close();
      await bruno.close();
    }
  }, 240_000);
});
