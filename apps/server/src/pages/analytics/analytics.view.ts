import type { Course } from '../../db/schema.ts';
import type { AnalyticsTable } from '../../lib/analytics/csv.ts';
import type { ExerciseFigures, RunAnalytics } from '../../lib/analytics/figures.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { courseItemUrl, manageCourseUrl, runAnalyticsUrl, runUrl } from '../../lib/urls.ts';
import type { RunWithCourse } from '../../models/runs.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface AnalyticsPageData {
  course: Course;
  run: RunWithCourse;
  figures: RunAnalytics;
  zone: string;
}

const percent = (ctx: PageContext, value: number | null): string =>
  value === null ? '—' : new Intl.NumberFormat(ctx.lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
const count = (ctx: PageContext, value: number): string => new Intl.NumberFormat(ctx.lang).format(value);
const decimal = (ctx: PageContext, value: number | null): string =>
  value === null ? '—' : new Intl.NumberFormat(ctx.lang, { maximumFractionDigits: 2 }).format(value);

/** A `YYYY-MM-DD` day for readers ("2 mars"), as a calendar date: no time zone shift. */
function dayLabel(ctx: PageContext, day: string, withYear = false): string {
  return new Intl.DateTimeFormat(ctx.lang, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    ...(withYear ? { year: 'numeric' } : {}),
  }).format(new Date(`${day}T00:00:00Z`));
}

/** Chart geometry in the SVG's own units (the viewBox scales it to the page's width). */
const CHART = { width: 640, height: 240, left: 56, right: 632, top: 20, bottom: 196 } as const;

interface Bar {
  /** Under the bar (may be empty: every label would not fit). */
  short: string;
  value: number;
}

/**
 * Bars as an inline SVG (no script; colours from the theme's classes, as the progress page's
 * chart): an image to assistive technology, named by its title and summed up by its description;
 * the table after it is its text alternative, linked from the caption.
 */
function barChart(
  ctx: PageContext,
  chart: { id: string; title: string; desc: string; bars: Bar[]; tableId: string },
): SafeHtml {
  const { left, right, top, bottom, width, height } = CHART;
  const max = Math.max(1, ...chart.bars.map((b) => b.value));
  const y = (value: number) => bottom - (value / max) * (bottom - top);
  const slot = (right - left) / Math.max(1, chart.bars.length);
  const barWidth = Math.max(1, Math.min(40, slot * 0.7));
  const n = (v: number) => Number(v.toFixed(1));
  return html`<figure class="score-chart analytics-chart">
    <svg
      viewBox="0 0 ${width} ${height}"
      role="img"
      aria-labelledby="${chart.id}-title ${chart.id}-desc"
      preserveAspectRatio="xMidYMid meet"
    >
      <title id="${chart.id}-title">${chart.title}</title>
      <desc id="${chart.id}-desc">${chart.desc}</desc>
      <line class="chart-grid" x1="${left}" x2="${right}" y1="${top}" y2="${top}" />
      <text class="chart-label chart-tick" x="${left - 6}" y="${top + 5}" text-anchor="end">${count(ctx, max)}</text>
      <text class="chart-label chart-tick" x="${left - 6}" y="${bottom + 5}" text-anchor="end">0</text>
      ${chart.bars.map((bar, i) => {
        const cx = left + slot * (i + 0.5);
        return html`${
          bar.value > 0
            ? html`<rect
                class="chart-bar"
                x="${n(cx - barWidth / 2)}"
                y="${n(y(bar.value))}"
                width="${n(barWidth)}"
                height="${n(bottom - y(bar.value))}"
              />`
            : ''
        }${
          bar.short
            ? html`<text class="chart-label" x="${n(cx)}" y="${bottom + 20}" text-anchor="middle">${bar.short}</text>`
            : ''
        }`;
      })}
      <line class="chart-axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" />
    </svg>
    <figcaption>${chart.title} — <a href="#${chart.tableId}">${ctx.t('analytics.chart.alternative')}</a></figcaption>
  </figure>`;
}

