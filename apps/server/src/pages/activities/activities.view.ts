import type { Activity, ActivityPupil } from '../../db/schema.ts';
import type { Translate } from '../../i18n/index.ts';
import type { CopyAccess, PupilState } from '../../lib/activities/rules.ts';
import { formatDate } from '../../lib/runs/dates.ts';
import { activityUrl, dashboardUrl } from '../../lib/urls.ts';
import type { ActivityCommentEntry, PupilActivityEntry } from '../../models/activities.ts';
import { csrfField, notice } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';
import { layout, type PageContext } from '../../views/layout.ts';

/** The mode's explanation for pupils and teachers. */
export function modeText(t: Translate, mode: Activity['mode']): string {
  return t(
    mode === 'open' ? 'activity.mode.open' : mode === 'hand-in' ? 'activity.mode.handIn' : 'activity.mode.locked',
  );
}

/** A state's label. */
export function stateText(t: Translate, state: PupilState): string {
  return t(
    state === 'not-opened'
      ? 'activity.state.notOpened'
      : state === 'in-progress'
        ? 'activity.state.inProgress'
        : state === 'handed-in'
          ? 'activity.state.handedIn'
          : 'activity.state.late',
  );
}

/** The teacher's comments on a copy, each with the cell it is about ("cell 3"). */
export function commentsList(
  ctx: PageContext,
  comments: ActivityCommentEntry[],
  cellNumbers: Map<string, number>,
  zone: string,
  remove?: (c: ActivityCommentEntry) => SafeHtml,
): SafeHtml {
  const { t } = ctx;
  if (comments.length === 0) return html`<p class="empty">${t('activity.comments.none')}</p>`;
  return html`<ul class="activity-comments">
    ${comments.map(
      (c) =>
        html`<li data-cell-id="${c.cell_id}">
          <p class="meta">
            <a href="#cell-${c.cell_id}">${t('activity.comments.cell', { n: cellNumbers.get(c.cell_id) ?? '?' })}</a>
            · ${c.author ?? ''} · ${formatDate(c.created_at, ctx.lang, zone, true)}
          </p>
          <p class="activity-comment-body">${c.body}</p>
          ${remove ? remove(c) : ''}
        </li>`,
    )}
  </ul>`;
}

export interface PupilActivityParts {
  activity: Activity;
  className: string;
  pupil: ActivityPupil | null;
  access: CopyAccess;
  state: PupilState;
  comments: ActivityCommentEntry[];
  cellNumbers: Map<string, number>;
  csrf: string;
  zone: string;
  notice?: string | undefined;
  /** A quiz activity: where its quiz is answered, and the score so far. */
  quiz?: { href: string; score: { score: number; max: number } | null };
}

/** What a pupil's activity page shows above the item: dates, state, hand-in, mark and comments. */
export function pupilActivityTop(ctx: PageContext, data: PupilActivityParts): SafeHtml {
  const { t } = ctx;
  const a = data.activity;
  const date = (iso: string) => formatDate(iso, ctx.lang, data.zone, true);
  return html`<section class="activity-banner" aria-labelledby="activity-title">
    <h1 id="activity-title">${a.title}</h1>
    ${notice(data.notice)}
    <p class="meta">${data.className} · ${t('activity.due', { date: date(a.closes_at) })}</p>
    <p>${modeText(t, a.mode)}</p>
    <p>
      <strong>${t('activity.yourState')}</strong> ${stateText(t, data.state)}
      ${data.pupil?.handed_in_at ? html` · ${t('activity.handedInAt', { date: date(data.pupil.handed_in_at) })}` : ''}
    </p>
    ${
      data.access === 'read-only'
        ? html`<p class="notice" role="status">${t('activity.readOnly')}</p>`
        : html`<form method="post" action="${activityUrl(a.id)}/hand-in" class="inline-form">
            ${csrfField(data.csrf)}
            <button type="submit" class="button">${t('activity.handIn')}</button>
            <span class="hint">${t('activity.handInHint')}</span>
          </form>`
    }
    ${
      data.quiz
        ? html`<p>
            <a class="button" href="${data.quiz.href}">${t('activity.openQuiz')}</a>
            ${data.quiz.score ? html` ${t('activity.quizScore', { score: data.quiz.score.score, max: data.quiz.score.max })}` : ''}
          </p>`
        : ''
    }
    ${
      data.pupil?.mark || data.pupil?.feedback
        ? html`<div class="activity-mark">
            <h2>${t('activity.mark.title')}</h2>
            ${data.pupil.mark ? html`<p class="activity-mark-value">${t('activity.mark.value', { mark: data.pupil.mark })}</p>` : ''}
            ${data.pupil.feedback ? html`<p class="activity-feedback">${data.pupil.feedback}</p>` : ''}
          </div>`
        : ''
    }
    ${
      data.comments.length > 0
        ? html`<div class="activity-comments-box">
            <h2>${t('activity.comments.title')}</h2>
            ${commentsList(ctx, data.comments, data.cellNumbers, data.zone)}
          </div>`
        : ''
    }
  </section>`;
}

/** A quiz activity's page: the banner and the link to the quiz. */
export function quizActivityView(ctx: PageContext, data: PupilActivityParts): string {
  return layout(ctx, {
    title: data.activity.title,
    main: pupilActivityTop(ctx, data),
    breadcrumb: pupilCrumbs(ctx.t, data.activity.title),
  });
}

export const pupilCrumbs = (t: Translate, title: string) => [
  { label: t('dashboard.title'), href: dashboardUrl() },
  { label: title },
];

/** /me's list of a class's activities for a pupil: title, state, due date. */
export function dashboardActivities(
  ctx: PageContext,
  entries: { entry: PupilActivityEntry; state: PupilState; visible: boolean }[],
  zone: string,
  now: Date,
): SafeHtml {
  const { t } = ctx;
  if (entries.length === 0) return html``;
  return html`<ul class="activity-list">
    ${entries.map(
      ({ entry: a, state, visible }) =>
        html`<li>
          ${visible ? html`<a href="${activityUrl(a.id)}">${a.title}</a>` : html`<span>${a.title}</span>`}
          <span class="meta"
            >${stateText(t, state)} ·
            ${
              now.toISOString() < a.opens_at
                ? t('activity.opens', { date: formatDate(a.opens_at, ctx.lang, zone, true) })
                : t('activity.due', { date: formatDate(a.closes_at, ctx.lang, zone, true) })
            }
            ${a.mark ? html` · ${t('activity.mark.value', { mark: a.mark })}` : ''}</span
          >
        </li>`,
    )}
  </ul>`;
}
