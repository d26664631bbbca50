import type { Activity, SchoolClass } from '../../db/schema.ts';
import type { Translate } from '../../i18n/index.ts';
import type { Following, FollowingRow } from '../../lib/activities/activities.ts';
import { MODES } from '../../lib/activities/rules.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { dashboardUrl, teachActivityPupilUrl, teachActivityUrl, teachClassUrl, teachUrl } from '../../lib/urls.ts';
import type { ClassActivityEntry } from '../../models/activities.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { modeText, stateText } from '../activities/activities.view.ts';

const crumbs = (t: Translate, c: SchoolClass, extra: { label: string; href?: string }[]) => [
  { label: t('dashboard.title'), href: dashboardUrl() },
  { label: t('teach.title'), href: teachUrl() },
  { label: c.name, href: teachClassUrl(c.id) },
  ...extra,
];

/** The class page's list of activities and the link to assign one. */
export function classActivitiesSection(
  ctx: PageContext,
  classId: number,
  activities: ClassActivityEntry[],
  pupils: number,
  zone: string,
): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="activities-title">
    <h2 id="activities-title">${t('activity.list.title')}</h2>
    ${
      activities.length === 0
        ? html`<p class="empty">${t('activity.list.none')}</p>`
        : html`<ul class="activity-list">
            ${activities.map(
              (a) =>
                html`<li>
                  <a href="${teachActivityUrl(a.id)}">${a.title}</a>
                  <span class="meta"
                    >${t('activity.due', { date: formatDate(a.closes_at, ctx.lang, zone, true) })} ·
                    ${t('activity.list.counts', { opened: a.opened, handed: a.handed_in, pupils })}</span
                  >
                </li>`,
            )}
          </ul>`
    }
    <p><a class="button" href="${teachClassUrl(classId)}/activities/new">${t('activity.new')}</a></p>
  </section>`;
}

export interface ActivityFormData {
  schoolClass: SchoolClass;
  /** Assigning: the courses to pick from, the chosen one and its items; editing: the activity. */
  courses?: { slug: string; title: string }[];
  /** The teacher's own notebooks (private courses, ADR 052), offered beside the catalogue. */
  notebooks?: { slug: string; title: string }[];
  course?: { slug: string; title: string; items: { route: string; title: string; type: string }[] } | null;
  activity?: Activity;
  form: FormState;
  csrf: string;
}

function selectField(
  t: Translate,
  form: FormState,
  name: string,
  label: string,
  options: { value: string; label: string }[],
  groups?: { label: string; options: { value: string; label: string }[] }[],
): SafeHtml {
  const error = form.errors[name];
  const chosen = form.values[name] ?? '';
  return html`<div class="field${error ? ' field-error' : ''}">
    <label for="f-${name}">${label}</label>
    ${error ? html`<p class="error-message" id="f-${name}-error">${t(error)}</p>` : ''}
    <select
      id="f-${name}"
      name="${name}"
      required
      ${error ? html`aria-invalid="true" aria-describedby="f-${name}-error"` : ''}
    >
      ${options.map((o) => html`<option value="${o.value}" ${o.value === chosen ? html`selected` : ''}>${o.label}</option>`)}
      ${(groups ?? []).map(
        (g) =>
          html`<optgroup label="${g.label}">
            ${g.options.map((o) => html`<option value="${o.value}" ${o.value === chosen ? html`selected` : ''}>${o.label}</option>`)}
          </optgroup>`,
      )}
    </select>
  </div>`;
}

/** Title, dates and mode. */
function activityFields(t: Translate, form: FormState, zoneHint: string): SafeHtml {
  return html`${field(t, form, {
      name: 'title',
      label: t('activity.field.title'),
      hint: t('activity.field.titleHint'),
      maxlength: 200,
    })}
    ${field(t, form, { name: 'opens', label: t('activity.field.opens'), type: 'datetime-local', required: true, hint: zoneHint })}
    ${field(t, form, { name: 'closes', label: t('activity.field.closes'), type: 'datetime-local', required: true, hint: zoneHint })}
    <fieldset class="field${form.errors['mode'] ? ' field-error' : ''}">
      <legend>${t('activity.field.mode')}</legend>
      ${form.errors['mode'] ? html`<p class="error-message">${t(form.errors['mode'])}</p>` : ''}
      ${MODES.map(
        (m) =>
          html`<label class="radio"
            ><input
              type="radio"
              name="mode"
              value="${m}"
              ${(form.values['mode'] ?? 'hand-in') === m ? html`checked` : ''}
            />
            ${modeText(t, m)}</label
          >`,
      )}
    </fieldset>`;
}

/** Assigning an activity (course, then item, then dates) or editing one; works without JavaScript. */
export function activityFormView(ctx: PageContext, data: ActivityFormData, zone: string): string {
  const { t } = ctx;
  const c = data.schoolClass;
  const zoneHint = t('activity.field.zone', { zone });
  let main: SafeHtml;
  if (data.activity) {
    const a = data.activity;
    main = html`<h1>${t('activity.edit.title', { title: a.title })}</h1>
      ${formAlert(t, data.form)}
      <form method="post" action="${teachActivityUrl(a.id)}/edit" class="stack-form" novalidate>
        ${csrfField(data.csrf)} ${activityFields(t, data.form, zoneHint)}
        <p><button type="submit" class="button">${t('activity.edit.save')}</button></p>
      </form>
      <h2>${t('activity.delete.title')}</h2>
      <form method="post" action="${teachActivityUrl(a.id)}/delete" class="stack-form">
        ${csrfField(data.csrf)}
        <label class="confirm-check"
          ><input type="checkbox" name="confirm" value="1" required /> ${t('activity.delete.confirm')}</label
        >
        <p><button type="submit" class="button button-danger">${t('activity.delete.submit')}</button></p>
      </form>`;
  } else {
    const base = `${teachClassUrl(c.id)}/activities`;
    main = html`<h1>${t('activity.new')}</h1>
      <form method="get" action="${base}/new" class="stack-form">
        ${selectField(
          t,
          {
            values: { course: data.course?.slug ?? '' },
            errors: data.form.errors['course'] ? { course: data.form.errors['course'] } : {},
          },
          'course',
          t('activity.field.course'),
          [],
          [
            {
              label: t('activity.field.catalogue'),
              options: (data.courses ?? []).map((co) => ({ value: co.slug, label: co.title })),
            },
            ...((data.notebooks ?? []).length > 0
              ? [
                  {
                    label: t('activity.field.ownNotebooks'),
                    options: (data.notebooks ?? []).map((n) => ({ value: n.slug, label: n.title })),
                  },
                ]
              : []),
          ],
        )}
        <p><button type="submit" class="button button-secondary">${t('activity.field.chooseCourse')}</button></p>
      </form>
      ${
        data.course
          ? html`${formAlert(t, data.form)}
              <form method="post" action="${base}" class="stack-form" novalidate>
                ${csrfField(data.csrf)}
                <input type="hidden" name="course" value="${data.course.slug}" />
                ${selectField(
                  t,
                  data.form,
                  'route',
                  t('activity.field.item'),
                  data.course.items.map((i) => ({
                    value: i.route,
                    label: `${i.title} (${t(i.type === 'quiz' ? 'activity.kind.quiz' : 'activity.kind.notebook')})`,
                  })),
                )}
                ${activityFields(t, data.form, zoneHint)}
                <p><button type="submit" class="button">${t('activity.create')}</button></p>
              </form>`
          : ''
      }`;
  }
  return layout(ctx, {
    title: data.activity ? t('activity.edit.title', { title: data.activity.title }) : t('activity.new'),
    main,
    breadcrumb: crumbs(t, c, [{ label: data.activity ? data.activity.title : t('activity.new') }]),
  });
}

/** The following table's body: one row per pupil in class-list order. */
export function followingTable(ctx: PageContext, activity: Activity, following: Following, zone: string): SafeHtml {
  const { t } = ctx;
  const date = (iso: string | null) => (iso ? formatDate(iso, ctx.lang, zone, true) : '—');
  const row = (r: FollowingRow) =>
    html`<tr data-pupil="${r.pupil.user_id}" data-state="${r.state}">
      <th scope="row"><a href="${teachActivityPupilUrl(activity.id, r.pupil.user_id)}">${r.pupil.display_name}</a></th>
      <td class="state state-${r.state}">${stateText(t, r.state)}</td>
      ${
        activity.kind === 'quiz'
          ? html`<td>${r.quiz ? `${r.quiz.score} / ${r.quiz.max}` : '—'}</td>`
          : r.exercises.map(
              (e) =>
                html`<td>
                  ${e.passed ? html`<span aria-hidden="true">✓</span> ${t('activity.table.passed')}` : e.attempts > 0 ? t('activity.table.failed') : '—'}
                  ${e.attempts > 0 ? html`<span class="meta">(${t('activity.table.attempts', { n: e.attempts })})</span>` : ''}
                </td>`,
            )
      }
      <td>${date(r.lastActivity)}</td>
      <td>${r.row?.mark ?? ''}</td>
    </tr>`;
  return html`<table class="following-table" id="following-table">
    <caption class="visually-hidden">
      ${t('activity.table.caption')}
    </caption>
    <thead>
      <tr>
        <th scope="col">${t('class.pupils.col.name')}</th>
        <th scope="col">${t('activity.table.state')}</th>
        ${
          activity.kind === 'quiz'
            ? html`<th scope="col">${t('activity.table.quiz')}</th>`
            : following.exercises.map(
                (e) => html`<th scope="col"><code>${e.ref.replace(/^corrections\./, '')}</code></th>`,
              )
        }
        <th scope="col">${t('activity.table.last')}</th>
        <th scope="col">${t('activity.table.mark')}</th>
      </tr>
    </thead>
    <tbody>
      ${following.rows.map(row)}
    </tbody>
    ${
      activity.kind === 'notebook' && following.exercises.length > 0
        ? html`<tfoot>
            <tr>
              <th scope="row">${t('activity.table.class')}</th>
              <td></td>
              ${following.exercises.map(
                (e) =>
                  html`<td>
                    ${t('activity.table.rate', {
                      rate: following.rows.length ? Math.round((100 * e.passed) / following.rows.length) : 0,
                    })}
                    <span class="meta">(${t('activity.table.attempts', { n: e.attempts })})</span>
                  </td>`,
              )}
              <td></td>
              <td></td>
            </tr>
          </tfoot>`
        : ''
    }
  </table>`;
}

export interface FollowingPageData {
  schoolClass: SchoolClass;
  activity: Activity;
  following: Following;
  zone: string;
  notice?: string | undefined;
}

/** An activity's page for its teachers: details, the live table, exports. */
export function followingView(ctx: PageContext, data: FollowingPageData): string {
  const { t } = ctx;
  const a = data.activity;
  const base = teachActivityUrl(a.id);
  const date = (iso: string) => formatDate(iso, ctx.lang, data.zone, true);
  const main = html`<h1>${a.title}</h1>
    ${notice(data.notice)}
    <p class="meta">
      ${t('activity.opens', { date: date(a.opens_at) })} · ${t('activity.due', { date: date(a.closes_at) })}
    </p>
    <p>${modeText(t, a.mode)}</p>
    <p class="button-row">
      <a class="button button-secondary" href="${base}/edit">${t('activity.edit.link')}</a>
      <a class="button button-secondary" href="${base}/marks.csv" download>${t('activity.export.csv')}</a>
      ${a.kind === 'notebook' ? html`<a class="button button-secondary" href="${base}/notebooks.zip" download>${t('activity.export.zip')}</a>` : ''}
    </p>
    <section aria-labelledby="following-title">
      <h2 id="following-title">${t('activity.table.title')}</h2>
      <p class="hint" id="following-live" data-url="${base}/table" aria-live="polite">${t('activity.table.live')}</p>
      <div class="table-scroll" tabindex="0" id="following-box">
        ${followingTable(ctx, a, data.following, data.zone)}
      </div>
    </section>`;
  return layout(ctx, {
    title: a.title,
    main,
    breadcrumb: crumbs(t, data.schoolClass, [{ label: a.title }]),
    head: html`<script type="module" src="${ctx.asset('activity-follow.js')}"></script>`,
  });
}

export interface ReviewPartsData {
  activity: Activity;
  pupilName: string;
  pupilId: number;
  state: string;
  mark: string | null;
  feedback: string | null;
  handedIn: boolean;
  cells: { id: string; number: number }[];
  comments: SafeHtml;
  csrf: string;
  notice?: string | undefined;
}

/** Above the teacher's read-only view of a copy: whose it is, its state. */
export function reviewTop(ctx: PageContext, data: ReviewPartsData): SafeHtml {
  const { t } = ctx;
  return html`<section class="activity-banner" aria-labelledby="review-title">
    <h1 id="review-title">${t('activity.review.title', { name: data.pupilName, title: data.activity.title })}</h1>
    ${notice(data.notice)}
    <p><strong>${t('activity.table.state')}</strong> ${data.state}</p>
    <p class="notice">${t('activity.review.readOnly')}</p>
    <p><a href="#review-tools">${t('activity.review.toTools')}</a></p>
  </section>`;
}

/** Below it: comments on cells, the mark and feedback, reopening. */
export function reviewBottom(ctx: PageContext, data: ReviewPartsData): SafeHtml {
  const { t } = ctx;
  const base = teachActivityPupilUrl(data.activity.id, data.pupilId);
  return html`<section id="review-tools" class="review-tools" aria-labelledby="comments-title">
    <h2 id="comments-title">${t('activity.comments.title')}</h2>
    ${data.comments}
    ${
      data.cells.length > 0
        ? html`<form method="post" action="${base}/comments" class="stack-form">
            ${csrfField(data.csrf)}
            <div class="field">
              <label for="f-cell">${t('activity.comments.cellField')}</label>
              <select id="f-cell" name="cell">
                ${data.cells.map((c) => html`<option value="${c.id}">${t('activity.comments.cell', { n: c.number })}</option>`)}
              </select>
            </div>
            <div class="field">
              <label for="f-comment">${t('activity.comments.body')}</label>
              <textarea id="f-comment" name="body" rows="3" maxlength="4000" required></textarea>
            </div>
            <p><button type="submit" class="button">${t('activity.comments.add')}</button></p>
          </form>`
        : ''
    }
    <h2 id="mark-title">${t('activity.mark.title')}</h2>
    <form method="post" action="${base}/mark" class="stack-form" aria-labelledby="mark-title">
      ${csrfField(data.csrf)}
      <div class="field">
        <label for="f-mark">${t('activity.mark.field')}</label>
        <input id="f-mark" name="mark" maxlength="20" value="${data.mark ?? ''}" />
      </div>
      <div class="field">
        <label for="f-feedback">${t('activity.mark.feedback')}</label>
        <textarea id="f-feedback" name="feedback" rows="4" maxlength="4000">${data.feedback ?? ''}</textarea>
      </div>
      <p><button type="submit" class="button">${t('activity.mark.save')}</button></p>
    </form>
    ${
      data.handedIn
        ? html`<form method="post" action="${base}/reopen" class="inline-form">
            ${csrfField(data.csrf)}
            <button type="submit" class="button button-secondary">${t('activity.review.reopen')}</button>
          </form>`
        : ''
    }
    <p><a href="${teachActivityUrl(data.activity.id)}">${t('activity.review.back')}</a></p>
  </section>`;
}

export { crumbs as activityCrumbs };
