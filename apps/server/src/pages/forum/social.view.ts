import type { Translate } from '../../i18n/index.ts';
import { canEndorse, canVote, type ForumActor, type ShownAuthor } from '../../lib/forum/rules.ts';
import { forumEndorseUrl, forumFollowUrl, forumVoteUrl } from '../../lib/urls.ts';
import type { PostRow } from '../../models/forum.ts';
import { csrfField, type FormState } from '../../views/forms.ts';
import { html, type SafeHtml } from '../../views/html.ts';

/**
 * The forum's social parts (ADR 043): how an author is named to a reader, votes, endorsements,
 * follows and the anonymity checkbox. Plain forms: all of it works without JavaScript.
 */

/** Where these controls post, and as whom. */
export interface SocialContext {
  slug: string;
  actor: ForumActor | null;
  csrf: string | null;
}

/**
 * A post's or thread's author as `shownAuthor` decided for this reader. Every anonymous author
 * reads the same "Anonyme" to learners: no name, no link, no mark that tells two of them apart.
 */
export function authorLabel(t: Translate, shown: ShownAuthor): SafeHtml {
  switch (shown.kind) {
    case 'named':
      return html`<span class="forum-author">${shown.name ?? t('forum.deletedUser')}</span>`;
    case 'anonymous':
      return html`<span class="forum-author forum-anonymous">${t('forum.anonymous')}</span>`;
    case 'anonymousSelf':
      return html`<span class="forum-author forum-anonymous">${t('forum.anonymous.self')}</span>`;
    case 'anonymousToLearners':
      return html`<span class="forum-author forum-anonymous"
        >${shown.name ?? t('forum.deletedUser')}
        <span class="forum-anonymous-note">${t('forum.anonymous.staff')}</span></span
      >`;
  }
}

/** An opening post's or a reply's vote count and, for whoever may vote, the button that adds or withdraws their vote. */
export function voteControl(
  t: Translate,
  social: SocialContext,
  thread: { id: number; deleted: number; locked: number },
  post: PostRow,
  voted: boolean,
): SafeHtml {
  if (post.depth === 2 || post.deleted) return html``;
  const count = html`<span class="forum-votes">${t('forum.votes', { n: post.vote_count })}</span>`;
  // A locked thread takes no votes: its counts stay, without buttons.
  if (thread.deleted || thread.locked || !canVote(social.actor, post)) {
    return html`<span class="forum-vote">${count}</span>`;
  }
  return html`<form
    method="post"
    action="${forumVoteUrl(social.slug, thread.id, post.id)}"
    class="inline-form forum-vote"
  >
    ${csrfField(social.csrf ?? '')} ${voted ? html`<input type="hidden" name="undo" value="1" />` : ''}
    <button type="submit" class="link-button forum-vote-button${voted ? ' forum-voted' : ''}">
      <span aria-hidden="true">▲ </span>${t(voted ? 'forum.vote.undo' : 'forum.vote')}
    </button>
    ${count}
  </form>`;
}

/** "Approuvé par l'équipe (name)" on an endorsed reply not deleted, or nothing. */
export function endorsedMark(t: Translate, post: PostRow): SafeHtml {
  if (post.endorsed_at === null || post.deleted) return html``;
  const label = post.endorser_name ? t('forum.endorsed.by', { name: post.endorser_name }) : t('forum.endorsed');
  return html`<p class="forum-endorsed"><span aria-hidden="true">★ </span>${label}</p>`;
}

/** Staff's button to endorse a reply, or to withdraw the endorsement. */
export function endorseControl(
  t: Translate,
  social: SocialContext,
  thread: { id: number; deleted: number },
  post: PostRow,
): SafeHtml {
  if (thread.deleted || !canEndorse(social.actor, post)) return html``;
  const undo = post.endorsed_at !== null;
  return html`<form method="post" action="${forumEndorseUrl(social.slug, thread.id, post.id)}" class="inline-form">
    ${csrfField(social.csrf ?? '')} ${undo ? html`<input type="hidden" name="undo" value="1" />` : ''}
    <button type="submit" class="link-button">${t(undo ? 'forum.endorse.undo' : 'forum.endorse')}</button>
  </form>`;
}

/** Whether the reader follows the thread, and the button that changes it (logged-in readers). */
export function followControl(
  t: Translate,
  social: SocialContext,
  thread: { id: number; deleted: number },
  following: boolean,
): SafeHtml {
  if (!social.actor || thread.deleted) return html``;
  return html`<form method="post" action="${forumFollowUrl(social.slug, thread.id)}" class="forum-follow">
    ${csrfField(social.csrf ?? '')}
    <input type="hidden" name="follow" value="${following ? '0' : '1'}" />
    <span class="forum-follow-state">${t(following ? 'forum.following' : 'forum.notFollowing')}</span>
    <button type="submit" class="button button-secondary">${t(following ? 'forum.unfollow' : 'forum.follow')}</button>
  </form>`;
}

/** The "anonymous to other learners" checkbox of a post form, for a course that allows it. */
export function anonymousField(t: Translate, form: FormState, id: string): SafeHtml {
  return html`<div class="field field-check forum-anonymous-field">
    <input
      type="checkbox"
      id="${id}"
      name="anonymous"
      value="1"
      ${form.values['anonymous'] === '1' ? html`checked` : ''}
      aria-describedby="${id}-hint"
    />
    <label for="${id}">${t('forum.field.anonymous')}</label>
    <span class="hint" id="${id}-hint">${t('forum.field.anonymous.hint')}</span>
  </div>`;
}
