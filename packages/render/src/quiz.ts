import type { Diagnostic, PublicQuiz, PublicQuizQuestion } from '@carnet/course-format';
import { dirname } from '@carnet/course-format';
import { createEnv, stripPrivateUse, type RenderEnv } from './env.ts';
import { escapeHtml, quizMarker, ui } from './html.ts';
import type { CourseLinks } from './links.ts';
import { renderHtml } from './markdown.ts';
import type { UrlResolver } from './sanitize.ts';

/**
 * Renders a quiz as accessible form controls: a fieldset per question, a legend, one label per
 * option. It takes the public projection only, so no answer, feedback or explanation can leak
 * into the page. Each problem is a form (posted to the page's own URL, field `problem`); controls
 * are named `<question id>`, so a post maps onto the model. Quiz markers stand where a learner's
 * answers, results and the submit button go: the server fills them per reader (ADR 026).
 */
export function renderQuiz(quiz: PublicQuiz, links: CourseLinks, language: string, diagnostics: Diagnostic[]): string {
  // The public form keeps the line of text blocks only: problems are reported at the nearest one.
  let line = 1;
  const env = createEnv(language, (severity, code, message) =>
    diagnostics.push({ severity, code, message, file: quiz.path, line, column: 1 }),
  );
  const resolve = links.resolver(dirname(quiz.path), env);
  const html = (text: string): string => renderHtml(text, env, resolve, 'quiz text');
  const parts: string[] = [];
  if (quiz.preamble) parts.push(`<div class="quiz-preamble">${html(quiz.preamble)}</div>`);
  quiz.problems.forEach((problem, p) => {
    const titleId = `${problem.id}-title`;
    const title = problem.title
      ? renderHtml(problem.title, env, resolve, 'quiz title')
      : `${ui('quiz.problem')} ${p + 1}`;
    // An untitled problem that opens with its own heading keeps the generated title for screen
    // readers only, rather than showing two headings in a row.
    const first = problem.blocks[0];
    const hideTitle = !problem.title && first?.type === 'html' && /^\s*(<p>\s*)?<h[1-6][\s>]/i.test(first.html);
    const body: string[] = [];
    let lastTextId: string | null = null;
    let questionNumber = 0;
    problem.blocks.forEach((block, b) => {
      if (block.type === 'html') {
        line = block.line;
        lastTextId = `${problem.id}-t${b}`;
        body.push(`<div class="quiz-text" id="${lastTextId}">${html(block.html)}</div>`);
      } else {
        questionNumber++;
        body.push(renderQuestion(block.question, questionNumber, lastTextId, env, resolve));
        lastTextId = null;
      }
    });
    parts.push(
      `<section class="quiz-problem" id="${escapeHtml(problem.id)}" aria-labelledby="${titleId}">` +
        `<h2 id="${titleId}"${hideTitle ? ' class="visually-hidden"' : ''}>${title}</h2>` +
        `<form class="quiz-form" method="post" data-problem="${escapeHtml(problem.id)}">` +
        `<input type="hidden" name="problem" value="${escapeHtml(problem.id)}">${body.join('')}` +
        `${quizMarker('footer', problem.id)}</form></section>`,
    );
  });
  return `<div class="quiz">${parts.join('\n')}</div>`;
}

function renderQuestion(
  q: PublicQuizQuestion,
  n: number,
  describedBy: string | null,
  env: RenderEnv,
  resolve: UrlResolver,
): string {
  const id = escapeHtml(q.id);
  const inline = (text: string): string => renderHtml(text, env, resolve, 'quiz question');
  // The question's own text usually precedes it: then the generic legend is for screen readers
  // only (the text is tied to the fieldset by aria-describedby), not a visible duplicate.
  const legend = q.label
    ? `<legend>${inline(q.label)}</legend>`
    : `<legend${describedBy ? ' class="visually-hidden"' : ''}>${ui('quiz.question')} ${n}</legend>`;
  const described = describedBy ? ` aria-describedby="${describedBy}"` : '';
  let controls: string;
  switch (q.kind) {
    case 'single':
    case 'multiple': {
      const type = q.kind === 'single' ? 'radio' : 'checkbox';
      const items = q.options.map(
        (o, i) =>
          `<li><input type="${type}" name="${id}" id="${id}-${i}" value="${i}"${quizMarker('value', `${q.id}:${i}`)}><label for="${id}-${i}">${inline(o.html)}</label></li>`,
      );
      const help = q.kind === 'multiple' ? `<p class="quiz-help">${ui('quiz.severalAnswers')}</p>` : '';
      controls = `${help}<ul class="quiz-options">${items.join('')}</ul>`;
      break;
    }
    case 'numeric':
    case 'text': {
      const mode = q.kind === 'numeric' ? ' inputmode="decimal"' : '';
      controls =
        `<p class="quiz-answer"><label for="${id}-answer">${ui('quiz.yourAnswer')}</label> ` +
        `<input type="text" id="${id}-answer" name="${id}" autocomplete="off" spellcheck="false"${mode}${quizMarker('value', q.id)}></p>`;
      break;
    }
    case 'dropdown': {
      const options = q.options.map(
        (o, i) =>
          `<option value="${i}"${quizMarker('value', `${q.id}:${i}`)}>${escapeHtml(stripPrivateUse(o.text))}</option>`,
      );
      controls =
        `<p class="quiz-answer"><label for="${id}-answer">${ui('quiz.choose')}</label> ` +
        `<select id="${id}-answer" name="${id}"><option value="">—</option>${options.join('')}</select></p>`;
      break;
    }
  }
  const hints = q.hints
    .map((h, i) => `<details class="quiz-hint"><summary>${ui('quiz.hint')} ${i + 1}</summary>${inline(h)}</details>`)
    .join('');
  return `<fieldset class="quiz-question quiz-${q.kind}" id="${id}"${described}>${legend}${controls}${hints}${quizMarker('result', q.id)}</fieldset>`;
}
