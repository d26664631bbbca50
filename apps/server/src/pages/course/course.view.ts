import type { Section, Track } from '@carnet/course-format';
import type { MessageKey } from '../../i18n/index.ts';
import type { CourseStructure } from '../../lib/import/import-course.ts';
import { catalogueUrl, courseItemUrl, forumUrl } from '../../lib/urls.ts';
import type { CourseItemSummary } from '../../models/course-items.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';
import { anonymousSessionBox } from '../../views/runs.ts';
import { slot } from '../../views/slots.ts';

/** The key of a progress slot: which notebooks it counts (and videos, if the session says so), and what the bar is called. */
export interface ProgressSlotKey {
  label: string;
  routes: string[];
  videos: string[];
}

export interface CoursePageData {
  slug: string;
  title: string;
  description: string | null;
  language: string;
  structure: CourseStructure;
  items: CourseItemSummary[];
}

/** The kind badge shown next to every item: text and colour, so it is clear at a glance and to a screen reader. */
export function kindBadge(ctx: PageContext, kind: string): SafeHtml {
  const key = `kind.${kind}` as MessageKey;
  const known = ['complement', 'exercise', 'quiz', 'video', 'other'].includes(kind);
  return html`<span class="kind kind-${known ? kind : 'other'}">${ctx.t(known ? key : 'kind.other')}</span>`;
}

/**
 * A course's home: its description, the reader's session box (a slot: filled per reader), and its
 * contents, track by track, week by week. Rendered once per version and language, then cached.
 */
export function courseView(ctx: PageContext, data: CoursePageData): string {
  const { t } = ctx;
  const byPath = new Map(data.items.map((i) => [i.path, i]));
  const meta = data.structure.meta;
  const [main, ...others] = data.structure.tracks;
  const first = data.items[0];
  const credits = [meta.authors.join(', '), meta.license].filter(Boolean).join(' · ');
  const body = html` <div class="course-header" lang="${data.language}">
      <h1>${data.title}</h1>
      ${data.description ? html`<p class="lead">${data.description}</p>` : ''}
      ${credits ? html`<p class="credits">${credits}</p>` : ''}
      <p class="course-actions" lang="${ctx.lang}">
        ${first ? html`<a class="button" href="${courseItemUrl(data.slug, first.route)}">${t('course.start')}</a>` : ''}
        <a href="${forumUrl(data.slug)}">${t('course.forum')}</a>
      </p>
    </div>
    ${slot('course-session', anonymousSessionBox(ctx, data.slug))}
    ${slot('course-progress', html``, progressKey(t('progress.courseLabel'), data.items))}
    <nav class="course-contents" aria-labelledby="contents-title">
      <h2 id="contents-title">${t('course.contents')}</h2>
      ${main ? trackView(ctx, data, main, byPath, 't0') : ''}
      ${others.map(
        (track, i) =>
          html`<details class="track">
            <summary><span class="track-label">${t('course.track')}</span> ${track.name || track.id}</summary>
            ${track.description ? html`<p class="track-description" lang="${data.language}">${track.description}</p>` : ''}
            ${trackView(ctx, data, track, byPath, `t${i + 1}`)}
          </details>`,
      )}
    </nav>`;
  return layout(ctx, {
    title: data.title,
    main: body,
    breadcrumb: [{ label: t('nav.catalogue'), href: catalogueUrl() }, { label: data.title }],
    bodyClass: 'page-course',
  });
}

function trackView(
  ctx: PageContext,
  data: CoursePageData,
  track: Track,
  byPath: Map<string, CourseItemSummary>,
  prefix: string,
): SafeHtml {
  return html`${track.sections.map((section, s) => sectionView(ctx, data, section, byPath, `${prefix}-s${s}`))}`;
}

function sectionView(
  ctx: PageContext,
  data: CoursePageData,
  section: Section,
  byPath: Map<string, CourseItemSummary>,
  id: string,
): SafeHtml {
  const { t } = ctx;
  const week = section.week !== null ? data.structure.weeks.find((w) => w.week === section.week) : undefined;
  const title =
    section.title ??
    (section.week !== null
      ? `${t('course.week', { n: section.week })}${week?.theme ? ` — ${week.theme}` : ''}`
      : t('course.otherSection'));
  const items = section.items.map((p) => byPath.get(p)).filter((i): i is CourseItemSummary => i !== undefined);
  // Consecutive items of the same sequence are listed under the sequence's title (from CONTENTS.md).
  const groups: { sequence: string | null; items: CourseItemSummary[] }[] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last && last.sequence === item.sequence) last.items.push(item);
    else groups.push({ sequence: item.sequence, items: [item] });
  }
  return html`<section class="course-section" aria-labelledby="${id}">
    <h3 id="${id}" lang="${section.title ? data.language : ctx.lang}">${title}</h3>
    ${week?.level ? html`<p class="level" lang="${data.language}">${t('course.level', { level: week.level })}</p>` : ''}
    ${
      items.some((i) => i.type === 'notebook')
        ? slot('section-progress', html``, progressKey(t('progress.sectionLabel', { title }), items))
        : ''
    }
    ${groups.map((g) => {
      const seqTitle = g.sequence ? data.structure.sequenceTitles[g.sequence] : undefined;
      return html`${seqTitle ? html`<h4 lang="${data.language}">${seqTitle}</h4>` : ''}
        <ol class="items">
          ${g.items.map(
            (item) =>
              html`<li>
                <a href="${courseItemUrl(data.slug, item.route)}"
                  >${kindBadge(ctx, item.kind)}
                  <span class="item-title" lang="${data.language}">${item.menu_title}</span></a
                >${slot('item-status', html``, item.route)}
              </li>`,
          )}
        </ol>`;
    })}
  </section>`;
}

/** A progress slot's key: the notebooks among `items`, and its video pages apart (a session may count them). */
function progressKey(label: string, items: CourseItemSummary[]): string {
  const key: ProgressSlotKey = {
    label,
    routes: items.filter((i) => i.type === 'notebook').map((i) => i.route),
    videos: items.filter((i) => i.type === 'video').map((i) => i.route),
  };
  return JSON.stringify(key);
}
