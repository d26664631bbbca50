import type { Run } from '../../db/schema.ts';
import type { GradedKind, ItemGrade, LearnerGrade, WeekGrade } from '../../lib/grades/policy.ts';
import { GRADED_KINDS } from '../../lib/grades/policy.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import {
  catalogueUrl,
  courseItemUrl,
  courseProgressUrl,
  courseUrl,
  dashboardUrl,
  loginUrl,
  signupUrl,
} from '../../lib/urls.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { itemStatusMark } from '../../views/progress.ts';
import type { ItemStatus } from '../../lib/progress/status.ts';
import { layout, type PageContext } from '../../views/layout.ts';

/** A learner's grade in their session and what the page needs around it. */
export interface LearnerProgress {
  run: Run;
  grade: LearnerGrade;
  graceMinutes: number;
  /** Attempts per quiz problem in the session (0 = unlimited). */
  attemptsAllowed: number;
  /** `<route>#<problem>` → attempts made and the problem's points. */
  attempts: Map<string, { used: number; max: number }>;
  /** Week number → its theme (CONTENTS.md). */
  themes: Map<number, string | null>;
  zone: string;
  now: Date;
  /** The version's video pages and whether the learner has watched them (never graded). */
  videos: { route: string; title: string; status: ItemStatus }[];
}

export type ProgressPageData = { slug: string; courseTitle: string } & (
  { state: 'anonymous' } | { state: 'not-enrolled' } | { state: 'learner'; learner: LearnerProgress }
);

/** What a graded item shows as its status. */
export type ItemState = 'done' | 'todo' | 'missed' | 'late';

const MINUTE_MS = 60_000;

/** The last moment results count for an item's week (its due date plus the grace period), or null. */
function deadlineOf(due: string | null, graceMinutes: number): number | null {
  return due === null ? null : Date.parse(due) + graceMinutes * MINUTE_MS;
}

/** An item's status: done (a counted score), late (only results after the deadline), missed or not yet. */
export function itemState(item: ItemGrade, graceMinutes: number, now: Date): ItemState {
  if (item.score !== null) return 'done';
  if (item.late > 0) return 'late';
  const deadline = deadlineOf(item.due, graceMinutes);
  return deadline !== null && now.getTime() > deadline ? 'missed' : 'todo';
}

/** Attempts left at a quiz problem (Infinity when unlimited); exercises can always be retried. */
function attemptsLeft(p: LearnerProgress, item: ItemGrade): number {
  if (item.item.kind !== 'quiz' || p.attemptsAllowed === 0) return Infinity;
  return Math.max(0, p.attemptsAllowed - (p.attempts.get(`${item.item.route}#${item.item.ref}`)?.used ?? 0));
}

/** What remains to do: before the next due date, in a session without due dates, or nothing (all past). */
export type Remaining =
  | { kind: 'next'; due: string; weeks: WeekGrade[]; items: ItemGrade[] }
  | { kind: 'no-due'; items: ItemGrade[] }
  | { kind: 'over' };

/**
 * What remains before the next due date: the weeks whose results still count (deadline ahead) and
 * that are due first, and their counted items not fully done — not attempted, or a quiz problem
 * below full marks with attempts left. In a session without due dates, every week's.
 */
export function remainingWork(p: LearnerProgress): Remaining {
  const now = p.now.getTime();
  const todo = (weeks: WeekGrade[]) =>
    weeks
      .flatMap((w) => w.items)
      .filter(
        (i) => i.counted && (i.score === null || (i.item.kind === 'quiz' && i.score < 1 && attemptsLeft(p, i) > 0)),
      );
  const open = p.grade.weeks.filter((w) => {
    const deadline = deadlineOf(w.due, p.graceMinutes);
    return deadline !== null && deadline > now;
  });
  if (open.length > 0) {
    const due = open.map((w) => w.due!).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
    const weeks = open.filter((w) => Date.parse(w.due!) <= Date.parse(due));
    return { kind: 'next', due, weeks, items: todo(weeks) };
  }
  if (p.grade.weeks.every((w) => w.due === null)) return { kind: 'no-due', items: todo(p.grade.weeks) };
  return { kind: 'over' };
}

