import { formatDate } from '../../lib/runs/dates.ts';
import { adminTeachersUrl, dashboardUrl } from '../../lib/urls.ts';
import type { TeacherListEntry } from '../../models/teachers.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { buttonForm } from '../teach/teach.view.ts';

export interface AdminTeachersData {
  entries: TeacherListEntry[];
  form: FormState;
  csrf: string;
  notice?: string | undefined;
  zone: string;
}

/** The administrators' page of teachers: requests to approve or refuse, teachers, a grant form. */
export function adminTeachersView(ctx: PageContext, data: AdminTeachersData): string {
  const { t } = ctx;
  const requests = data.entries.filter((e) => e.status === 'requested');
  const teachers = data.entries.filter((e) => e.status === 'approved');
  const base = adminTeachersUrl();
  const main = html`<h1>${t('admin.teachers.title')}</h1>
    ${notice(data.notice)}
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">${t('admin.teachers.requests', { n: requests.length })}</h2>
      ${
        requests.length === 0
          ? html`<p class="empty">${t('admin.teachers.noRequest')}</p>`
          : html`<ul class="teacher-requests">
              ${requests.map(
                (r) =>
                  html`<li>
                    <p>
                      <strong>${r.display_name}</strong> <span class="meta">${r.email}</span><br />
                      ${r.school}
                      ${r.requested_at ? html`<span class="meta">· ${formatDate(r.requested_at, ctx.lang, data.zone)}</span>` : ''}
                    </p>
                    <div class="button-row">
                      ${buttonForm(`${base}/${r.user_id}/approve`, data.csrf, t('admin.teachers.approve'))}
                      ${buttonForm(`${base}/${r.user_id}/refuse`, data.csrf, t('admin.teachers.refuse'))}
                    </div>
                  </li>`,
              )}
            </ul>`
      }
    </section>
    <section aria-labelledby="teachers-title">
      <h2 id="teachers-title">${t('admin.teachers.list', { n: teachers.length })}</h2>
      <ul class="teacher-list">
        ${teachers.map(
          (r) =>
            html`<li>
              ${r.display_name} <span class="meta">${r.email}</span>
              ${buttonForm(`${base}/${r.user_id}/revoke`, data.csrf, t('admin.teachers.revoke'))}
            </li>`,
        )}
      </ul>
      ${formAlert(t, data.form)}
      <form method="post" action="${base}" class="stack-form" novalidate>
        ${csrfField(data.csrf)}
        ${field(t, data.form, { name: 'email', label: t('admin.teachers.grant'), type: 'email', required: true, maxlength: 254 })}
        <p><button type="submit" class="button">${t('admin.teachers.grantSubmit')}</button></p>
      </form>
    </section>`;
  return layout(ctx, {
    title: t('admin.teachers.title'),
    main,
    breadcrumb: [{ label: t('dashboard.title'), href: dashboardUrl() }, { label: t('admin.teachers.title') }],
  });
}
