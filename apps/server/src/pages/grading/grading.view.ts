import type { MessageKey } from '../../i18n/index.ts';
import { CERTIFICATE_ISSUES } from '../../lib/grades/form.ts';
import type { ExerciseFacts } from '../../lib/grades/gradebook.ts';
import { FORGEABLE_POLICIES, whyNotCounted, type GradingPolicy } from '../../lib/grades/policy.ts';
import { SHOW_ANSWER_VALUES } from '../../lib/quizzes/policy.ts';
import { courseItemUrl, manageCourseUrl, runGradesCsvUrl, runGradingUrl, runUrl } from '../../lib/urls.ts';
import type { RunWithCourse } from '../../models/runs.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface GradingPageData {
  run: RunWithCourse;
  /** The weeks of the session's version. */
  weeks: number[];
  /** Week → the computed due date as local text, or null when the week has none. */
  computedDue: Record<number, string | null>;
  form: FormState;
  csrf: string;
  zone: string;
  notice?: string | undefined;
  summary: { graded: number; passed: number; mean: number | null };
  /** The exercises of the session's version, and the stored policy that says which count. */
  exercises: ExerciseFacts[];
  policy: GradingPolicy;
}

interface Choice {
  value: string;
  label: string;
}

/**
 * Radio buttons or checkboxes in a fieldset; the group's error is announced with its legend
 * (aria-describedby on the fieldset).
 */
