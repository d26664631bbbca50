// Issue 13's whole scenario in Chromium: a learner asks a question from a notebook page with a
// snapshot of her code; another opens the runnable copy and runs it, then answers; staff endorse
// and accept the answer; the asker finds the notifications in the header, on her page and in an
// e-mail in the outbox; a learner reports a post and a moderator hides it from the queue. The
// moderation and notification pages are axe clean in both themes and fit a phone.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';
import { outputText, runCell, setCode, waitForState } from './notebook.ts';

const NOTEBOOK = '/courses/demo/w2/w2-s2-c1-dictionnaires';

async function noOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1);
}

/** The outbox messages to `to` whose text contains `needle` (waits a little for the job to send them). */
async function mailsTo(dataDir: string, to: string, needle: string): Promise<string[]> {
  const dir = join(dataDir, 'outbox');
  for (let i = 0; i < 100; i++) {
    let found: string[] = [];
    try {
      found = readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .map((f) => readFileSync(join(dir, f), 'utf8').replace(/=\r?\n/g, ''))
        .filter((raw) => raw.toLowerCase().includes(`to: ${to}`) && raw.includes(needle));
    } catch {
      // no outbox yet
    }
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  return [];
}

describe('the forum, end to end, in Chromium', () => {
  const running = useCarnetInBrowser();

  it('question with a snapshot, runnable copy, endorsement and acceptance, notifications, a report hidden by a moderator', async () => {
    const start = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10);
    carnetCommand(running.carnet, ['run', 'create', 'demo', '--title', 'Session du forum', '--start', start]);
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
    const ada = await running.browser.newContext({ locale: 'fr-FR', viewport: { width: 390, height: 844 } });
    const bob = await running.browser.newContext({ locale: 'fr-FR' });
    const staff = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    try {
      await signUp(ada, running.carnet, { name: 'Ada', email: 'ada@example.org', password: 'analytical engine 1843' });
      await signUp(bob, running.carnet, { name: 'Bob', email: 'bob@example.org', password: 'difference engine 1822' });

      // Ada enrols and asks for an e-mail at each notification.
      const page = await ada.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(running.carnet.url);
      await page.getByRole('button', { name: "S'inscrire" }).first().click();
      await page.locator('.enrolled-badge').first().waitFor();
      await page.goto(`${running.carnet.url}/me/notifications`);
      await page.locator('select[name^="course-"]').selectOption('immediate');
      await page.getByRole('button', { name: 'Enregistrer mes choix' }).click();
      await page.getByText('Vos choix d’e-mails sont enregistrés.').waitFor();

      // She runs her code and asks about it, with a snapshot.
      await page.goto(`${running.carnet.url}${NOTEBOOK}`);
      await waitForState(page, 'ready', 60_000);
      await setCode(page, 0, 'stock = {"kiwis": 7}\nprint(stock["kiwis"] * 6)');
      expect(await runCell(page, 0)).toBe('ok');
      await page.locator('.snapshot-share summary').click();
      await page.getByRole('button', { name: 'Partager dans le forum' }).click();
      await page.waitForURL(/\/forum\/new\?route=.*&snapshot=/);
      await page.getByLabel('Titre').fill('Pourquoi mon dictionnaire donne 42 ?');
      await page.getByLabel('Message', { exact: true }).fill('Voici mon code, est-ce normal ?');
      expect(await noOverflow(page)).toBe(true);
      await page.getByRole('button', { name: 'Publier' }).click();
      await page.getByRole('heading', { level: 1, name: 'Pourquoi mon dictionnaire donne 42 ?' }).waitFor();
      const thread = page.url();

      // Bob opens the runnable copy, runs it, and answers.
      const other = await bob.newPage();
      await other.goto(thread);
      await other.getByRole('link', { name: /Instantané joint/ }).click();
      await other.getByRole('link', { name: 'Ouvrir une copie exécutable' }).click();
      await waitForState(other, 'ready', 60_000);
      expect(await runCell(other, 0)).toBe('ok');
      expect(await outputText(other, 0)).toContain('42');
      await other.goto(thread);
      await other.getByLabel('Votre réponse').fill('Oui : 7 × 6 = 42, le dictionnaire renvoie la valeur de la clé.');
      await other.getByRole('button', { name: 'Publier la réponse' }).click();
      await other.getByText('7 × 6 = 42').waitFor();

      // Staff endorse the answer and accept it.
      const team = await staff.newPage();
      await team.goto(`${running.carnet.url}/login`);
      await team.getByLabel('Adresse e-mail').fill('equipe@example.org');
      await team.getByLabel('Mot de passe').fill('tutor of the course 42');
      await team.getByRole('button', { name: 'Se connecter' }).click();
      await team.waitForURL(/\/me$/);
      await team.goto(thread);
      await team.getByRole('button', { name: 'Approuver cette réponse' }).click();
      await team.getByText('Approuvé par l’équipe').first().waitFor();
      await team.getByRole('button', { name: 'Accepter cette réponse' }).click();
      await team.getByRole('heading', { name: 'Réponse acceptée' }).waitFor();

      // Ada: the header's count, her notifications, and the e-mail.
      await page.goto(`${running.carnet.url}/me`);
      await page.locator('.notifications-count').filter({ hasText: /[1-9]/ }).first().waitFor();
      await page.goto(`${running.carnet.url}/me/notifications`);
      await page
        .getByRole('link', { name: 'Bob a répondu à votre question « Pourquoi mon dictionnaire donne 42 ? »' })
        .waitFor();
      await page
        .getByRole('link', {
          name: 'Une réponse à votre question « Pourquoi mon dictionnaire donne 42 ? » a été acceptée',
        })
        .waitFor();
      expect(await noOverflow(page)).toBe(true);
      const mails = await mailsTo(running.carnet.dataDir, 'ada@example.org', 'Pourquoi mon dictionnaire donne 42');
      expect(mails.length).toBeGreaterThan(0);
      expect(mails[0]).toMatch(/^List-Unsubscribe:\s+<https?:\/\//m);
      expect(mails[0]).toMatch(/^List-Unsubscribe-Post:\s+List-Unsubscribe=One-Click/m);

      // Bob posts spam; Ada reports it; the moderator (staff) hides it from the queue.
      await other.goto(thread);
      await other.getByLabel('Votre réponse').fill('Des montres pas chères sur mon site !');
      await other.getByRole('button', { name: 'Publier la réponse' }).click();
      await other.getByText('Des montres pas chères').waitFor();
      await page.goto(thread);
      await page
        .locator('.forum-post', { hasText: 'Des montres pas chères' })
        .getByRole('link', { name: 'Signaler' })
        .click();
      await page.getByLabel('Publicité ou spam').check();
      await page.getByLabel('Précisions pour les modérateurs (facultatif)').fill('Hors du cours.');
      expect(await noOverflow(page)).toBe(true);
      await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
      await page.getByText('les modérateurs du cours vont examiner ce message').waitFor();

      await team.goto(`${running.carnet.url}/courses/demo/forum`);
      await team.getByRole('link', { name: 'Modération du forum' }).click();
      const entry = team.locator('.forum-queue-entry', { hasText: 'Des montres pas chères' });
      await entry.getByText('Hors du cours.').waitFor();
      for (const theme of ['light', 'dark'] as const) {
        await team.emulateMedia({ colorScheme: theme });
        expect(await axeViolations(team), `queue (${theme})`).toEqual([]);
      }
      await entry.getByRole('button', { name: 'Masquer' }).click();
      await team.getByText('Aucun signalement en attente.').waitFor();
      await page.goto(thread);
      await page.getByText('7 × 6 = 42').first().waitFor();
      expect(await page.getByText('Des montres pas chères').count()).toBe(0);
      await team.goto(thread);
      await team.getByText('Masqué par la modération').waitFor();

      // The other pages of moderation and notifications, for axe, in both themes.
      for (const theme of ['light', 'dark'] as const) {
        await team.emulateMedia({ colorScheme: theme });
        for (const path of ['/courses/demo/forum/moderation/log', '/me/notifications', new URL(thread).pathname]) {
          await team.goto(`${running.carnet.url}${path}`);
          expect(await axeViolations(team), `${path} (${theme})`).toEqual([]);
        }
      }
      const reader = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
      try {
        const view = await reader.newPage();
        await view.goto(thread);
        expect(await axeViolations(view), 'thread, visitor').toEqual([]);
      } finally {
        await reader.close();
      }
    } finally {
      await ada.close();
      await bob.close();
      await staff.close();
    }
  }, 180_000);
});
