import type { Run } from '../db/schema.ts';
import { formatDate } from '../lib/runs/dates.ts';
import { isEnrolmentOpen, runPhase, weekOpensAt } from '../lib/runs/schedule.ts';
import { courseItemUrl, courseProgressUrl, courseUrl, enrolUrl, loginUrl, signupUrl, unenrolUrl } from '../lib/urls.ts';
import { csrfField } from './forms.ts';
import { html, type SafeHtml } from './html.ts';
import type { PageContext } from './layout.ts';

/** When a run happens, in words: "Du 2 mars 2026 au 15 avril 2026", "À votre rythme, depuis le …". */
export function runDates(ctx: PageContext, run: Run, zone: string, now: Date): SafeHtml {
  const { t } = ctx;
  const date = (iso: string) => formatDate(iso, ctx.lang, zone);
  const parts: string[] = [];
  if (run.mode === 'self-paced') parts.push(t('run.selfPaced'));
  if (run.ends_at) parts.push(t('run.fromTo', { start: date(run.starts_at), end: date(run.ends_at) }));
  else parts.push(t('run.from', { start: date(run.starts_at) }));
  if (run.enrol_opens_at && Date.parse(run.enrol_opens_at) > now.getTime()) {
    parts.push(t('run.enrolOpens', { date: date(run.enrol_opens_at) }));
  } else if (run.enrol_closes_at && Date.parse(run.enrol_closes_at) > now.getTime()) {
    parts.push(t('run.enrolCloses', { date: date(run.enrol_closes_at) }));
  }
  return html`${parts.join(' · ')}`;
}

/** The number of learners enrolled, read from the run's counter. */
export function runCount(ctx: PageContext, run: Run): string {
  return ctx.t(run.enrolled_count === 1 ? 'run.enrolledOne' : 'run.enrolledMany', { n: run.enrolled_count });
}

/** The enrol button of a run (a POST form: works without JavaScript). */
export function enrolForm(ctx: PageContext, run: Run, csrf: string, next: string, label?: string): SafeHtml {
  return html`<form method="post" action="${enrolUrl(run.id)}" class="inline-form">
    ${csrfField(csrf)}
    <input type="hidden" name="next" value="${next}" />
    <button type="submit" class="button">${label ?? ctx.t('run.enrol')}</button>
  </form>`;
}

/** The unenrol button of a run, behind a disclosure that says what leaving means. */
export function unenrolForm(ctx: PageContext, run: Run, csrf: string, next: string): SafeHtml {
  const { t } = ctx;
  return html`<details class="leave">
    <summary>${t('run.leave')}</summary>
    <p>${t('run.leave.explain')}</p>
    <form method="post" action="${unenrolUrl(run.id)}" class="inline-form">
      ${csrfField(csrf)}
      <input type="hidden" name="next" value="${next}" />
      <button type="submit" class="button button-secondary">${t('run.leave.submit', { title: run.title })}</button>
    </form>
  </details>`;
}

/** For each week of a scheduled run, when it opens. */
export function weekCalendar(ctx: PageContext, run: Run, weeks: number[], zone: string, now: Date): SafeHtml {
  if (run.mode === 'self-paced' || weeks.length === 0) return html``;
  const { t } = ctx;
  return html`<ul class="week-calendar">
    ${weeks.map((week) => {
      const opens = weekOpensAt(run, week);
      const open = opens.getTime() <= now.getTime();
      return html`<li class="${open ? 'week-open' : 'week-closed'}">
        ${t(open ? 'run.week.open' : 'run.week.opens', { n: week, date: formatDate(opens.toISOString(), ctx.lang, zone) })}
      </li>`;
    })}
  </ul>`;
}

export interface SessionBoxData {
  slug: string;
  /** The learner's active enrolment in this course, with its run. */
  enrolled: {
    run: Run;
    lastRoute: string | null;
    /** The certificate's line (ADR 031). */ certificate?: SafeHtml;
  } | null;
  /** Runs of the course open for enrolment (for a learner not enrolled yet). */
  openRuns: Run[];
  weeks: number[];
  csrf: string;
  zone: string;
  now: Date;
}

/** What a course's home page says to the anonymous visitor (cached with the page). */
export function anonymousSessionBox(ctx: PageContext, slug: string): SafeHtml {
  const { t } = ctx;
  return html`<aside class="session-box" aria-labelledby="session-box-title">
    <h2 id="session-box-title">${t('session.title')}</h2>
    <p>${t('session.anonymous')}</p>
    <p>
      <a href="${signupUrl()}">${t('nav.signup')}</a> ·
      <a href="${loginUrl(courseUrl(slug))}">${t('nav.login')}</a>
    </p>
  </aside>`;
}

/** The logged-in learner's box on a course's home page: their session and where they were, or sessions to join. */
export function sessionBox(ctx: PageContext, data: SessionBoxData): SafeHtml {
  const { t } = ctx;
  const here = courseUrl(data.slug);
  if (data.enrolled) {
    const { run, lastRoute } = data.enrolled;
    const phase = runPhase(run, data.now);
    return html`<aside class="session-box" aria-labelledby="session-box-title">
      <h2 id="session-box-title">${t('session.title')}</h2>
      <p>
        ${t('session.enrolledIn', { title: run.title })}
        <span class="meta">${runDates(ctx, run, data.zone, data.now)}</span>
      </p>
      ${phase === 'upcoming' ? html`<p>${t('session.upcoming')}</p>` : ''} ${data.enrolled.certificate ?? ''}
      ${lastRoute ? html`<p><a class="button" href="${courseItemUrl(data.slug, lastRoute)}">${t('session.resume')}</a></p>` : ''}
      <p><a href="${courseProgressUrl(data.slug)}">${t('progressPage.link')}</a></p>
      ${weekCalendar(ctx, run, data.weeks, data.zone, data.now)}
    </aside>`;
  }
  const open = data.openRuns.filter((r) => isEnrolmentOpen(r, data.now));
  return html`<aside class="session-box" aria-labelledby="session-box-title">
    <h2 id="session-box-title">${t('session.title')}</h2>
    ${
      open.length === 0
        ? html`<p>${t('session.none')}</p>`
        : html`<ul class="run-list">
            ${open.map(
              (run) =>
                html`<li>
                  <strong>${run.title}</strong>
                  <span class="meta">${runDates(ctx, run, data.zone, data.now)} · ${runCount(ctx, run)}</span>
                  ${enrolForm(ctx, run, data.csrf, here)}
                </li>`,
            )}
          </ul>`
    }
  </aside>`;
}
