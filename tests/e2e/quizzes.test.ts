import { describe, expect, it } from 'vitest';
import { useCarnetInBrowser } from './harness.ts';
import { signUp } from './learners.ts';

const QUIZ = '/courses/demo/w1/w1-s3-q1-premiers-pas';

/** A learner answers a demo quiz in Chromium: with JavaScript (no reload) and with plain form posts. */
describe('quizzes in Chromium', () => {
  const running = useCarnetInBrowser();

  it('answers a problem with JavaScript: graded in place, without reloading the page', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR' });
    await signUp(context, running.carnet, {
      name: 'Grace',
      email: 'grace@example.org',
      password: 'compiler 1952 cobol',
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${running.carnet.url}${QUIZ}`);
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const p2 = page.locator('section#p2');
    await p2.getByLabel('float').check();
    await p2.getByRole('button', { name: 'Valider' }).click();
    await p2.getByRole('status').filter({ hasText: 'Score retenu : 1 / 1' }).waitFor();
    expect(await p2.locator('.quiz-mark').textContent()).toContain('Bonne réponse');
    expect(await p2.locator('.quiz-explanation').textContent()).toContain('Pour obtenir un entier');
    // A wrong numeric answer on another problem: one attempt left, no explanation yet.
    const p1 = page.locator('section#p1');
    await p1.getByLabel('Votre réponse').fill('4');
    await p1.getByRole('button', { name: 'Valider' }).click();
    await p1.locator('.quiz-mark').filter({ hasText: 'Réponse incorrecte' }).waitFor();
    expect(await p1.locator('.quiz-actions').textContent()).toContain('Essais restants : 1 sur 2');
    expect(await p1.locator('.quiz-explanation').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // The answers are stored: a reload shows them.
    await page.reload();
    expect(await page.locator('section#p2').getByLabel('float').isChecked()).toBe(true);
    expect(await page.locator('section#p1').getByLabel('Votre réponse').inputValue()).toBe('4');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('answers a problem without JavaScript: a form post, then the page at the problem with its result', async () => {
    const context = await running.browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
    await signUp(context, running.carnet, { name: 'Alan', email: 'alan@example.org', password: 'enigma bombe 1940' });
    const page = await context.newPage();
    await page.goto(`${running.carnet.url}${QUIZ}`);
    const p6 = page.locator('section#p6');
    await p6.getByLabel('Votre réponse').first().fill('42');
    await p6.getByLabel('Choisissez').selectOption({ label: 'None' });
    await p6.getByLabel('Votre réponse').nth(1).fill('return');
    await p6.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL(/#p6$/);
    const after = page.locator('section#p6');
    expect(await after.getByRole('status').textContent()).toContain('Score retenu : 3 / 3');
    expect(await after.locator('.quiz-mark').allTextContents()).toEqual([
      expect.stringContaining('Bonne réponse'),
      expect.stringContaining('Bonne réponse'),
      expect.stringContaining('Bonne réponse'),
    ]);
    expect(await after.getByLabel('Choisissez').inputValue()).toBe('1');
    // An answer that is not a number: refused, the message tied to the field, no attempt used.
    const p3 = page.locator('section#p3');
    await p3.getByLabel('Votre réponse').fill('environ trois');
    await p3.getByRole('button', { name: 'Valider' }).click();
    const field = page.locator('section#p3').getByLabel('Votre réponse');
    await page.locator('#p3q1-error').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe('p3q1-error');
    expect(await page.locator('section#p3 .quiz-actions').textContent()).toContain('Essais restants : 2 sur 2');
    await context.close();
  });
});