/** A table in its scrolling region, captioned, with its CSV link. */
function tableBlock(
  ctx: PageContext,
  data: AnalyticsPageData,
  table: { id: string; caption: string; csv: AnalyticsTable; head: SafeHtml; rows: SafeHtml[]; empty?: string },
): SafeHtml {
  const { t } = ctx;
  const csvUrl = `${runAnalyticsUrl(data.course.slug, data.run.slug)}/${table.csv}.csv`;
  return html`<div class="table-scroll" tabindex="0" role="region" aria-labelledby="${table.id}-caption">
      <table class="runs-table stats-table analytics-table" id="${table.id}">
        <caption id="${table.id}-caption">
          ${table.caption}
        </caption>
        <thead>
          ${table.head}
        </thead>
        <tbody>
          ${
            table.rows.length > 0
              ? table.rows
              : html`<tr>
                  <td colspan="9">${table.empty ?? t('analytics.empty')}</td>
                </tr>`
          }
        </tbody>
      </table>
    </div>
    <p class="analytics-csv">
      <a href="${csvUrl}" download>${t('analytics.csv', { table: table.caption })}</a>
    </p>`;
}

function activitySection(ctx: PageContext, data: AnalyticsPageData): SafeHtml {
  const { t } = ctx;
  const { days, weeks } = data.figures;
  const peak = (list: { learners: number }[]) => Math.max(0, ...list.map((d) => d.learners));
  const last = days[days.length - 1];
  return html`<section aria-labelledby="activity-title">
    <h2 id="activity-title">${t('analytics.activity.title')}</h2>
    <p class="meta">${t('analytics.activity.definition', { zone: data.zone })}</p>
    ${barChart(ctx, {
      id: 'chart-days',
      title: t('analytics.days.title', { n: days.length }),
      desc: t('analytics.days.desc', {
        from: dayLabel(ctx, days[0]!.day, true),
        to: dayLabel(ctx, last!.day, true),
        peak: count(ctx, peak(days)),
        today: count(ctx, last!.learners),
      }),
      tableId: 'table-days',
      bars: days.map((d, i) => ({
        value: d.learners,
        short: (days.length - 1 - i) % 14 === 0 ? dayLabel(ctx, d.day) : '',
      })),
    })}
    ${tableBlock(ctx, data, {
      id: 'table-days',
      caption: t('analytics.days.caption'),
      csv: 'days',
      head: html`<tr>
        <th scope="col">${t('analytics.col.day')}</th>
        <th scope="col">${t('analytics.col.active')}</th>
      </tr>`,
      rows: [...days].reverse().map(
        (d) =>
          html`<tr>
            <th scope="row"><time datetime="${d.day}">${dayLabel(ctx, d.day, true)}</time></th>
            <td>${count(ctx, d.learners)}</td>
          </tr>`,
      ),
    })}
    ${barChart(ctx, {
      id: 'chart-weeks',
      title: t('analytics.weeks.title'),
      desc: t('analytics.weeks.desc', { n: weeks.length, peak: count(ctx, peak(weeks)) }),
      tableId: 'table-weeks',
      bars: weeks.map((w, i) => ({
        value: w.learners,
        short: weeks.length <= 12 || (weeks.length - 1 - i) % 4 === 0 ? dayLabel(ctx, w.week) : '',
      })),
    })}
    ${tableBlock(ctx, data, {
      id: 'table-weeks',
      caption: t('analytics.weeks.caption'),
      csv: 'weeks',
      head: html`<tr>
        <th scope="col">${t('analytics.col.weekOf')}</th>
        <th scope="col">${t('analytics.col.active')}</th>
      </tr>`,
      rows: [...weeks].reverse().map(
        (w) =>
          html`<tr>
            <th scope="row"><time datetime="${w.week}">${dayLabel(ctx, w.week, true)}</time></th>
            <td>${count(ctx, w.learners)}</td>
          </tr>`,
      ),
    })}
  </section>`;
}

