import type { SchoolClass, TeacherStatus } from '../../db/schema.ts';
import type { Translate } from '../../i18n/index.ts';
import { LEVELS, levelLabel, ROSTER_MAX } from '../../lib/classes/classes.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { dashboardUrl, joinUrl, teachClassUrl, teachNotebooksUrl, teachUrl } from '../../lib/urls.ts';
import type { ClassPupilEntry, ClassTeacherEntry, TeacherClassEntry } from '../../models/classes.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import type { ClassActivityEntry } from '../../models/activities.ts';
import { classActivitiesSection } from './activity.view.ts';

/** A labelled select of the class levels. */
export function levelSelect(t: Translate, form: FormState): SafeHtml {
  const error = form.errors['level'];
  const chosen = form.values['level'] ?? '';
  return html`<div class="field${error ? ' field-error' : ''}">
    <label for="f-level">${t('classes.field.level')}</label>
    ${error ? html`<p class="error-message" id="f-level-error">${t(error)}</p>` : ''}
    <select
      id="f-level"
      name="level"
      required
      ${error ? html`aria-invalid="true" aria-describedby="f-level-error"` : ''}
    >
      ${LEVELS.map(
        (l) => html`<option value="${l}" ${l === chosen ? html`selected` : ''}>${t(levelLabel(l))}</option>`,
      )}
    </select>
  </div>`;
}

/** The name, year and level fields of a class form. */
function classFields(t: Translate, form: FormState): SafeHtml {
  return html`${field(t, form, { name: 'name', label: t('classes.field.name'), required: true, maxlength: 80 })}
  ${field(t, form, {
    name: 'school_year',
    label: t('classes.field.year'),
    hint: t('classes.field.yearHint'),
    required: true,
    maxlength: 9,
    inputmode: 'numeric',
  })}
  ${levelSelect(t, form)}`;
}

/** A one-button form posting to `action`, with hidden fields. */
export function buttonForm(
  action: string,
  csrf: string,
  label: string,
  fields: Record<string, string> = {},
  extra: SafeHtml | string = '',
): SafeHtml {
  return html`<form method="post" action="${action}" class="inline-form">
    ${csrfField(csrf)} ${Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}
    ${extra}
    <button type="submit" class="button button-secondary">${label}</button>
  </form>`;
}

const crumbs = (t: Translate, extra: { label: string; href?: string }[] = []) => [
  { label: t('dashboard.title'), href: dashboardUrl() },
  { label: t('teach.title'), href: teachUrl() },
  ...extra,
];

export interface TeachHomeData {
  status: TeacherStatus | null;
  /** Pseudonymous pupil accounts cannot ask to teach. */
  pupilAccount: boolean;
  classes: TeacherClassEntry[];
  form: FormState;
  requestForm: FormState;
  csrf: string;
  notice?: string | undefined;
}

/** /teach: a teacher's classes and the new-class form; for anyone else, the request to teach. */
export function teachHomeView(ctx: PageContext, data: TeachHomeData): string {
  const { t } = ctx;
  let body: SafeHtml;
  if (data.status === 'approved') {
    body = html`<p><a href="${teachNotebooksUrl()}">${t('teach.notebooksLink')}</a></p>
      <section aria-labelledby="classes-title">
        <h2 id="classes-title">${t('teach.classes')}</h2>
        ${
          data.classes.length === 0
            ? html`<p class="empty">${t('teach.noClass')}</p>`
            : html`<ul class="class-list">
                ${data.classes.map(
                  (c) =>
                    html`<li>
                      <a href="${teachClassUrl(c.id)}">${c.name}</a>
                      <span class="meta"
                        >${c.school_year} · ${t(levelLabel(c.level))} · ${t('teach.pupilCount', { n: c.pupils })}</span
                      >
                    </li>`,
                )}
              </ul>`
        }
      </section>
      <section aria-labelledby="new-class-title">
        <h2 id="new-class-title">${t('teach.newClass')}</h2>
        ${formAlert(t, data.form)}
        <form method="post" action="${teachUrl()}/classes" class="stack-form" novalidate>
          ${csrfField(data.csrf)} ${classFields(t, data.form)}
          <p><button type="submit" class="button">${t('teach.create')}</button></p>
        </form>
      </section>`;
  } else if (data.status === 'requested') {
    body = html`<p>${t('teach.requested')}</p>`;
  } else if (data.pupilAccount) {
    body = html`<p>${t('teach.pupilAccount')}</p>`;
  } else {
    body = html`<p>${t('teach.notTeacher')}</p>
      ${formAlert(t, data.requestForm)}
      <form method="post" action="${teachUrl()}/request" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        ${field(t, data.requestForm, {
          name: 'school',
          label: t('teach.request.school'),
          hint: t('teach.request.schoolHint'),
          required: true,
          maxlength: 200,
        })}
        <p><button type="submit" class="button">${t('teach.request.submit')}</button></p>
      </form>`;
  }
  const main = html`<h1>${t('teach.title')}</h1>
    ${notice(data.notice)} ${body}`;
  return layout(ctx, {
    title: t('teach.title'),
    main,
    breadcrumb: [{ label: t('dashboard.title'), href: dashboardUrl() }, { label: t('teach.title') }],
  });
}

