import type { Kysely } from 'kysely';
import type { Database, Run, RunMode } from '../../db/schema.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { insertRun, updateRun, type RunChanges } from '../../models/runs.ts';
import { parseDateInput } from './dates.ts';

/** A run's settings as typed in the form or on the command line (dates as text). */
export interface RunInput {
  slug?: string | undefined;
  title?: string | undefined;
  mode?: string | undefined;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  enrolOpensAt?: string | undefined;
  enrolClosesAt?: string | undefined;
  /** Week number → date text; empty means "computed". */
  weekOpens?: Record<number, string> | undefined;
}

/** Checked settings, ready to store. */
export interface RunSettings {
  slug: string;
  title: string;
  mode: RunMode;
  starts_at: string;
  ends_at: string | null;
  enrol_opens_at: string | null;
  enrol_closes_at: string | null;
  week_opens: string;
}

export type RunFieldErrors = Partial<Record<keyof RunInput, MessageKey>>;

export const RUN_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A slug from a title: `Session de printemps 2026` → `session-de-printemps-2026`. */
export function slugFromTitle(title: string): string {
  const slug = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug || 'session';
}

/** Checks typed settings; returns the settings or the error of each wrong field. */
export function checkRunInput(
  input: RunInput,
  zone: string,
): { ok: true; settings: RunSettings } | { ok: false; errors: RunFieldErrors } {
  const errors: RunFieldErrors = {};
  const title = (input.title ?? '').trim();
  if (title.length === 0 || title.length > 120) errors.title = 'form.run.title.invalid';
  const slug = (input.slug ?? '').trim() || slugFromTitle(title);
  if (!RUN_SLUG.test(slug)) errors.slug = 'form.run.slug.invalid';
  const mode =
    input.mode === 'self-paced'
      ? 'self-paced'
      : input.mode === undefined || input.mode === 'scheduled'
        ? 'scheduled'
        : null;
  if (!mode) errors.mode = 'form.run.mode.invalid';
  const date = (field: 'startsAt' | 'endsAt' | 'enrolOpensAt' | 'enrolClosesAt', required: boolean): string | null => {
    const text = (input[field] ?? '').trim();
    if (text === '') {
      if (required) errors[field] = 'form.run.date.required';
      return null;
    }
    const parsed = parseDateInput(text, zone);
    if (!parsed) errors[field] = 'form.run.date.invalid';
    return parsed?.toISOString() ?? null;
  };
  const starts = date('startsAt', true);
  const ends = date('endsAt', false);
  const opens = date('enrolOpensAt', false);
  const closes = date('enrolClosesAt', false);
  if (starts && ends && ends <= starts) errors.endsAt = 'form.run.end.beforeStart';
  if (opens && closes && closes <= opens) errors.enrolClosesAt = 'form.run.enrolClose.beforeOpen';
  const weeks: Record<string, string> = {};
  for (const [week, text] of Object.entries(input.weekOpens ?? {})) {
    if (text.trim() === '') continue;
    const parsed = parseDateInput(text, zone);
    if (!parsed) errors.weekOpens = 'form.run.weeks.invalid';
    else weeks[String(Number(week))] = parsed.toISOString();
  }
  if (Object.keys(errors).length > 0 || !starts || !mode) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      slug,
      title,
      mode,
      starts_at: starts,
      ends_at: ends,
      enrol_opens_at: opens,
      enrol_closes_at: closes,
      week_opens: JSON.stringify(weeks),
    },
  };
}

/** Creates a run of a course pinned to `versionId`; null when the slug is taken in this course. */
export async function createRun(
  db: Kysely<Database>,
  courseId: number,
  versionId: number,
  settings: RunSettings,
  now: Date,
): Promise<Run | null> {
  const at = now.toISOString();
  return insertRun(db, { ...settings, course_id: courseId, version_id: versionId, created_at: at, updated_at: at });
}

/** Changes a run's settings (its slug stays: it is in addresses and scripts), and archives or restores it. */
export async function editRun(
  db: Kysely<Database>,
  runId: number,
  settings: RunSettings,
  now: Date,
  options: { archived?: boolean; videosCount?: boolean } = {},
): Promise<void> {
  const { slug: _slug, ...changes } = settings;
  const archived = options.archived === undefined ? {} : { archived: options.archived ? 1 : 0 };
  const videos = options.videosCount === undefined ? {} : { videos_count: options.videosCount ? 1 : 0 };
  await updateRun(db, runId, { ...changes, ...archived, ...videos } satisfies RunChanges, now);
}

/**
 * Pins a run to another version of its course (staff move a run to a newer import). Returns false
 * when the version is not one of this course's.
 */
export async function moveRunToVersion(db: Kysely<Database>, run: Run, versionId: number, now: Date): Promise<boolean> {
  const version = await db
    .selectFrom('course_versions')
    .select('id')
    .where('id', '=', versionId)
    .where('course_id', '=', run.course_id)
    .executeTakeFirst();
  if (!version) return false;
  await updateRun(db, run.id, { version_id: versionId }, now);
  return true;
}