function funnelSection(ctx: PageContext, data: AnalyticsPageData): SafeHtml {
  const { t } = ctx;
  const { funnelWeeks, funnelItems, learners } = data.figures;
  const of = (value: number) => `${count(ctx, value)} (${percent(ctx, learners > 0 ? value / learners : null)})`;
  return html`<section aria-labelledby="funnel-title">
    <h2 id="funnel-title">${t('analytics.funnel.title')}</h2>
    <p class="meta">${t('analytics.funnel.definition', { n: count(ctx, learners) })}</p>
    ${
      funnelWeeks.length > 0
        ? barChart(ctx, {
            id: 'chart-funnel',
            title: t('analytics.funnel.chart'),
            desc: funnelWeeks.map((w) => t('analytics.funnel.value', { n: w.week, learners: of(w.reached) })).join(' '),
            tableId: 'table-funnel-weeks',
            bars: funnelWeeks.map((w) => ({ value: w.reached, short: t('analytics.weekShort', { n: w.week }) })),
          })
        : ''
    }
    ${tableBlock(ctx, data, {
      id: 'table-funnel-weeks',
      caption: t('analytics.funnel.weeksCaption'),
      csv: 'funnel-weeks',
      head: html`<tr>
        <th scope="col">${t('analytics.col.week')}</th>
        <th scope="col">${t('analytics.col.items')}</th>
        <th scope="col">${t('analytics.col.reached')}</th>
        <th scope="col">${t('analytics.col.completed')}</th>
      </tr>`,
      rows: funnelWeeks.map(
        (w) =>
          html`<tr>
            <th scope="row">${t('analytics.weekName', { n: w.week })}</th>
            <td>${count(ctx, w.items)}</td>
            <td>${of(w.reached)}</td>
            <td>${of(w.completed)}</td>
          </tr>`,
      ),
    })}
    ${tableBlock(ctx, data, {
      id: 'table-funnel-items',
      caption: t('analytics.funnel.itemsCaption'),
      csv: 'funnel-items',
      head: html`<tr>
        <th scope="col">${t('analytics.col.item')}</th>
        <th scope="col">${t('analytics.col.week')}</th>
        <th scope="col">${t('analytics.col.opened')}</th>
        <th scope="col">${t('analytics.col.done')}</th>
      </tr>`,
      rows: funnelItems.map(
        (i) =>
          html`<tr>
            <th scope="row">
              <a href="${courseItemUrl(data.course.slug, i.route)}">${i.title}</a>
              <span class="item-kind"
                >${t(`analytics.type.${i.type === 'quiz' ? 'quiz' : i.type === 'video' ? 'video' : 'notebook'}`)}</span
              >
            </th>
            <td>${i.week ?? '—'}</td>
            <td>${of(i.opened)}</td>
            <td>${of(i.done)}</td>
          </tr>`,
      ),
    })}
  </section>`;
}

function failingList(ctx: PageContext, e: ExerciseFigures): SafeHtml {
  const { t } = ctx;
  if (e.failingRows.length === 0) return html`—`;
  return html`<ol class="failing-rows">
    ${e.failingRows.map(
      (r) =>
        html`<li>
          ${r.hidden ? html`<span class="tag">${t('analytics.exercises.hidden')}</span> ` : ''}<code>${r.call}</code>
          — ${t('analytics.exercises.failures', { n: count(ctx, r.failures) })}
        </li>`,
    )}
  </ol>`;
}

function exercisesSection(ctx: PageContext, data: AnalyticsPageData): SafeHtml {
  const { t } = ctx;
  const { exercises } = data.figures;
  const submissions = exercises.reduce((n, e) => n + e.submissions, 0);
  const passes = exercises.reduce((n, e) => n + e.passes, 0);
  return html`<section aria-labelledby="exercises-title">
    <h2 id="exercises-title">${t('analytics.exercises.title')}</h2>
    <p class="meta">
      ${t('analytics.exercises.summary', {
        submissions: count(ctx, submissions),
        passes: count(ctx, passes),
        failures: count(ctx, submissions - passes),
      })}
    </p>
    ${tableBlock(ctx, data, {
      id: 'table-exercises',
      caption: t('analytics.exercises.caption'),
      csv: 'exercises',
      head: html`<tr>
        <th scope="col">${t('analytics.col.exercise')}</th>
        <th scope="col">${t('analytics.col.tried')}</th>
        <th scope="col">${t('analytics.col.success')}</th>
        <th scope="col">${t('analytics.col.submissions')}</th>
        <th scope="col">${t('analytics.col.meanAttempts')}</th>
        <th scope="col">${t('analytics.col.medianAttempts')}</th>
        <th scope="col">${t('analytics.col.failingRows')}</th>
      </tr>`,
      rows: exercises.map(
        (e) =>
          html`<tr>
            <th scope="row">
              <code>${e.name}</code>
              ${
                e.route
                  ? html`<span class="meta"
                      ><a href="${courseItemUrl(data.course.slug, e.route)}">${e.notebookTitle}</a></span
                    >`
                  : ''
              }
            </th>
            <td>${count(ctx, e.tried)}</td>
            <td>${percent(ctx, e.tried > 0 ? e.passed / e.tried : null)}</td>
            <td>${t('analytics.exercises.passes', { n: count(ctx, e.submissions), passes: count(ctx, e.passes) })}</td>
            <td>${decimal(ctx, e.meanAttempts)}</td>
            <td>${decimal(ctx, e.medianAttempts)}</td>
            <td>${failingList(ctx, e)}</td>
          </tr>`,
      ),
    })}
    <p class="analytics-csv">
      <a href="${runAnalyticsUrl(data.course.slug, data.run.slug)}/failing-rows.csv" download
        >${t('analytics.csv', { table: t('analytics.exercises.failingCaption') })}</a
      >
    </p>
  </section>`;
}

