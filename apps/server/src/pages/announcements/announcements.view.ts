import type { Course, Run } from '../../db/schema.ts';
import { BODY_MAX, TITLE_MAX } from '../../lib/forum/rules.ts';
import { forumThreadUrl, manageAnnouncementsUrl, manageCourseUrl, manageUrl } from '../../lib/urls.ts';
import { csrfField, field, formAlert, type FormState } from '../../views/forms.ts';
import { html } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

export interface AnnouncementsPageData {
  course: Course;
  runs: Run[];
  form: FormState;
  csrf: string;
  /** After publishing: how many learners were notified, and the thread. */
  sent: { n: number; thread: number } | null;
}

/** The staff form of an announcement: recipients (the course, or one session), title, markdown body. */
export function announcementsView(ctx: PageContext, data: AnnouncementsPageData): string {
  const { t } = ctx;
  const { form, course } = data;
  const audienceError = form.errors['audience'];
  const bodyError = form.errors['body'];
  const main = html`<h1>${t('announcements.title')}</h1>
    ${
      data.sent
        ? html`<div class="form-notice" role="status">
            <p>
              <a href="${forumThreadUrl(course.slug, data.sent.thread)}"
                >${t('announcements.notice.sent', { n: data.sent.n })}</a
              >
            </p>
          </div>`
        : ''
    }
    <p>${t('announcements.intro')}</p>
    ${formAlert(t, form)}
    <form method="post" action="${manageAnnouncementsUrl(course.slug)}" class="stack-form">
      ${csrfField(data.csrf)}
      <div class="field${audienceError ? ' field-error' : ''}">
        <label for="f-audience">${t('announcements.field.audience')}</label>
        ${audienceError ? html`<p class="error-message" id="f-audience-error">${t(audienceError)}</p>` : ''}
        <select
          id="f-audience"
          name="audience"
          ${audienceError ? html`aria-invalid="true" aria-describedby="f-audience-error"` : ''}
        >
          <option value="course" ${form.values['audience'] === 'course' ? html`selected` : ''}>
            ${t('announcements.audience.course')}
          </option>
          ${data.runs.map(
            (r) =>
              html`<option value="${r.id}" ${form.values['audience'] === String(r.id) ? html`selected` : ''}>
                ${t('announcements.audience.run', { title: r.title })}
              </option>`,
          )}
        </select>
      </div>
      ${field(t, form, { name: 'title', label: t('announcements.field.title'), required: true, maxlength: TITLE_MAX })}
      <div class="field${bodyError ? ' field-error' : ''}">
        <label for="f-body">${t('announcements.field.body')}</label>
        <p class="hint" id="f-body-hint">${t('announcements.field.body.hint')}</p>
        ${bodyError ? html`<p class="error-message" id="f-body-error">${t(bodyError)}</p>` : ''}
        <textarea
          id="f-body"
          name="body"
          rows="10"
          required
          maxlength="${BODY_MAX}"
          aria-describedby="f-body-hint${bodyError ? ' f-body-error' : ''}"
          ${bodyError ? html`aria-invalid="true"` : ''}
        >
${form.values['body'] ?? ''}</textarea>
      </div>
      <p><button type="submit" class="button">${t('announcements.submit')}</button></p>
    </form>`;
  return layout(ctx, {
    title: t('announcements.title'),
    main,
    breadcrumb: [
      { label: t('manage.title'), href: manageUrl() },
      { label: course.title, href: manageCourseUrl(course.slug) },
      { label: t('announcements.title') },
    ],
  });
}
