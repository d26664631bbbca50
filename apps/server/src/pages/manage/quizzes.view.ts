import type { Course, CourseVersion } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import type { QuestionSecrets } from '../../lib/quizzes/secrets.ts';
import type { ProblemStats, QuestionStats, QuizStats } from '../../lib/quizzes/stats.ts';
import { manageCourseUrl, manageQuizUrl, manageQuizzesUrl } from '../../lib/urls.ts';
import type { RunWithCourse } from '../../models/runs.ts';
import { html, trustedHtml, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

/** What the figures count: one session's attempts or all, first attempts or all. */
export interface StatsFilter {
  run: RunWithCourse | null;
  firstOnly: boolean;
}

/** The query string of a filter (and extra parameters), '' when all are defaults. */
function queryOf(filter: StatsFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filter.run) params.set('run', filter.run.slug);
  if (filter.firstOnly) params.set('attempts', 'first');
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function percent(ctx: PageContext, value: number | null): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(ctx.lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

function decimal(ctx: PageContext, value: number | null): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(ctx.lang, { maximumFractionDigits: 2 }).format(value);
}

/** The filter form (GET: no state changes, so no CSRF token): session and which attempts. */
function filterForm(ctx: PageContext, action: string, runs: RunWithCourse[], filter: StatsFilter): SafeHtml {
  const { t } = ctx;
  return html`<form method="get" action="${action}" class="stack-form stats-filter">
    <div class="field">
      <label for="f-run">${t('manage.quizzes.filter.run')}</label>
      <select id="f-run" name="run">
        <option value="" ${filter.run ? '' : html`selected`}>${t('manage.quizzes.filter.allRuns')}</option>
        ${runs.map(
          (run) =>
            html`<option value="${run.slug}" ${filter.run?.id === run.id ? html`selected` : ''}>${run.title}</option>`,
        )}
      </select>
    </div>
    <fieldset class="field">
      <legend>${t('manage.quizzes.filter.attempts')}</legend>
      <label
        ><input type="radio" name="attempts" value="all" ${filter.firstOnly ? '' : html`checked`} />
        ${t('manage.quizzes.filter.all')}</label
      >
      <label
        ><input type="radio" name="attempts" value="first" ${filter.firstOnly ? html`checked` : ''} />
        ${t('manage.quizzes.filter.first')}</label
      >
    </fieldset>
    <p><button type="submit" class="button">${t('manage.quizzes.filter.apply')}</button></p>
  </form>`;
}

export interface QuizListPageData {
  course: Course;
  runs: RunWithCourse[];
  version: CourseVersion;
  filter: StatsFilter;
  quizzes: { route: string; title: string; week: number | null; attempts: number; learners: number }[];
}

/** The quizzes of the version read, with their attempts, each linking to its figures. */
export function quizListView(ctx: PageContext, data: QuizListPageData): string {
  const { t } = ctx;
  const { course, filter } = data;
  const title = t('manage.quizzes.title', { title: course.title });
  const main = html`<h1>${title}</h1>
    <p>${t('manage.quizzes.intro')}</p>
    <p>${t('manage.quizzes.version', { tag: data.version.tag.slice(0, 8) })}</p>
    ${filterForm(ctx, manageQuizzesUrl(course.slug), data.runs, filter)}
    ${
      data.quizzes.length === 0
        ? html`<p>${t('manage.quizzes.none')}</p>`
        : html`<div class="table-scroll" tabindex="0">
            <table class="runs-table">
              <caption>
                ${filter.run ? t('manage.quizzes.caption.run', { run: filter.run.title }) : t('manage.quizzes.caption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t('manage.quizzes.col.quiz')}</th>
                  <th scope="col">${t('manage.quizzes.col.week')}</th>
                  <th scope="col">${t('manage.quizzes.col.learners')}</th>
                  <th scope="col">${t('manage.quizzes.col.attempts')}</th>
                </tr>
              </thead>
              <tbody>
                ${data.quizzes.map(
                  (q) =>
                    html`<tr>
                      <th scope="row">
                        <a href="${manageQuizUrl(course.slug, q.route)}${queryOf(filter)}">${q.title}</a>
                      </th>
                      <td>${q.week ?? '—'}</td>
                      <td>${q.learners}</td>
                      <td>${q.attempts}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
  return layout(ctx, {
    title,
    main,
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: course.title, href: manageCourseUrl(course.slug) },
      { label: t('manage.quizzes.crumb') },
    ],
  });
}

export interface QuizStatsPageData {
  course: Course;
  runs: RunWithCourse[];
  version: CourseVersion;
  filter: StatsFilter;
  route: string;
  title: string;
  /** The expected answers, as sanitised HTML (staff may see them). */
  answers: Map<string, QuestionSecrets>;
  stats: QuizStats;
}

/** One quiz's figures: per problem who tried and how it went, per question what was answered. */
export function quizStatsView(ctx: PageContext, data: QuizStatsPageData): string {
  const { t } = ctx;
  const { course, filter } = data;
  const title = t('manage.quiz.title', { title: data.title });
  const here = manageQuizUrl(course.slug, data.route);
  const main = html`<h1>${title}</h1>
    <p><a href="${manageQuizzesUrl(course.slug)}${queryOf(filter)}">${t('manage.quiz.back')}</a></p>
    <p>
      ${t('manage.quizzes.version', { tag: data.version.tag.slice(0, 8) })}
      ${data.stats.versionIds.length > 1 ? t('manage.quiz.sameQuiz', { n: data.stats.versionIds.length }) : ''}
    </p>
    ${filterForm(ctx, here, data.runs, filter)}
    <p>
      <a class="button button-secondary" href="${here}${queryOf(filter, { format: 'csv' })}" download
        >${t('manage.quiz.csv')}</a
      >
    </p>
    <p class="hint">
      ${filter.firstOnly ? t('manage.quiz.counting.first') : t('manage.quiz.counting.all')}
      ${filter.run ? t('manage.quiz.counting.run', { run: filter.run.title }) : ''}
    </p>
    ${data.stats.problems.map((p) => problemSection(ctx, data, p))}`;
  return layout(ctx, {
    title,
    main,
    bodyClass: 'page-quiz-stats',
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: course.title, href: manageCourseUrl(course.slug) },
      { label: t('manage.quizzes.crumb'), href: manageQuizzesUrl(course.slug) },
      { label: data.title },
    ],
  });
}

function problemSection(ctx: PageContext, data: QuizStatsPageData, p: ProblemStats): SafeHtml {
  const { t } = ctx;
  const id = `stats-${p.id}`;
  return html`<section class="quiz-stats-problem" aria-labelledby="${id}">
    <h2 id="${id}">${t('manage.quiz.problem', { n: p.number })}${p.title ? html` : ${trustedHtml(p.title)}` : ''}</h2>
    <dl class="stats-figures">
      <div>
        <dt>${t('manage.quiz.learners')}</dt>
        <dd>${p.learners}</dd>
      </div>
      <div>
        <dt>${t('manage.quiz.firstSuccess')}</dt>
        <dd>
          ${percent(ctx, p.firstSuccess)}
          ${p.firstAttempts > 0 ? html`<span class="muted">(${p.firstCorrect} / ${p.firstAttempts})</span>` : ''}
        </dd>
      </div>
      <div>
        <dt>${t('manage.quiz.meanAttempts')}</dt>
        <dd>${decimal(ctx, p.meanAttempts)}</dd>
      </div>
      <div>
        <dt>${t('manage.quiz.counted')}</dt>
        <dd>${p.counted}</dd>
      </div>
    </dl>
    ${p.counted === 0 ? html`<p>${t('manage.quiz.noAttempts')}</p>` : ''}
    ${p.questions.map((q) => questionBlock(ctx, data, p, q))}
  </section>`;
}

function questionBlock(ctx: PageContext, data: QuizStatsPageData, p: ProblemStats, q: QuestionStats): SafeHtml {
  const { t } = ctx;
  const caption = t('manage.quiz.caption', { q: q.number, p: p.number });
  const correctMark = html`<span class="tag tag-correct">${t('manage.quiz.correctMark')}</span>`;
  const expected = data.answers.get(q.id)?.answer;
  return html`<div class="quiz-stats-question">
    <h3>
      ${t('manage.quiz.question', { n: q.number })}
      <span class="muted">(${t(`manage.quiz.kind.${q.kind}` as MessageKey)})</span>
    </h3>
    ${q.label ? html`<p>${trustedHtml(q.label)}</p>` : ''}
    <p>
      ${t('manage.quiz.answered', { answered: q.answered, blank: q.blank })}
      ${t('manage.quiz.correctCount', {
        correct: q.correct,
        share: percent(ctx, q.answered > 0 ? q.correct / q.answered : null),
      })}
    </p>
    ${q.kind === 'multiple' ? html`<p class="hint">${t('manage.quiz.multipleNote')}</p>` : ''}
    ${q.options === null && expected ? html`<p>${t('quiz.expected')} ${trustedHtml(expected)}</p>` : ''}
    ${
      q.options || (q.top && q.top.length > 0)
        ? html`<div class="table-scroll" tabindex="0">
            <table class="runs-table stats-table">
              <caption>
                ${caption}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t(q.options ? 'manage.quiz.col.option' : 'manage.quiz.col.answer')}</th>
                  <th scope="col">${t('manage.quiz.col.count')}</th>
                  <th scope="col">${t('manage.quiz.col.share')}</th>
                </tr>
              </thead>
              <tbody>
                ${(q.options ?? []).map(
                  (o) =>
                    html`<tr${o.correct ? html` class="stats-correct"` : ''}>
                    <th scope="row">${trustedHtml(o.html)} ${o.correct ? correctMark : ''}</th>
                    <td>${o.count}</td>
                    <td>${percent(ctx, o.share)}</td>
                  </tr>`,
                )}
                ${(q.top ?? []).map(
                  (a) =>
                    html`<tr${a.correct ? html` class="stats-correct"` : ''}>
                    <th scope="row"><code>${a.value}</code> ${a.correct ? correctMark : ''}</th>
                    <td>${a.count}</td>
                    <td>${percent(ctx, a.share)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : ''
    }
    ${
      q.others && q.others.distinct > 0
        ? html`<p class="hint">${t('manage.quiz.others', { distinct: q.others.distinct, count: q.others.count })}</p>`
        : ''
    }
  </div>`;
}
