import type { SubmissionRow } from '../../models/submissions.ts';
import type { Course, Run } from '../../db/schema.ts';
import type { ExerciseFacts } from '../../lib/grades/gradebook.ts';
import { toLocalInput } from '../../lib/runs/dates.ts';
import { weekOpensAt, weekOverrides } from '../../lib/runs/schedule.ts';
import {
  manageCertificatesUrl,
  manageCourseUrl,
  manageAnnouncementsUrl,
  manageForumUrl,
  manageQuizzesUrl,
  newRunUrl,
  runAnalyticsUrl,
  runGradesCsvUrl,
  runGradingUrl,
  runUrl,
} from '../../lib/urls.ts';
import type { StaffMember } from '../../models/course-roles.ts';
import { csrfField, field, formAlert, notice, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { runCount } from '../../views/runs.ts';

/** The staff area's home: the courses this user manages. */
export function manageHomeView(ctx: PageContext, courses: Course[]): string {
  const { t } = ctx;
  const main = html`<h1>${t('manage.title')}</h1>
    ${
      courses.length === 0
        ? html`<p class="empty">${t('manage.noCourse')}</p>`
        : html`<ul class="manage-list">
            ${courses.map((c) => html`<li><a href="${manageCourseUrl(c.slug)}">${c.title}</a> <code>${c.slug}</code></li>`)}
          </ul>`
    }`;
  return layout(ctx, { title: t('manage.title'), main, breadcrumb: [{ label: t('manage.title') }] });
}

export interface ManageCoursePageData {
  course: Course;
  liveTag: string | null;
  runs: (Run & { version_tag: string })[];
  /** Shown to administrators only. */
  staff: StaffMember[] | null;
  staffForm: FormState;
  csrf: string;
  notice?: string | undefined;
}

/** One course's sessions, and (for administrators) its staff. */
export function manageCourseView(ctx: PageContext, data: ManageCoursePageData): string {
  const { t } = ctx;
  const { course } = data;
  const main = html`<h1>${t('manage.course.title', { title: course.title })}</h1>
    ${notice(data.notice)}
    <ul class="manage-links">
      <li><a href="${manageCourseUrl(course.slug)}/submissions">${t('manage.submissions.link')}</a></li>
      <li><a href="${manageQuizzesUrl(course.slug)}">${t('manage.quizzes.link')}</a></li>
    </ul>
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">${t('manage.runs.title')}</h2>
      ${
        data.runs.length === 0
          ? html`<p>${t('manage.runs.none')}</p>`
          : html`<div class="table-scroll" tabindex="0">
              <table class="runs-table">
                <caption class="visually-hidden">
                  ${t('manage.runs.title')}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${t('manage.runs.col.title')}</th>
                    <th scope="col">${t('manage.runs.col.start')}</th>
                    <th scope="col">${t('manage.runs.col.learners')}</th>
                    <th scope="col">${t('manage.runs.col.version')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.runs.map(
                    (run) =>
                      html`<tr>
                        <th scope="row">
                          <a href="${runUrl(course.slug, run.slug)}">${run.title}</a>
                          ${run.archived ? html`<span class="tag">${t('manage.runs.archived')}</span>` : ''}
                          ${run.mode === 'self-paced' ? html`<span class="tag">${t('run.selfPaced')}</span>` : ''}
                        </th>
                        <td>${run.starts_at.slice(0, 10)}</td>
                        <td>${runCount(ctx, run)}</td>
                        <td>
                          <code>${run.version_tag.slice(0, 8)}</code>
                          ${run.version_tag === data.liveTag ? html`<span class="tag">${t('manage.runs.live')}</span>` : ''}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      ${data.liveTag ? html`<p><a class="button" href="${newRunUrl(course.slug)}">${t('manage.runs.new')}</a></p>` : html`<p>${t('manage.runs.noVersion')}</p>`}
    </section>
    ${forumSection(ctx, data)} ${data.staff ? staffSection(ctx, data) : ''}`;
  return layout(ctx, {
    title: course.title,
    main,
    breadcrumb: [{ label: t('manage.title'), href: '/manage' }, { label: course.title }],
  });
}

/** The course's forum settings: whether learners may post anonymously to other learners. */
function forumSection(ctx: PageContext, data: ManageCoursePageData): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="forum-settings-title">
    <h2 id="forum-settings-title">${t('manage.forum.title')}</h2>
    <form method="post" action="${manageForumUrl(data.course.slug)}" class="stack-form">
      ${csrfField(data.csrf)}
      <div class="field">
        <label
          ><input
            type="checkbox"
            name="anonymous"
            value="1"
            ${data.course.forum_anonymous === 1 ? html`checked` : ''}
          />
          ${t('manage.forum.anonymous')}</label
        >
      </div>
      <p><button type="submit" class="button">${t('manage.forum.save')}</button></p>
    </form>
    <p><a href="${manageAnnouncementsUrl(data.course.slug)}">${t('announcements.link')}</a></p>
  </section>`;
}

function staffSection(ctx: PageContext, data: ManageCoursePageData): SafeHtml {
  const { t } = ctx;
  const base = manageCourseUrl(data.course.slug);
  return html`<section aria-labelledby="staff-title">
    <h2 id="staff-title">${t('manage.staff.title')}</h2>
    <p>${t('manage.staff.intro')}</p>
    ${
      data.staff!.length === 0
        ? html`<p>${t('manage.staff.none')}</p>`
        : html`<ul class="staff-list">
            ${data.staff!.map(
              (s) =>
                html`<li>
                  ${s.display_name} &lt;${s.email}&gt;
                  <form method="post" action="${base}/staff/${s.user_id}/revoke" class="inline-form">
                    ${csrfField(data.csrf)}
                    <button type="submit" class="button button-secondary">
                      ${t('manage.staff.revoke', { name: s.display_name })}
                    </button>
                  </form>
                </li>`,
            )}
          </ul>`
    }
    ${formAlert(t, data.staffForm)}
    <form method="post" action="${base}/staff" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      ${field(t, data.staffForm, {
        name: 'email',
        label: t('manage.staff.email'),
        type: 'email',
        autocomplete: 'off',
        required: true,
      })}
      <p><button type="submit" class="button">${t('manage.staff.grant')}</button></p>
    </form>
  </section>`;
}

export interface RunFormPageData {
  course: Course;
  /** Null when creating. */
  run: (Run & { version_tag: string }) | null;
  liveVersionId: number | null;
  liveTag: string | null;
  weeks: number[];
  form: FormState;
  csrf: string;
  zone: string;
  notice?: string | undefined;
}

/** Create or edit a session: dates, mode, week openings, archive, pinned version. */
export function runFormView(ctx: PageContext, data: RunFormPageData): string {
  const { t } = ctx;
  const { course, run, form } = data;
  const action = run ? runUrl(course.slug, run.slug) : newRunUrl(course.slug);
  const mode = form.values['mode'] ?? run?.mode ?? 'scheduled';
  const overrides = run ? weekOverrides(run) : new Map<number, string>();
  const title = run ? t('manage.run.editTitle', { title: run.title }) : t('manage.run.newTitle');
  const main = html`<div class="narrow">
    <h1>${title}</h1>
    ${notice(data.notice)} ${formAlert(t, form)}
    <form method="post" action="${action}" class="stack-form" novalidate>
      ${csrfField(data.csrf)}
      ${field(t, form, { name: 'title', label: t('manage.run.title'), required: true, maxlength: 120, autocomplete: 'off' })}
      ${
        run
          ? html`<p>${t('manage.run.slug')} <code>${run.slug}</code></p>`
          : field(t, form, {
              name: 'slug',
              label: t('manage.run.slug'),
              hint: t('manage.run.slug.hint'),
              maxlength: 63,
              autocomplete: 'off',
            })
      }
      <fieldset class="field">
        <legend>${t('manage.run.mode')}</legend>
        <label
          ><input type="radio" name="mode" value="scheduled" ${mode === 'scheduled' ? html`checked` : ''} />
          ${t('manage.run.mode.scheduled')}</label
        >
        <label
          ><input type="radio" name="mode" value="self-paced" ${mode === 'self-paced' ? html`checked` : ''} />
          ${t('manage.run.mode.selfPaced')}</label
        >
      </fieldset>
      ${field(t, form, { name: 'startsAt', label: t('manage.run.start'), type: 'datetime-local', required: true, hint: t('manage.run.zone', { zone: data.zone }) })}
      ${field(t, form, { name: 'endsAt', label: t('manage.run.end'), type: 'datetime-local' })}
      ${field(t, form, { name: 'enrolOpensAt', label: t('manage.run.enrolOpens'), type: 'datetime-local', hint: t('manage.run.optional') })}
      ${field(t, form, { name: 'enrolClosesAt', label: t('manage.run.enrolCloses'), type: 'datetime-local', hint: t('manage.run.optional') })}
      ${
        data.weeks.length > 0
          ? html`<fieldset class="field">
              <legend>${t('manage.run.weeks')}</legend>
              <p class="hint">${t('manage.run.weeks.hint')}</p>
              ${form.errors['weekOpens'] ? html`<p class="error-message">${t(form.errors['weekOpens'])}</p>` : ''}
              ${data.weeks.map((week) => {
                const value =
                  form.values[`week_${week}`] ??
                  (overrides.has(week) ? toLocalInput(overrides.get(week)!, data.zone) : '');
                const computed = run
                  ? toLocalInput(weekOpensAt({ ...run, week_opens: '{}' }, week).toISOString(), data.zone)
                  : '';
                return html`<div class="field">
                  <label for="f-week_${week}">${t('course.week', { n: week })}</label>
                  ${computed ? html`<p class="hint" id="f-week_${week}-hint">${t('manage.run.weeks.computed', { date: computed.replace('T', ' ') })}</p>` : ''}
                  <input
                    id="f-week_${week}"
                    name="week_${week}"
                    type="datetime-local"
                    value="${value}"
                    ${computed ? html`aria-describedby="f-week_${week}-hint"` : ''}
                  />
                </div>`;
              })}
            </fieldset>`
          : ''
      }
      ${
        run
          ? html`<div class="field">
                <label
                  ><input
                    type="checkbox"
                    name="archived"
                    value="1"
                    ${(form.values['archived'] ?? (run.archived ? '1' : '')) === '1' ? html`checked` : ''}
                  />
                  ${t('manage.run.archived')}</label
                >
              </div>
              <div class="field">
                <label
                  ><input
                    type="checkbox"
                    name="videosCount"
                    value="1"
                    ${(form.values['videosCount'] ?? (run.videos_count ? '1' : '')) === '1' ? html`checked` : ''}
                  />
                  ${t('manage.run.videosCount')}</label
                >
              </div>`
          : ''
      }
      <p><button type="submit" class="button">${t(run ? 'manage.run.save' : 'manage.run.create')}</button></p>
    </form>
    ${
      run
        ? html`<p>
            <a href="${runGradingUrl(course.slug, run.slug)}">${t('grading.link')}</a> ·
            <a href="${runGradesCsvUrl(course.slug, run.slug)}" download>${t('grading.csv')}</a> ·
            <a href="${runAnalyticsUrl(course.slug, run.slug)}">${t('analytics.link')}</a>
          </p>`
        : ''
    }
    ${run ? versionSection(ctx, data) : ''}
    ${run ? html`<p><a href="${manageCertificatesUrl(course.slug, run.slug)}">${t('certificates.manage.link')}</a></p>` : ''}
  </div>`;
  return layout(ctx, {
    title,
    main,
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: course.title, href: manageCourseUrl(course.slug) },
      { label: run?.title ?? t('manage.run.newTitle') },
    ],
  });
}

function versionSection(ctx: PageContext, data: RunFormPageData): SafeHtml {
  const { t } = ctx;
  const run = data.run!;
  const upToDate = run.version_id === data.liveVersionId;
  return html`<section aria-labelledby="version-title">
    <h2 id="version-title">${t('manage.run.version')}</h2>
    <p>${t('manage.run.version.pinned', { tag: run.version_tag.slice(0, 8) })}</p>
    ${
      upToDate || !data.liveTag
        ? html`<p>${t('manage.run.version.upToDate')}</p>`
        : html`<p>${t('manage.run.version.newer', { tag: data.liveTag.slice(0, 8) })}</p>
            <form method="post" action="${runUrl(data.course.slug, run.slug)}/move" class="inline-form">
              ${csrfField(data.csrf)}
              <button type="submit" class="button">${t('manage.run.version.move')}</button>
            </form>`
    }
  </section>`;
}

export interface SubmissionsPageData {
  course: { slug: string; title: string };
  exercise: string | null;
  /** `facts`: the exercise in the submission's version (null when that version no longer has it). */
  submissions: (SubmissionRow & { user_name: string; user_email: string; facts: ExerciseFacts | null })[];
}

/** An exercise's hidden checks in a submissions row: a number, a new draw, or 0 and "forgeable". */
function hiddenChecksCell(ctx: PageContext, facts: ExerciseFacts | null): SafeHtml {
  const { t } = ctx;
  if (!facts || facts.mode === 'none')
    return html`<span aria-hidden="true">—</span
      ><span class="visually-hidden">${t('grading.exercises.hidden.none')}</span>`;
  if (facts.random) return html`${t('grading.exercises.hidden.random')}`;
  if (facts.forgeable) return html`0 <strong class="tag">${t('grading.exercises.forgeable')}</strong>`;
  return html`${facts.hiddenChecks}`;
}

/** A course's latest verified submissions, for its staff: who, which exercise, the verdict, the code. */
export function manageSubmissionsView(ctx: PageContext, data: SubmissionsPageData): string {
  const { t } = ctx;
  const verdict = (row: SubmissionRow): string => {
    if (row.status !== 'done' || !row.verdict)
      return row.reason_code
        ? t('manage.submissions.failed', { reason: row.reason_code })
        : t(`manage.submissions.status.${row.status}` as MessageKey);
    const v = JSON.parse(row.verdict) as { ok: boolean; passed: number; total: number };
    return v.ok ? t('manage.submissions.passed') : t('manage.submissions.score', { passed: v.passed, total: v.total });
  };
  const main = html`<h1>${t('manage.submissions.title', { title: data.course.title })}</h1>
    <p><a href="${manageCourseUrl(data.course.slug)}">${t('manage.submissions.back')}</a></p>
    ${data.submissions.some((s) => s.facts?.forgeable) ? html`<p>${t('manage.submissions.forgeableNote')}</p>` : ''}
    ${
      data.submissions.length === 0
        ? html`<p>${t('manage.submissions.none')}</p>`
        : html`<div class="table-scroll" tabindex="0">
            <table class="runs-table">
              <caption class="visually-hidden">
                ${t('manage.submissions.caption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">${t('manage.submissions.col.date')}</th>
                  <th scope="col">${t('manage.submissions.col.learner')}</th>
                  <th scope="col">${t('manage.submissions.col.exercise')}</th>
                  <th scope="col">${t('manage.submissions.col.hidden')}</th>
                  <th scope="col">${t('manage.submissions.col.verdict')}</th>
                  <th scope="col">${t('manage.submissions.col.code')}</th>
                </tr>
              </thead>
              <tbody>
                ${data.submissions.map(
                  (row) =>
                    html`<tr>
                      <td>${row.created_at.slice(0, 16).replace('T', ' ')}</td>
                      <th scope="row">${row.user_name} <span class="muted">${row.user_email}</span></th>
                      <td>${row.route} · ${row.exercise}</td>
                      <td>${hiddenChecksCell(ctx, row.facts)}</td>
                      <td>${verdict(row)}</td>
                      <td>
                        <details>
                          <summary>${t('manage.submissions.show')}</summary>
                          <pre class="code" tabindex="0">
${(JSON.parse(row.cells) as string[]).join('\n\n# ----\n\n')}</pre>
                        </details>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
  return layout(ctx, {
    title: t('manage.submissions.title', { title: data.course.title }),
    main,
    breadcrumb: [
      { label: t('manage.title'), href: '/manage' },
      { label: data.course.title, href: manageCourseUrl(data.course.slug) },
      { label: t('manage.submissions.crumb') },
    ],
  });
}