/** The learner's progress page: grade against the threshold, what remains, a chart and tables per week. */
export function progressView(ctx: PageContext, data: ProgressPageData): string {
  const { t } = ctx;
  const breadcrumb = [
    { label: t('nav.catalogue'), href: catalogueUrl() },
    { label: data.courseTitle, href: courseUrl(data.slug) },
    { label: t('progressPage.title') },
  ];
  const title = t('progressPage.heading', { course: data.courseTitle });
  let main: SafeHtml;
  if (data.state === 'anonymous') {
    main = html`<h1>${title}</h1>
      <p>${t('progressPage.anonymous')}</p>
      <ul class="error-links">
        <li><a href="${loginUrl(courseProgressUrl(data.slug))}">${t('nav.login')}</a></li>
        <li><a href="${signupUrl()}">${t('nav.signup')}</a></li>
        <li><a href="${courseUrl(data.slug)}">${t('progressPage.toCourse')}</a></li>
      </ul>`;
  } else if (data.state === 'not-enrolled') {
    main = html`<h1>${title}</h1>
      <p>${t('progressPage.notEnrolled')}</p>
      <ul class="error-links">
        <li><a href="${courseUrl(data.slug)}">${t('progressPage.toCourse')}</a></li>
        <li><a href="${dashboardUrl()}">${t('progressPage.toDashboard')}</a></li>
      </ul>`;
  } else {
    main = learnerMain(ctx, data.slug, title, data.learner);
  }
  return layout(ctx, { title: t('progressPage.title'), main, breadcrumb, bodyClass: 'page-progress' });
}

/** The videos watched: progress only, never part of the grade. */
function videosSection(ctx: PageContext, slug: string, p: LearnerProgress): SafeHtml {
  if (p.videos.length === 0) return html``;
  const done = p.videos.filter((v) => v.status === 'done').length;
  return html`<section class="progress-videos" aria-labelledby="progress-videos-title">
    <h2 id="progress-videos-title">${ctx.t('progressPage.videosTitle')}</h2>
    <p>${ctx.t('progressPage.videos', { done, total: p.videos.length })}</p>
    <ul class="items">
      ${p.videos.map(
        (v) => html`<li><a href="${courseItemUrl(slug, v.route)}">${v.title}</a> ${itemStatusMark(ctx, v.status)}</li>`,
      )}
    </ul>
  </section>`;
}

function learnerMain(ctx: PageContext, slug: string, title: string, p: LearnerProgress): SafeHtml {
  const { t } = ctx;
  const hasItems = p.grade.weeks.some((w) => w.items.length > 0);
  return html`<h1>${title}</h1>
    <p class="lead">${t('progressPage.session', { title: p.run.title })}</p>
    ${
      hasItems
        ? html`${gradeSection(ctx, p)} ${remainingSection(ctx, slug, p)} ${weeksSection(ctx, p)}
          ${detailsSection(ctx, slug, p)}`
        : html`<p>${t('progressPage.noItems')}</p>`
    }
    ${videosSection(ctx, slug, p)}`;
}

