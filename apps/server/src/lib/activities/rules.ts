import type { Activity, ActivityMode, ActivityPupil } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { parseDateInput } from '../runs/dates.ts';

/** An activity's modes, in the order the form offers them. */
export const MODES: readonly ActivityMode[] = ['open', 'hand-in', 'locked'];

/** What a pupil may do with their copy now: nothing (it does not exist for them), read it, or work. */
export type CopyAccess = 'hidden' | 'read-only' | 'editable';

/**
 * The pupil's access to their copy at `now` (ADR 051): hidden before the opening date, and after
 * the closing date in locked mode; read-only once handed in, and after the closing date in
 * hand-in mode; editable otherwise (open mode: at any time after opening).
 */
export function copyAccess(activity: Activity, pupil: ActivityPupil | null, now: Date): CopyAccess {
  const at = now.toISOString();
  if (at < activity.opens_at) return 'hidden';
  const closed = at > activity.closes_at;
  if (closed && activity.mode === 'locked') return 'hidden';
  if (pupil?.handed_in_at) return 'read-only';
  if (closed && activity.mode === 'hand-in') return 'read-only';
  return 'editable';
}

/** A pupil's state in the teacher's table. */
export type PupilState = 'not-opened' | 'in-progress' | 'handed-in' | 'late';

/** Not opened, in progress, handed in (by the closing date), late (handed in after it, or not by it). */
export function pupilState(activity: Activity, pupil: ActivityPupil | null, now: Date): PupilState {
  if (pupil?.handed_in_at) return pupil.handed_in_at <= activity.closes_at ? 'handed-in' : 'late';
  if (!pupil) return 'not-opened';
  return now.toISOString() > activity.closes_at ? 'late' : 'in-progress';
}

/** The end of the window in which an exercise submission or a quiz attempt counts for the activity. */
export function windowEnd(activity: Activity, pupil: ActivityPupil | null): string {
  if (pupil?.handed_in_at) return pupil.handed_in_at;
  // Open mode: work goes on after the closing date and still counts.
  return activity.mode === 'open' ? '9999-12-31T23:59:59.999Z' : activity.closes_at;
}

export interface ActivityInput {
  title: string;
  opens: string;
  closes: string;
  mode: string;
}

export interface CheckedActivity {
  title: string;
  opensAt: string;
  closesAt: string;
  mode: ActivityMode;
}

/** Checks the form's title, dates (wall-clock time in `zone`) and mode. */
export function checkActivityInput(
  input: ActivityInput,
  zone: string,
): { value: CheckedActivity } | { errors: Record<string, MessageKey> } {
  const errors: Record<string, MessageKey> = {};
  const title = input.title.trim();
  if ([...title].length > 200 || /[\u0000-\u001f\u007f]/.test(title)) errors['title'] = 'activity.error.title';
  const opens = parseDateInput(input.opens, zone);
  const closes = parseDateInput(input.closes, zone);
  if (!opens) errors['opens'] = 'activity.error.date';
  if (!closes) errors['closes'] = 'activity.error.date';
  if (opens && closes && closes <= opens) errors['closes'] = 'activity.error.order';
  if (!MODES.includes(input.mode as ActivityMode)) errors['mode'] = 'activity.error.mode';
  if (Object.keys(errors).length > 0 || !opens || !closes) return { errors };
  return {
    value: { title, opensAt: opens.toISOString(), closesAt: closes.toISOString(), mode: input.mode as ActivityMode },
  };
}

/** Longest comment and feedback (characters), and mark. */
export const COMMENT_MAX = 4000;
export const MARK_MAX = 20;

/** An activity as /me lists it: its state, and whether the pupil can open it now (a link). */
export function dashboardActivity<
  T extends Pick<Activity, 'opens_at' | 'closes_at' | 'mode'> & {
    opened_at: string | null;
    handed_in_at: string | null;
  },
>(entry: T, now: Date): { entry: T; state: PupilState; visible: boolean } {
  const activity = entry as unknown as Activity;
  const pupil = entry.opened_at
    ? ({ opened_at: entry.opened_at, handed_in_at: entry.handed_in_at } as unknown as ActivityPupil)
    : entry.handed_in_at
      ? ({ handed_in_at: entry.handed_in_at } as unknown as ActivityPupil)
      : null;
  return {
    entry,
    state: pupilState(activity, pupil, now),
    visible: copyAccess(activity, pupil, now) !== 'hidden',
  };
}