export interface ClassPageData {
  schoolClass: SchoolClass;
  teachers: ClassTeacherEntry[];
  pupils: ClassPupilEntry[];
  activities: ClassActivityEntry[];
  /** The site's origin, for the join link to copy. */
  origin: string;
  csrf: string;
  me: number;
  detailsForm: FormState;
  teacherForm: FormState;
  rosterForm: FormState;
  notice?: string | undefined;
  zone: string;
}

/** A class's page for its teachers: details, join code, co-teachers, pupils, roster, deletion. */
export function classView(ctx: PageContext, data: ClassPageData): string {
  const { t } = ctx;
  const c = data.schoolClass;
  const base = teachClassUrl(c.id);
  const link = data.origin + joinUrl(c.join_code);
  const main = html`<h1>${c.name}</h1>
    <p class="meta">${c.school_year} · ${t(levelLabel(c.level))}</p>
    ${notice(data.notice)} ${classActivitiesSection(ctx, c.id, data.activities, data.pupils.length, data.zone)}
    <section aria-labelledby="join-title">
      <h2 id="join-title">${t('class.join.title')}</h2>
      ${
        c.join_open === 1
          ? html`<p>${t('class.join.open')}</p>
              <p class="join-code">
                <span class="visually-hidden">${t('class.join.codeLabel')} </span><code>${c.join_code}</code>
              </p>
              <p>${t('class.join.link')} <code class="join-link">${link}</code></p>`
          : html`<p>${t('class.join.closed')}</p>`
      }
      <div class="button-row">
        ${buttonForm(`${base}/code`, data.csrf, t('class.join.regenerate'), { action: 'regenerate' })}
        ${
          c.join_open === 1
            ? buttonForm(`${base}/code`, data.csrf, t('class.join.close'), { action: 'close' })
            : buttonForm(`${base}/code`, data.csrf, t('class.join.reopen'), { action: 'open' })
        }
      </div>
    </section>
    <section aria-labelledby="pupils-title">
      <h2 id="pupils-title">${t('class.pupils.title', { n: data.pupils.length })}</h2>
      ${
        data.pupils.length === 0
          ? html`<p class="empty">${t('class.pupils.none')}</p>`
          : html`<div class="table-scroll" tabindex="0">
              <table class="pupils-table">
                <caption class="visually-hidden">
                  ${t('class.pupils.caption')}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${t('class.pupils.col.name')}</th>
                    <th scope="col">${t('class.pupils.col.login')}</th>
                    <th scope="col">${t('class.pupils.col.lastLogin')}</th>
                    <th scope="col">${t('class.pupils.col.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.pupils.map((p) => pupilRow(ctx, data, p))}
                </tbody>
              </table>
            </div>`
      }
    </section>
    <section aria-labelledby="roster-title">
      <h2 id="roster-title">${t('class.roster.title')}</h2>
      <p>${t('class.roster.intro')}</p>
      ${formAlert(t, data.rosterForm)}
      <form method="post" action="${base}/pupils" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        <div class="field${data.rosterForm.errors['names'] ? ' field-error' : ''}">
          <label for="f-names">${t('class.roster.names')}</label>
          <p class="hint" id="f-names-hint">${t('class.roster.namesHint', { max: ROSTER_MAX })}</p>
          ${
            data.rosterForm.errors['names']
              ? html`<p class="error-message" id="f-names-error">${t(data.rosterForm.errors['names'])}</p>`
              : ''
          }
          <textarea
            id="f-names"
            name="names"
            rows="8"
            aria-describedby="f-names-hint${data.rosterForm.errors['names'] ? ' f-names-error' : ''}"
          >
${data.rosterForm.values['names'] ?? ''}</textarea>
        </div>
        ${field(t, data.rosterForm, {
          name: 'count',
          label: t('class.roster.count'),
          hint: t('class.roster.countHint', { max: ROSTER_MAX }),
          maxlength: 2,
          inputmode: 'numeric',
        })}
        <p><button type="submit" class="button">${t('class.roster.submit')}</button></p>
      </form>
    </section>
    <section aria-labelledby="teachers-title">
      <h2 id="teachers-title">${t('class.teachers.title')}</h2>
      <ul>
        ${data.teachers.map((tr) => html`<li>${tr.display_name} <span class="meta">${tr.email}</span></li>`)}
      </ul>
      ${formAlert(t, data.teacherForm)}
      <form method="post" action="${base}/teachers" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        ${field(t, data.teacherForm, {
          name: 'email',
          label: t('class.teachers.email'),
          hint: t('class.teachers.emailHint'),
          type: 'email',
          required: true,
          maxlength: 254,
        })}
        <p><button type="submit" class="button">${t('class.teachers.add')}</button></p>
      </form>
      ${
        data.teachers.length > 1
          ? buttonForm(`${base}/leave`, data.csrf, t('class.teachers.leave'))
          : html`<p class="hint">${t('class.teachers.lastOne')}</p>`
      }
    </section>
    <section aria-labelledby="details-title">
      <h2 id="details-title">${t('class.details.title')}</h2>
      ${formAlert(t, data.detailsForm)}
      <form method="post" action="${base}" class="stack-form" novalidate>
        ${csrfField(data.csrf)} ${classFields(t, data.detailsForm)}
        <p><button type="submit" class="button">${t('class.details.save')}</button></p>
      </form>
    </section>
    <section aria-labelledby="delete-title">
      <h2 id="delete-title">${t('class.delete.title')}</h2>
      <p>${t('class.delete.intro')}</p>
      <p><a href="${base}/delete">${t('class.delete.link')}</a></p>
    </section>`;
  return layout(ctx, { title: c.name, main, breadcrumb: crumbs(t, [{ label: c.name }]), bodyClass: 'page-class' });
}

function pupilRow(ctx: PageContext, data: ClassPageData, p: ClassPupilEntry): SafeHtml {
  const { t } = ctx;
  const base = `${teachClassUrl(data.schoolClass.id)}/pupils/${p.user_id}`;
  const confirm = html`<label class="confirm-check"
    ><input type="checkbox" name="confirm" value="1" required />
    ${t(p.owned ? 'class.pupils.confirmDelete' : 'class.pupils.confirmRemove')}</label
  >`;
  return html`<tr>
    <th scope="row">${p.display_name}</th>
    <td>
      ${p.owned ? html`<code>${p.email}</code>` : t('class.pupils.ownAccount')}
      ${p.owned && p.sheet_password ? html`<br /><span class="meta">${t('class.pupils.sheetPassword')}</span>` : ''}
    </td>
    <td>${p.last_login_at ? formatDate(p.last_login_at, ctx.lang, data.zone, true) : t('class.pupils.never')}</td>
    <td>
      ${p.owned ? buttonForm(`${base}/password`, data.csrf, t('class.pupils.reset')) : ''}
      ${buttonForm(`${base}/remove`, data.csrf, t(p.owned ? 'class.pupils.delete' : 'class.pupils.remove'), {}, confirm)}
    </td>
  </tr>`;
}

export interface DeletePageData {
  schoolClass: SchoolClass;
  accounts: number;
  ownPupils: number;
  csrf: string;
  form: FormState;
}

/** The confirmation step of a class's deletion: what goes, what stays, the class's name to type. */
export function deleteClassView(ctx: PageContext, data: DeletePageData): string {
  const { t } = ctx;
  const c = data.schoolClass;
  const main = html`<h1>${t('class.delete.confirmTitle', { name: c.name })}</h1>
    ${formAlert(t, data.form)}
    <ul>
      <li>${t('class.delete.accounts', { n: data.accounts })}</li>
      <li>${t('class.delete.ownPupils', { n: data.ownPupils })}</li>
    </ul>
    <p><strong>${t('class.delete.irreversible')}</strong></p>
    <form method="post" action="${teachClassUrl(c.id)}/delete" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      ${field(t, data.form, {
        name: 'confirm_name',
        label: t('class.delete.typeName', { name: c.name }),
        required: true,
        maxlength: 80,
        autocomplete: 'off',
      })}
      <p><button type="submit" class="button button-danger">${t('class.delete.submit')}</button></p>
    </form>
    <p><a href="${teachClassUrl(c.id)}">${t('class.delete.cancel')}</a></p>`;
  return layout(ctx, {
    title: t('class.delete.title'),
    main,
    breadcrumb: crumbs(t, [{ label: c.name, href: teachClassUrl(c.id) }, { label: t('class.delete.title') }]),
  });
}
