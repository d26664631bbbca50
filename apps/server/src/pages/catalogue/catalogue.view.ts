import type { Run } from '../../db/schema.ts';
import { isEnrolmentOpen } from '../../lib/runs/schedule.ts';
import { catalogueUrl, courseUrl, dashboardUrl, loginUrl } from '../../lib/urls.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { enrolForm, runCount, runDates } from '../../views/runs.ts';

export interface CatalogueEntry {
  slug: string;
  title: string;
  description: string | null;
  language: string;
  notebooks: number;
  quizzes: number;
  /** Sessions shown: not archived, not ended, enrolment not closed. */
  runs: Run[];
}

export interface CatalogueReader {
  /** Runs the reader is enrolled in. */
  enrolled: Set<number>;
  zone: string;
  now: Date;
}

/** The list of published courses, each with its sessions open for enrolment. */
export function catalogueView(ctx: PageContext, courses: CatalogueEntry[], reader: CatalogueReader): string {
  const { t } = ctx;
  const main = html` <h1>${t('catalogue.title')}</h1>
    <p class="lead">${t('catalogue.intro')}</p>
    ${
      courses.length === 0
        ? html`<p class="empty">${t('catalogue.empty')}</p>`
        : html`<ul class="course-cards">
            ${courses.map(
              (c) =>
                html`<li class="course-card" lang="${c.language}">
                  <h2><a href="${courseUrl(c.slug)}">${c.title}</a></h2>
                  ${c.description ? html`<p>${c.description}</p>` : ''}
                  <p class="meta" lang="${ctx.lang}">
                    ${t('catalogue.counts', { notebooks: c.notebooks, quizzes: c.quizzes })}
                  </p>
                  ${c.runs.length > 0 ? runList(ctx, c, reader) : ''}
                </li>`,
            )}
          </ul>`
    }`;
  return layout(ctx, { title: t('catalogue.title'), main, bodyClass: 'page-catalogue' });
}

function runList(ctx: PageContext, course: CatalogueEntry, reader: CatalogueReader): SafeHtml {
  const { t } = ctx;
  const enrolledHere = course.runs.some((r) => reader.enrolled.has(r.id));
  return html`<div class="runs" lang="${ctx.lang}">
    <h3>${t('catalogue.sessions')}</h3>
    <ul class="run-list">
      ${course.runs.map((run) => {
        let action: SafeHtml;
        if (reader.enrolled.has(run.id)) {
          action = html`<p class="enrolled-badge">
            ${t('run.enrolled')} · <a href="${dashboardUrl()}">${t('nav.dashboard')}</a>
          </p>`;
        } else if (!isEnrolmentOpen(run, reader.now)) {
          action = html``;
        } else if (!ctx.viewer) {
          action = html`<p><a href="${loginUrl(catalogueUrl())}">${t('run.loginToEnrol')}</a></p>`;
        } else {
          action = enrolForm(ctx, run, ctx.viewer.csrf, catalogueUrl(), enrolledHere ? t('run.switch') : undefined);
        }
        return html`<li>
          <strong>${run.title}</strong>
          <span class="meta">${runDates(ctx, run, reader.zone, reader.now)} · ${runCount(ctx, run)}</span>
          ${action}
        </li>`;
      })}
    </ul>
  </div>`;
}
