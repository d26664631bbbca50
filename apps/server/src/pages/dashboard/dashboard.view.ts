import type { Run } from '../../db/schema.ts';
import type { CertificateStatus } from '../../lib/certificates/issue.ts';
import { certificateLine } from '../certificates/certificate.view.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { runPhase, weekOpensAt } from '../../lib/runs/schedule.ts';
import { catalogueUrl, courseItemUrl, courseProgressUrl, courseUrl, dashboardUrl, manageUrl } from '../../lib/urls.ts';
import { notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { progressBar } from '../../views/progress.ts';
import { runDates, unenrolForm } from '../../views/runs.ts';
import { dashboardClassesSection, type DashboardClasses } from '../teach/dashboard-classes.ts';

export interface DashboardCourse {
  courseSlug: string;
  courseTitle: string;
  run: Run;
  /** Where "resume" goes: the last page opened, else the first page of the course. */
  resumeRoute: string | null;
  resumed: boolean;
  weeks: number[];
  /** Notebooks done out of the course's notebooks. */
  progress: { done: number; total: number; withVideos?: boolean };
  /** The session's certificate, or how far the learner is from it (ADR 031). */
  certificate: CertificateStatus;
}

export interface DashboardData {
  name: string;
  courses: DashboardCourse[];
  canManage: boolean;
  /** The reader's classes and teacher links (issue 14). */
  classes: DashboardClasses;
  notice?: string | undefined;
  zone: string;
  now: Date;
}

/** "My courses": each active enrolment with a link back to where the learner was. */
export function dashboardView(ctx: PageContext, data: DashboardData): string {
  const { t } = ctx;
  const main = html`<h1>${t('dashboard.title')}</h1>
    ${notice(data.notice)}
    <p class="lead">${t('dashboard.hello', { name: data.name })}</p>
    ${
      data.courses.length === 0
        ? html`<p class="empty">${t('dashboard.empty')} <a href="${catalogueUrl()}">${t('dashboard.browse')}</a></p>`
        : html`<ul class="course-cards dashboard-courses">
            ${data.courses.map((c) => courseCard(ctx, c, data))}
          </ul>`
    }
    ${dashboardClassesSection(ctx, data.classes)}
    ${data.canManage ? html`<p><a href="${manageUrl()}">${t('dashboard.manage')}</a></p>` : ''}`;
  return layout(ctx, { title: t('dashboard.title'), main, bodyClass: 'page-dashboard' });
}

function courseCard(ctx: PageContext, c: DashboardCourse, data: DashboardData): SafeHtml {
  const { t } = ctx;
  const phase = runPhase(c.run, data.now);
  const openWeeks = c.weeks.filter((w) => weekOpensAt(c.run, w).getTime() <= data.now.getTime());
  const nextWeek = c.weeks.find((w) => weekOpensAt(c.run, w).getTime() > data.now.getTime());
  const status =
    phase === 'upcoming'
      ? t('dashboard.startsOn', { date: formatDate(c.run.starts_at, ctx.lang, data.zone) })
      : phase === 'ended'
        ? t('dashboard.ended')
        : c.run.mode === 'self-paced' || c.weeks.length === 0
          ? t('dashboard.allOpen')
          : t('dashboard.weeksOpen', { n: openWeeks.length, total: c.weeks.length }) +
            (nextWeek !== undefined
              ? ` · ${t('run.week.opens', { n: nextWeek, date: formatDate(weekOpensAt(c.run, nextWeek).toISOString(), ctx.lang, data.zone) })}`
              : '');
  return html`<li class="course-card">
    <h2><a href="${courseUrl(c.courseSlug)}">${c.courseTitle}</a></h2>
    <p class="meta">${c.run.title} · ${runDates(ctx, c.run, data.zone, data.now)}</p>
    <p>${status}</p>
    ${c.progress.total > 0 ? progressBar(ctx, c.progress, t('progress.sectionLabel', { title: c.courseTitle })) : ''}
    <p><a href="${courseProgressUrl(c.courseSlug)}">${t('progressPage.link')}</a></p>
    ${
      c.resumeRoute
        ? html`<p>
            <a class="button" href="${courseItemUrl(c.courseSlug, c.resumeRoute)}"
              >${t(c.resumed ? 'session.resume' : 'course.start')}</a
            >
          </p>`
        : ''
    }
    ${certificateLine(ctx, c.certificate, data.zone)} ${unenrolForm(ctx, c.run, ctx.viewer!.csrf, dashboardUrl())}
  </li>`;
}
