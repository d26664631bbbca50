import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS, ROOT, useCarnetInBrowser } from './harness.ts';
import { confirmationLink } from './learners.ts';

const CARNET = join(ROOT, 'apps/server/bin/carnet.js');

/** A learner's first visit in a real browser: sign up, log out and in, enrol in a session, resume. */
describe('accounts and enrolment in Chromium', () => {
  const running = useCarnetInBrowser();

  it('signs up, logs in and enrols in a session of the demo course, without JavaScript-only controls', async () => {
    const { url, dataDir } = running.carnet;
    const created = spawnSync(
      process.execPath,
      [CARNET, 'run', 'create', 'demo', '--title', 'Session de test', '--start', '2026-01-05', '--self-paced'],
      { env: { ...process.env, CARNET_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' },
    );
    expect(created.status, created.stderr).toBe(0);

    const context = await running.browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // The wrong password below is answered 401 on purpose; any other console error is a problem.
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 401') && problems.push(m.text()));

    await page.goto(url);
    await page.getByRole('link', { name: 'Créer un compte' }).first().click();
    await page.getByLabel('Nom affiché').fill('Ada Lovelace');
    await page.getByLabel('Adresse e-mail').fill('ada@example.org');
    await page.getByLabel('Mot de passe').fill('analytical engine 1843');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();

    await page.goto(await confirmationLink(dataDir, 'ada@example.org'));
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.waitForURL(/\/me\?welcome=1$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mes cours');

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('link', { name: 'Se connecter' }).first().click();
    await page.getByLabel('Adresse e-mail').fill('ada@example.org');
    await page.getByLabel('Mot de passe').fill('wrong password here');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('Adresse e-mail ou mot de passe incorrect.');
    await page.getByLabel('Mot de passe').fill('analytical engine 1843');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/me$/);

    await page.getByRole('link', { name: 'Catalogue' }).first().click();
    await page.getByRole('button', { name: "S'inscrire" }).click();
    await page.waitForURL(new RegExp(`${url}/$`));
    expect(await page.locator('.enrolled-badge').textContent()).toContain('Inscrit');

    await page.goto(`${url}/courses/demo/w2/w2-s2-c1-dictionnaires`);
    await page.goto(`${url}/me`);
    const resume = page.getByRole('link', { name: 'Reprendre là où je me suis arrêté' });
    expect(await resume.getAttribute('href')).toBe('/courses/demo/w2/w2-s2-c1-dictionnaires');
    expect(await page.locator('.dashboard-courses').textContent()).toContain('Session de test');
    await page.screenshot({ path: join(RESULTS, 'dashboard-phone.png'), fullPage: true });
    // The page fits a phone: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });
});