function choices(
  ctx: PageContext,
  form: FormState,
  options: { name: string; legend: string; type: 'radio' | 'checkbox'; choices: Choice[]; hint?: string },
): SafeHtml {
  const { t } = ctx;
  const id = `f-${options.name}`;
  const error = form.errors[options.name];
  const selected = new Set((form.values[options.name] ?? '').split(','));
  const described = [options.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<fieldset
    class="field${error ? ' field-error' : ''}"
    ${described ? html`aria-describedby="${described}"` : ''}
  >
    <legend>${options.legend}</legend>
    ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${id}-error">${t(error)}</p>` : ''}
    ${options.choices.map(
      (c) =>
        html`<label
          ><input
            type="${options.type}"
            name="${options.name}"
            value="${c.value}"
            ${selected.has(c.value) ? html`checked` : ''}
          />
          ${c.label}</label
        >`,
    )}
  </fieldset>`;
}

function checkbox(form: FormState, name: string, label: string): SafeHtml {
  return html`<div class="field">
    <label
      ><input type="checkbox" name="${name}" value="1" ${form.values[name] === '1' ? html`checked` : ''} />
      ${label}</label
    >
  </div>`;
}

const percent = (x: number) => `${Number((x * 100).toFixed(1))} %`;

/** Whether an exercise counts in the grade under the stored policy, and if not, why. */
function countsText(ctx: PageContext, policy: GradingPolicy, exercise: ExerciseFacts): string {
  const { t } = ctx;
  if (exercise.mode === 'none') return t('grading.exercises.counts.unverifiable');
  if (!exercise.item) return t('grading.exercises.counts.uncorrected');
  const why = whyNotCounted(policy, exercise.item);
  return t(why ? (`grading.exercises.counts.${why}` as MessageKey) : 'grading.exercises.counts.yes');
}

/** The hidden checks an exercise's verified grade rests on; the forgeable ones say so in words. */
function hiddenCell(ctx: PageContext, exercise: ExerciseFacts): SafeHtml {
  const { t } = ctx;
  if (exercise.mode === 'none')
    return html`<span aria-hidden="true">—</span
      ><span class="visually-hidden">${t('grading.exercises.hidden.none')}</span>`;
  if (exercise.random) return html`${t('grading.exercises.hidden.random')}`;
  if (exercise.forgeable)
    return html`0
      <strong class="tag">${t('grading.exercises.forgeable')}</strong> ${t('grading.exercises.forgeable.sentence')}`;
  return html`${exercise.hiddenChecks}`;
}

/** The version's exercises: where each is corrected, how it is checked, its hidden checks, whether it counts. */
function exercisesSection(ctx: PageContext, data: GradingPageData): SafeHtml {
  const { t } = ctx;
  const slug = data.run.course_slug;
  return html`<section aria-labelledby="exercises-title">
    <h2 id="exercises-title">${t('grading.exercises.title')}</h2>
    ${
      data.exercises.length === 0
        ? html`<p>${t('grading.exercises.none')}</p>`
        : html`<p>${t('grading.exercises.intro')}</p>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="exercises-caption">
              <table class="runs-table">
                <caption id="exercises-caption" class="visually-hidden">
                  ${t('grading.exercises.caption')}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${t('grading.exercises.col.exercise')}</th>
                    <th scope="col">${t('grading.exercises.col.notebook')}</th>
                    <th scope="col">${t('grading.exercises.col.mode')}</th>
                    <th scope="col">${t('grading.exercises.col.hidden')}</th>
                    <th scope="col">${t('grading.exercises.col.counts')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.exercises.map(
                    (e) =>
                      html`<tr>
                        <th scope="row"><code>${e.name}</code></th>
                        <td>
                          <a href="${courseItemUrl(slug, e.route)}">${e.notebookTitle}</a>
                          ${e.week === null ? '' : html`<span class="muted">(${t('course.week', { n: e.week })})</span>`}
                        </td>
                        <td>${t(`grading.exercises.mode.${e.mode}` as MessageKey)}</td>
                        <td>${hiddenCell(ctx, e)}</td>
                        <td>${countsText(ctx, data.policy, e)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
    }
  </section>`;
}

/** A session's grading policy and quiz policy, its grades so far, and the report's link. */
export function gradingView(ctx: PageContext, data: GradingPageData): string {
  const { t } = ctx;
  const { run, form } = data;
  const slug = run.course_slug;
  const title = t('grading.title', { title: run.title });
  const main = html`<div class="narrow">
    <h1>${title}</h1>
    ${notice(data.notice)}
    <section aria-labelledby="grades-title">
      <h2 id="grades-title">${t('grading.summary.title')}</h2>
      <p>
        ${t('grading.summary.counts', { graded: data.summary.graded, passed: data.summary.passed })}
        ${data.summary.mean === null ? '' : t('grading.summary.mean', { mean: percent(data.summary.mean) })}
      </p>
      <p><a href="${runGradesCsvUrl(slug, run.slug)}" download>${t('grading.csv')}</a></p>
    </section>
    ${exercisesSection(ctx, data)} ${formAlert(t, form)}
    <form method="post" action="${runGradingUrl(slug, run.slug)}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      <h2>${t('grading.policy.title')}</h2>
      <fieldset class="field">
        <legend>${t('grading.weights')}</legend>
        <p class="hint">${t('grading.weights.hint')}</p>
        ${field(t, form, { name: 'quizWeight', label: t('grading.weight.quiz'), inputmode: 'decimal', autocomplete: 'off' })}
        ${field(t, form, { name: 'exerciseWeight', label: t('grading.weight.exercise'), inputmode: 'decimal', autocomplete: 'off' })}
      </fieldset>
      ${choices(ctx, form, {
        name: 'forgeable',
        legend: t('grading.forgeable'),
        hint: t('grading.forgeable.hint', { n: data.exercises.filter((e) => e.forgeable).length }),
        type: 'radio',
        choices: FORGEABLE_POLICIES.map((v) => ({ value: v, label: t(`grading.forgeable.${v}` as MessageKey) })),
      })}
      ${
        data.weeks.length > 0
          ? choices(ctx, form, {
              name: 'weeks',
              legend: t('grading.weeks'),
              hint: t('grading.weeks.hint'),
              type: 'checkbox',
              choices: data.weeks.map((w) => ({ value: String(w), label: t('course.week', { n: w }) })),
            })
          : ''
      }
      <fieldset class="field">
        <legend>${t('grading.due')}</legend>
        <p class="hint">${t('grading.due.hint')} ${t('manage.run.zone', { zone: data.zone })}</p>
        ${field(t, form, { name: 'dueDays', label: t('grading.dueDays'), inputmode: 'numeric', autocomplete: 'off' })}
        ${data.weeks.map((week) => {
          const name = `due_${week}`;
          const computed = data.computedDue[week];
          return field(t, form, {
            name,
            label: t('course.week', { n: week }),
            type: 'datetime-local',
            hint: computed ? t('manage.run.weeks.computed', { date: computed }) : t('grading.due.none'),
          });
        })}
        ${field(t, form, { name: 'graceMinutes', label: t('grading.grace'), hint: t('grading.grace.hint'), inputmode: 'numeric', autocomplete: 'off' })}
      </fieldset>
      ${field(t, form, { name: 'threshold', label: t('grading.threshold'), hint: t('grading.threshold.hint'), inputmode: 'decimal', autocomplete: 'off' })}
      ${choices(ctx, form, {
        name: 'certIssue',
        legend: t('grading.cert'),
        type: 'radio',
        choices: CERTIFICATE_ISSUES.map((v) => ({ value: v, label: t(`grading.cert.${v}` as MessageKey) })),
      })}
      ${field(t, form, { name: 'certDate', label: t('grading.cert.dateField'), type: 'datetime-local', hint: t('grading.cert.dateHint') })}
      ${checkbox(form, 'certShowGrade', t('grading.cert.showGrade'))}
      <h2>${t('grading.quiz.title')}</h2>
      ${field(t, form, { name: 'quizAttempts', label: t('grading.quiz.attempts'), hint: t('grading.quiz.attempts.hint'), inputmode: 'numeric', autocomplete: 'off' })}
      ${choices(ctx, form, {
        name: 'quizCounts',
        legend: t('grading.quiz.counts'),
        type: 'radio',
        choices: [
          { value: 'best', label: t('grading.quiz.counts.best') },
          { value: 'last', label: t('grading.quiz.counts.last') },
        ],
      })}
      ${checkbox(form, 'quizPartialCredit', t('grading.quiz.partial'))}
      ${choices(ctx, form, {
        name: 'quizShowAnswer',
        legend: t('grading.quiz.show'),
        type: 'radio',
        choices: SHOW_ANSWER_VALUES.map((v) => ({ value: v, label: t(`grading.quiz.show.${v}` as MessageKey) })),
      })}
      <p class="hint">${t('grading.recompute.hint')}</p>
      <p><button type="submit" class="button">${t('grading.save')}</button></p>
    </form>
  </div>`;
  return layout(ctx, {
    title,
    main,
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: run.course_title, href: manageCourseUrl(slug) },
      { label: run.title, href: runUrl(slug, run.slug) },
      { label: t('grading.crumb') },
    ],
  });
}
