import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { HttpError } from '../../http/errors.ts';
import { deleteVote, insertVote } from '../../models/forum-votes.ts';
import { updatePostEndorsed, updateThreadEndorsedCount, updateVoteCounts, type PostRow } from '../../models/forum.ts';
import { canEndorse, canVote, type ForumActor } from './rules.ts';
import { notifyEndorsed } from './notify.ts';

/**
 * Votes and staff endorsements (issue 13, second part; ADR 043): each one statement on its table
 * and the counter it moves, in one transaction, the counter moving only when the row changed (a
 * double submit counts once).
 */

/** Upvotes a post for `actor` or, with `undo`, withdraws the vote; a second vote changes nothing. */
export async function votePost(
  db: Kysely<Database>,
  actor: ForumActor,
  post: PostRow,
  undo: boolean,
  now: Date,
): Promise<void> {
  if (post.author_id !== null && post.author_id === actor.userId) throw new HttpError('FORUM_OWN_POST');
  if (!canVote(actor, post)) throw new HttpError('FORUM_NOT_VOTABLE');
  await db.transaction().execute(async (trx) => {
    if (undo) {
      if (await deleteVote(trx, post.id, actor.userId)) await updateVoteCounts(trx, post, -1);
    } else if (await insertVote(trx, post.id, actor.userId, now)) {
      await updateVoteCounts(trx, post, 1);
    }
  });
}

/** Endorses a reply in the name of a staff member or, with `undo`, withdraws the endorsement. */
export async function endorsePost(
  db: Kysely<Database>,
  actor: ForumActor,
  post: PostRow,
  undo: boolean,
  now: Date,
): Promise<void> {
  if (!actor.staff) throw new HttpError('FORUM_FORBIDDEN');
  if (!canEndorse(actor, post)) throw new HttpError('FORUM_NOT_ENDORSABLE');
  await db.transaction().execute(async (trx) => {
    if (await updatePostEndorsed(trx, post.id, undo ? null : actor.userId, now)) {
      await updateThreadEndorsedCount(trx, post.thread_id, undo ? -1 : 1);
      if (!undo) await notifyEndorsed(trx, post, actor.userId, now);
    }
  });
}
