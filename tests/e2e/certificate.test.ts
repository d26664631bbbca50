// Issue 6's "done": a learner of the demo course answers the quizzes in Chromium, sees the grade
// build up on the progress page, passes, downloads a certificate, and the public verification
// page — opened by someone else — confirms it. axe-core on each page on the way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuiz, type QuizQuestion } from '@carnet/course-format';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, RESULTS, ROOT, useCarnetInBrowser } from './harness.ts';
import { carnetCommand, signUp } from './learners.ts';

const QUIZZES = ['w1/w1-s3-q1-premiers-pas', 'w2/w2-s2-q1-conteneurs', 'w3/w3-s3-q1-plus-loin'];

/** The demo quiz's problems and their right answers, read from the course folder as an author would. */
function problemsOf(route: string) {
  const quiz = parseQuiz(readFileSync(join(ROOT, 'demo-course', `${route}.quiz`), 'utf8'), `${route}.quiz`).value!;
  return quiz.problems.map((p) => ({
    id: p.id,
    questions: p.blocks.flatMap((b) => (b.type === 'question' ? [b.question] : [])),
  }));
}

/** Fills one question's controls with its right answer, as a learner would. */
async function answerRightly(page: Page, q: QuizQuestion): Promise<void> {
  switch (q.kind) {
    case 'single':
    case 'multiple':
      for (const [i, o] of q.options.entries()) if (o.correct) await page.locator(`#${q.id}-${i}`).check();
      return;
    case 'dropdown':
      await page.locator(`#${q.id}-answer`).selectOption(String(q.options.findIndex((o) => o.correct)));
      return;
    case 'numeric': {
      const a = q.answers[0]!;
      const value = a.range ? (a.range.min + a.range.max) / 2 : a.value;
      await page.locator(`#${q.id}-answer`).fill(String(value));
      return;
    }
    case 'text':
      await page.locator(`#${q.id}-answer`).fill(q.answers[0]!);
  }
}

/** The grade the progress page states, in percent. */
async function statedGrade(page: Page): Promise<number> {
  const text = (await page.locator('.grade-value').textContent()) ?? '';
  const match = /(\d+(?:,\d+)?)\s?%/.exec(text);
  if (!match) throw new Error(`no grade in "${text}"`);
  return Number(match[1]!.replace(',', '.'));
}

describe('from quizzes to a verified certificate, in Chromium', () => {
  const running = useCarnetInBrowser();

  it('answers the quizzes, watches the grade rise, passes and has the certificate verified', async () => {
    const yesterday = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10);
    carnetCommand(running.carnet, [
      'run',
      'create',
      'demo',
      '--title',
      'Session libre',
      '--self-paced',
      '--start',
      yesterday,
    ]);
    const context = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
    try {
      await signUp(context, running.carnet, {
        name: 'Grace',
        email: 'grace@example.org',
        password: 'cobol compiler 1959',
      });
      const page = await context.newPage();
      await page.goto(running.carnet.url);
      await page.getByRole('button', { name: "S'inscrire" }).first().click();
      await page.locator('.enrolled-badge').first().waitFor();

      const grades: number[] = [];
      for (const route of QUIZZES) {
        await page.goto(`${running.carnet.url}/courses/demo/${route}`);
        for (const problem of problemsOf(route)) {
          const section = page.locator(`section#${problem.id}`);
          for (const q of problem.questions) await answerRightly(page, q);
          await section.getByRole('button', { name: 'Valider' }).click();
          // Graded in place (no reload): full marks.
          await section
            .getByRole('status')
            .filter({ hasText: /Score retenu : (\d+) \/ \1 / })
            .waitFor();
        }
        if (route === QUIZZES[0]) {
          // The quiz page, answered, with its results and explanations shown.
          expect(await axeViolations(page)).toEqual([]);
        }
        await page.goto(`${running.carnet.url}/courses/demo/progress`);
        grades.push(await statedGrade(page));
      }
      // Quizzes weigh half the grade (exercises the other half): each quiz adds its problems' share.
      expect(grades[0]).toBeGreaterThan(0);
      expect(grades[1]).toBeGreaterThan(grades[0]!);
      expect(grades[2]).toBeCloseTo(50, 0);
      await expect.poll(() => page.locator('.grade-value').textContent()).toMatch(/50\s?%/);
      expect(await page.getByText(/réussi/i).count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(RESULTS, 'journey-progress.png'), fullPage: true });

      // The certificate was issued at once: the course page says so and links to it.
      await page.goto(`${running.carnet.url}/courses/demo`);
      const link = page.getByRole('link', { name: /Votre certificat de réussite/ });
      await link.first().click();
      await page.waitForURL(/\/certificates\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      const certificateUrl = page.url();
      const certificate = page.locator('.certificate');
      expect(await certificate.textContent()).toContain('Grace');
      expect(await certificate.textContent()).toContain('Python pas à pas');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(RESULTS, 'journey-certificate.png'), fullPage: true });

      // The PDF download.
      const pdf = await page.request.get(`${certificateUrl}.pdf`);
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()['content-type']).toContain('application/pdf');
      expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

      // Someone else (no account) checks the code: valid, with the name and course.
      const stranger = await running.browser.newContext({ locale: 'fr-FR', bypassCSP: true });
      try {
        const check = await stranger.newPage();
        for (const theme of ['light', 'dark'] as const) {
          await check.emulateMedia({ colorScheme: theme });
          await check.goto(certificateUrl);
          await check.getByText('Certificat valide').first().waitFor();
          expect(await check.locator('.certificate').textContent()).toContain('Grace');
          expect(await check.getByRole('link', { name: 'Télécharger le PDF' }).count()).toBe(0);
          expect(await axeViolations(check), theme).toEqual([]);
        }
        await check.screenshot({ path: join(RESULTS, 'journey-verification.png'), fullPage: true });
      } finally {
        await stranger.close();
      }
    } finally {
      await context.close();
    }
  });
});