function quizzesSection(ctx: PageContext, data: AnalyticsPageData): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="quizzes-title">
    <h2 id="quizzes-title">${t('analytics.quizzes.title')}</h2>
    ${tableBlock(ctx, data, {
      id: 'table-quizzes',
      caption: t('analytics.quizzes.caption'),
      csv: 'quizzes',
      head: html`<tr>
        <th scope="col">${t('analytics.col.problem')}</th>
        <th scope="col">${t('analytics.col.week')}</th>
        <th scope="col">${t('analytics.col.learners')}</th>
        <th scope="col">${t('analytics.col.rightFirst')}</th>
        <th scope="col">${t('analytics.col.meanFirst')}</th>
        <th scope="col">${t('analytics.col.rightEver')}</th>
        <th scope="col">${t('analytics.col.attempts')}</th>
      </tr>`,
      rows: data.figures.quizzes.map(
        (q) =>
          html`<tr>
            <th scope="row"><a href="${courseItemUrl(data.course.slug, q.route)}#${q.problem}">${q.title}</a></th>
            <td>${q.week ?? '—'}</td>
            <td>${count(ctx, q.learners)}</td>
            <td>${percent(ctx, q.rightFirst)}</td>
            <td>${percent(ctx, q.meanFirstScore)}</td>
            <td>${percent(ctx, q.rightEver)}</td>
            <td>${count(ctx, q.attempts)}</td>
          </tr>`,
      ),
    })}
  </section>`;
}

/** When a big session's figures were counted, or that they are being counted (ADR 049). */
function countedNote(ctx: PageContext, data: AnalyticsPageData): SafeHtml {
  const { t } = ctx;
  const { counted, countedAt, refreshing } = data.figures;
  if (!counted) return html`<p class="notice" role="status">${t('analytics.counting')}</p>`;
  if (countedAt === null) return html``;
  return html`<p class="meta">
    ${t('analytics.countedAt', { date: formatDate(countedAt, ctx.lang, data.zone, true) })}
    ${refreshing ? t('analytics.refreshing') : ''}
  </p>`;
}

/** `GET /manage/courses/<slug>/runs/<run>/analytics`: a session's figures for its staff. */
export function analyticsView(ctx: PageContext, data: AnalyticsPageData): string {
  const { t } = ctx;
  const title = t('analytics.title', { run: data.run.title });
  const main = html`<div class="analytics-page">
    <h1>${title}</h1>
    <p>${t('analytics.intro', { n: count(ctx, data.figures.learners) })}</p>
    ${countedNote(ctx, data)}
    <nav aria-label="${t('analytics.toc')}">
      <ul class="inline-list">
        <li><a href="#activity-title">${t('analytics.activity.title')}</a></li>
        <li><a href="#funnel-title">${t('analytics.funnel.title')}</a></li>
        <li><a href="#exercises-title">${t('analytics.exercises.title')}</a></li>
        <li><a href="#quizzes-title">${t('analytics.quizzes.title')}</a></li>
      </ul>
    </nav>
    ${activitySection(ctx, data)} ${funnelSection(ctx, data)} ${exercisesSection(ctx, data)}
    ${quizzesSection(ctx, data)}
  </div>`;
  return layout(ctx, {
    title,
    main,
    bodyClass: 'page-analytics',
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: data.course.title, href: manageCourseUrl(data.course.slug) },
      { label: data.run.title, href: runUrl(data.course.slug, data.run.slug) },
      { label: t('analytics.crumb') },
    ],
  });
}