/** A share (0 to 1) as a percentage, with one decimal where useful: "42,5 %", "50 %". */
export function percent(lang: string, value: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

function points(lang: string, value: number): string {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(value);
}

function gradeSection(ctx: PageContext, p: LearnerProgress): SafeHtml {
  const { t, lang } = ctx;
  const { grade, threshold, passed, types } = p.grade;
  const counted = GRADED_KINDS.filter((k) => types[k].items > 0 && types[k].weight > 0);
  const totalWeight = counted.reduce((s, k) => s + types[k].weight, 0);
  const status =
    counted.length === 0
      ? t('progressPage.grade.nothingCounts')
      : passed
        ? t('progressPage.grade.passed')
        : t('progressPage.grade.notYet', { missing: percent(lang, Math.max(0, threshold - grade)) });
  return html`<section class="grade-summary" aria-labelledby="grade-title">
    <h2 id="grade-title">${t('progressPage.grade.title')}</h2>
    <p class="grade-value">
      ${t('progressPage.grade.value', { grade: percent(lang, grade), threshold: percent(lang, threshold) })}
    </p>
    <div class="grade-meter">
      <meter
        min="0"
        max="1"
        low="${threshold}"
        high="${threshold}"
        optimum="1"
        value="${grade}"
        aria-label="${t('progressPage.grade.meter', { threshold: percent(lang, threshold) })}"
      >
        ${percent(lang, grade)}
      </meter>
    </div>
    <p class="grade-status ${passed ? 'grade-passed' : 'grade-not-yet'}">
      <span aria-hidden="true">${passed ? '✓' : '○'}</span> ${status}
    </p>
    <table class="progress-table types-table">
      <caption>
        ${t('progressPage.types.caption')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('progressPage.types.type')}</th>
          <th scope="col">${t('progressPage.types.score')}</th>
          <th scope="col">${t('progressPage.types.weight')}</th>
          <th scope="col">${t('progressPage.types.items')}</th>
        </tr>
      </thead>
      <tbody>
        ${GRADED_KINDS.map((kind: GradedKind) => {
          const type = types[kind];
          const counts = counted.includes(kind);
          return html`<tr>
            <th scope="row">${t(`progressPage.types.${kind}`)}</th>
            <td>${counts ? percent(lang, type.score) : '—'}</td>
            <td>${counts ? percent(lang, type.weight / totalWeight) : t('progressPage.types.notCounted')}</td>
            <td>${type.items}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    <p class="late-note">${t('progressPage.lateNote')}</p>
  </section>`;
}

function weekName(ctx: PageContext, p: LearnerProgress, week: number | null): string {
  if (week === null) return ctx.t('progressPage.week.other');
  const theme = p.themes.get(week);
  return theme ? ctx.t('progressPage.week.theme', { n: week, theme }) : ctx.t('progressPage.week.name', { n: week });
}

/** A week counts when some of its items do (its number is among the policy's weeks, their kind has a weight). */
function weekCounts(week: WeekGrade): boolean {
  return week.items.some((i) => i.counted);
}

function dueText(ctx: PageContext, p: LearnerProgress, due: string | null): string {
  return due === null ? '—' : formatDate(due, ctx.lang, p.zone, true);
}

function itemLink(slug: string, item: ItemGrade): string {
  const url = courseItemUrl(slug, item.item.route);
  return item.item.kind === 'quiz' ? `${url}#${encodeURIComponent(item.item.ref)}` : url;
}

function remainingSection(ctx: PageContext, slug: string, p: LearnerProgress): SafeHtml {
  const { t, lang } = ctx;
  const r = remainingWork(p);
  let body: SafeHtml;
  if (r.kind === 'over') {
    body = html`<p>${t('progressPage.remaining.over')}</p>`;
  } else {
    const intro =
      r.kind === 'no-due'
        ? t('progressPage.remaining.noDue')
        : t('progressPage.remaining.next', {
            date: dueText(ctx, p, r.due),
            weeks: r.weeks.map((w) => weekName(ctx, p, w.week)).join(', '),
          });
    body = html`<p>${intro}</p>
      ${
        r.items.length === 0
          ? html`<p>${t('progressPage.remaining.allDone')}</p>`
          : html`<p>${t('progressPage.remaining.todo')}</p>
              <ul class="remaining-list">
                ${r.items.map((i) => {
                  const left = attemptsLeft(p, i);
                  const extra: string[] = [t(`progressPage.kind.${i.item.kind}`)];
                  if (i.score !== null)
                    extra.push(t('progressPage.remaining.improve', { score: percent(lang, i.score) }));
                  if (i.item.kind === 'quiz' && Number.isFinite(left))
                    extra.push(t('progressPage.remaining.attemptsLeft', { n: left }));
                  return html`<li>
                    <a href="${itemLink(slug, i)}">${i.item.title}</a>
                    <span class="meta">(${extra.join(' · ')})</span>
                  </li>`;
                })}
              </ul>`
      }`;
  }
  return html`<section class="remaining" aria-labelledby="remaining-title">
    <h2 id="remaining-title">${t('progressPage.remaining.title')}</h2>
    ${body}
  </section>`;
}

function weeksSection(ctx: PageContext, p: LearnerProgress): SafeHtml {
  const { t, lang } = ctx;
  return html`<section class="weeks-summary" aria-labelledby="weeks-title">
    <h2 id="weeks-title">${t('progressPage.weeks.title')}</h2>
    ${scoreChart(ctx, p)}
    <div class="table-scroll" id="weeks-table" tabindex="0" role="region" aria-labelledby="weeks-caption">
      <table class="progress-table weeks-table">
        <caption id="weeks-caption">
          ${t('progressPage.weeks.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t('progressPage.weeks.week')}</th>
            <th scope="col">${t('progressPage.weeks.due')}</th>
            <th scope="col">${t('progressPage.weeks.counts')}</th>
            <th scope="col">${t('progressPage.weeks.score')}</th>
            <th scope="col">${t('progressPage.weeks.done')}</th>
          </tr>
        </thead>
        <tbody>
          ${p.grade.weeks.map((w) => {
            const done = w.items.filter((i) => i.score !== null).length;
            return html`<tr>
              <th scope="row">
                <a href="#${weekAnchor(w.week)}"
                  >${w.week === null ? t('progressPage.week.other') : t('progressPage.week.name', { n: w.week })}</a
                >
              </th>
              <td>${dueText(ctx, p, w.due)}</td>
              <td>${t(weekCounts(w) ? 'progressPage.yes' : 'progressPage.no')}</td>
              <td>${w.score === null ? '—' : percent(lang, w.score)}</td>
              <td>${done} / ${w.items.length}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

const weekAnchor = (week: number | null): string => (week === null ? 'week-other' : `week-${week}`);

/** Chart geometry, in the SVG's own units (the viewBox scales it to the page's width). */
const CHART = { width: 400, height: 240, left: 54, right: 392, top: 24, bottom: 190 } as const;

/**
 * The scores per week as an inline SVG bar chart with the threshold line: no script, colours from
 * the stylesheet's theme variables (classes), an image to assistive technology named by its title
 * and described by its values; the table of weeks that follows is its text alternative.
 */
export function scoreChart(ctx: PageContext, p: LearnerProgress): SafeHtml {
  const { t, lang } = ctx;
  const weeks = p.grade.weeks;
  const { left, right, top, bottom, width, height } = CHART;
  const y = (share: number) => bottom - Math.min(1, Math.max(0, share)) * (bottom - top);
  const slotWidth = (right - left) / Math.max(1, weeks.length);
  const barWidth = Math.min(48, slotWidth * 0.6);
  const n = (v: number) => Number(v.toFixed(1));
  const threshold = p.grade.threshold;
  const values = weeks
    .map((w) =>
      w.week === null
        ? t('progressPage.chart.otherValue', { score: w.score === null ? '—' : percent(lang, w.score) })
        : w.score === null
          ? t('progressPage.chart.noValue', { n: w.week })
          : t('progressPage.chart.value', { n: w.week, score: percent(lang, w.score) }),
    )
    .join(' ');
  const ticks = [0, 1].filter((tick) => Math.abs(tick - threshold) >= 0.08);
  return html`<figure class="score-chart">
    <svg
      viewBox="0 0 ${width} ${height}"
      role="img"
      aria-labelledby="chart-title chart-desc"
      preserveAspectRatio="xMidYMid meet"
    >
      <title id="chart-title">${t('progressPage.chart.title')}</title>
      <desc id="chart-desc">${t('progressPage.chart.desc', { threshold: percent(lang, threshold), values })}</desc>
      ${ticks.map(
        (tick) =>
          html`<line class="chart-grid" x1="${left}" x2="${right}" y1="${n(y(tick))}" y2="${n(y(tick))}" />
            <text class="chart-label chart-tick" x="${left - 6}" y="${n(y(tick) + 5)}" text-anchor="end">
              ${percent(lang, tick)}
            </text>`,
      )}
      ${weeks.map((w, i) => {
        const cx = left + slotWidth * (i + 0.5);
        const label =
          w.week === null ? t('progressPage.chart.otherShort') : t('progressPage.chart.weekShort', { n: w.week });
        const score = w.score;
        const counted = weekCounts(w);
        return html`<g class="chart-week" data-week="${w.week ?? 'other'}">
          ${
            score === null
              ? ''
              : html`<rect
                  class="chart-bar${counted ? '' : ' chart-bar-uncounted'}"
                  x="${n(cx - barWidth / 2)}"
                  y="${n(y(score))}"
                  width="${n(barWidth)}"
                  height="${n(Math.max(0, bottom - y(score)))}"
                />`
          }
          <text
            class="chart-label chart-value"
            x="${n(cx)}"
            y="${n((score === null ? bottom : y(score)) - 6)}"
            text-anchor="middle"
          >
            ${score === null ? '—' : percent(lang, score)}
          </text>
          <text class="chart-label" x="${n(cx)}" y="${bottom + 20}" text-anchor="middle">${label}</text>
        </g>`;
      })}
      <line class="chart-axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" />
      <line class="chart-threshold" x1="${left}" x2="${right}" y1="${n(y(threshold))}" y2="${n(y(threshold))}" />
      <text class="chart-label chart-threshold-label" x="${left - 6}" y="${n(y(threshold) + 5)}" text-anchor="end">
        ${percent(lang, threshold)}
      </text>
      <line class="chart-threshold" x1="${left}" x2="${left + 28}" y1="${height - 12}" y2="${height - 12}" />
      <text class="chart-label" x="${left + 36}" y="${height - 7}">
        ${t('progressPage.chart.threshold', { threshold: percent(lang, threshold) })}
      </text>
    </svg>
    <figcaption>
      ${t('progressPage.chart.title')} —
      <a href="#weeks-table">${t('progressPage.chart.alternative')}</a>
    </figcaption>
  </figure>`;
}

function detailsSection(ctx: PageContext, slug: string, p: LearnerProgress): SafeHtml {
  const { t } = ctx;
  return html`<section class="week-details" aria-labelledby="details-title">
    <h2 id="details-title">${t('progressPage.details.title')}</h2>
    ${p.grade.weeks.map((w) => weekDetails(ctx, slug, p, w))}
  </section>`;
}

function weekDetails(ctx: PageContext, slug: string, p: LearnerProgress, w: WeekGrade): SafeHtml {
  const { t, lang } = ctx;
  const anchor = weekAnchor(w.week);
  const name = weekName(ctx, p, w.week);
  return html`<section class="week-detail" id="${anchor}" aria-labelledby="${anchor}-title">
    <h3 id="${anchor}-title">${name}</h3>
    <p class="week-facts">
      ${w.due === null ? t('progressPage.week.noDue') : t('progressPage.week.due', { date: dueText(ctx, p, w.due) })}
      ${t(weekCounts(w) ? 'progressPage.week.counts' : 'progressPage.week.notCounted')}
      ${w.score === null ? '' : t('progressPage.week.score', { score: percent(lang, w.score) })}
    </p>
    <div class="table-scroll" tabindex="0" role="region" aria-labelledby="${anchor}-caption">
      <table class="progress-table items-table">
        <caption id="${anchor}-caption">
          ${t('progressPage.week.caption', { week: name })}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t('progressPage.items.item')}</th>
            <th scope="col">${t('progressPage.items.score')}</th>
            <th scope="col">${t('progressPage.items.status')}</th>
            <th scope="col">${t('progressPage.items.attempts')}</th>
          </tr>
        </thead>
        <tbody>
          ${w.items.map((i) => itemRow(ctx, slug, p, i))}
        </tbody>
      </table>
    </div>
  </section>`;
}

function itemRow(ctx: PageContext, slug: string, p: LearnerProgress, i: ItemGrade): SafeHtml {
  const { t, lang } = ctx;
  const state = itemState(i, p.graceMinutes, p.now);
  const tried = i.item.kind === 'quiz' ? p.attempts.get(`${i.item.route}#${i.item.ref}`) : undefined;
  let score: SafeHtml;
  if (i.score === null) {
    score = html`<span aria-hidden="true">—</span
      ><span class="visually-hidden">${t('progressPage.items.noScore')}</span>`;
  } else if (tried && tried.max > 0) {
    score = html`${points(lang, i.score * tried.max)} / ${points(lang, tried.max)}`;
  } else {
    score = html`${percent(lang, i.score)}`;
  }
  const symbol = state === 'done' ? '✓' : state === 'late' ? '!' : '○';
  const attempts =
    i.item.kind !== 'quiz'
      ? '—'
      : p.attemptsAllowed === 0
        ? t('progressPage.attempts.unlimited', { used: tried?.used ?? 0 })
        : t('progressPage.attempts.of', { used: tried?.used ?? 0, max: p.attemptsAllowed });
  return html`<tr class="item-${state}">
    <th scope="row">
      <a href="${itemLink(slug, i)}">${i.item.title}</a>
      <span class="item-kind">${t(`progressPage.kind.${i.item.kind}`)}</span>
    </th>
    <td>${score}</td>
    <td>
      <span class="item-state item-state-${state}"
        ><span aria-hidden="true">${symbol}</span> ${t(`progressPage.status.${state}`)}</span
      >${state === 'done' && i.late > 0 ? html` <span class="meta">${t('progressPage.status.lateToo', { n: i.late })}</span>` : ''}${
        // An exercise staff left out of the grade (no hidden check, ADR 034), in a week that counts.
        !i.counted && i.item.forgeable ? html` <span class="meta">${t('progressPage.items.notCounted')}</span>` : ''
      }
    </td>
    <td>${attempts}</td>
  </tr>`;
}
