import { describe, expect, it } from 'vitest';
import { parseDateInput, toLocalInput } from './dates.ts';
import { isEnrolmentOpen, isWeekOpen, latestOpenWeek, runPhase, weekOpensAt, type RunTimes } from './schedule.ts';
import { checkRunInput, slugFromTitle } from './runs.ts';

const run = (changes: Partial<RunTimes> = {}): RunTimes => ({
  mode: 'scheduled',
  starts_at: '2026-03-02T08:00:00.000Z',
  ends_at: null,
  enrol_opens_at: null,
  enrol_closes_at: null,
  week_opens: '{}',
  archived: 0,
  ...changes,
});
const at = (iso: string) => new Date(iso);

describe('run schedule', () => {
  it('opens week N of a scheduled run at start + (N − 1) weeks', () => {
    expect(weekOpensAt(run(), 1).toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(weekOpensAt(run(), 3).toISOString()).toBe('2026-03-16T08:00:00.000Z');
    expect(isWeekOpen(run(), 2, at('2026-03-09T07:59:59Z'))).toBe(false);
    expect(isWeekOpen(run(), 2, at('2026-03-09T08:00:00Z'))).toBe(true);
    expect(latestOpenWeek(run(), [1, 2, 3, 4], at('2026-03-17T00:00:00Z'))).toBe(3);
    expect(latestOpenWeek(run(), [1, 2], at('2026-03-01T00:00:00Z'))).toBeNull();
  });

  it('lets staff override one week, and ignores broken overrides', () => {
    const r = run({ week_opens: JSON.stringify({ 2: '2026-03-20T08:00:00.000Z', x: 'y', 3: 'not a date' }) });
    expect(weekOpensAt(r, 2).toISOString()).toBe('2026-03-20T08:00:00.000Z');
    expect(weekOpensAt(r, 3).toISOString()).toBe('2026-03-16T08:00:00.000Z');
    expect(weekOpensAt(run({ week_opens: '{oops' }), 2).toISOString()).toBe('2026-03-09T08:00:00.000Z');
  });

  it('opens every week of a self-paced run at its start', () => {
    const r = run({ mode: 'self-paced' });
    expect(isWeekOpen(r, 12, at('2026-03-02T08:00:00Z'))).toBe(true);
    expect(isWeekOpen(r, 1, at('2026-03-01T00:00:00Z'))).toBe(false);
  });

  it('knows upcoming, running and ended runs, and when enrolment is open', () => {
    const r = run({
      ends_at: '2026-05-01T00:00:00.000Z',
      enrol_opens_at: '2026-02-01T00:00:00.000Z',
      enrol_closes_at: '2026-03-20T00:00:00.000Z',
    });
    expect(runPhase(r, at('2026-02-15T00:00:00Z'))).toBe('upcoming');
    expect(runPhase(r, at('2026-04-01T00:00:00Z'))).toBe('running');
    expect(runPhase(r, at('2026-05-01T00:00:00Z'))).toBe('ended');
    expect(isEnrolmentOpen(r, at('2026-01-31T00:00:00Z'))).toBe(false);
    expect(isEnrolmentOpen(r, at('2026-02-15T00:00:00Z'))).toBe(true);
    expect(isEnrolmentOpen(r, at('2026-03-20T00:00:00Z'))).toBe(false);
    expect(isEnrolmentOpen(run({ archived: 1 }), at('2026-03-05T00:00:00Z'))).toBe(false);
  });
});

describe('dates typed by staff', () => {
  it('reads wall-clock times in the platform time zone, across daylight-saving changes', () => {
    expect(parseDateInput('2026-03-02', 'Europe/Paris')!.toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(parseDateInput('2026-07-14T09:30', 'Europe/Paris')!.toISOString()).toBe('2026-07-14T07:30:00.000Z');
    expect(parseDateInput('2026-03-29T12:00', 'Europe/Paris')!.toISOString()).toBe('2026-03-29T10:00:00.000Z');
    expect(parseDateInput('2026-03-02T09:00', 'America/New_York')!.toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(parseDateInput('2026-03-02T08:00:00Z', 'Europe/Paris')!.toISOString()).toBe('2026-03-02T08:00:00.000Z');
    expect(parseDateInput('2026-03-02T09:00+01:00', 'UTC')!.toISOString()).toBe('2026-03-02T08:00:00.000Z');
  });

  it('refuses impossible or unreadable dates', () => {
    for (const text of ['', '2026-02-30', '2026-13-01', 'tomorrow', '02/03/2026', '2026-03-02T25:00']) {
      expect(parseDateInput(text, 'Europe/Paris')).toBeNull();
    }
  });

  it('gives back what a datetime-local input shows', () => {
    expect(toLocalInput('2026-07-14T07:30:00.000Z', 'Europe/Paris')).toBe('2026-07-14T09:30');
    expect(toLocalInput(null, 'Europe/Paris')).toBe('');
  });
});

describe('run settings', () => {
  it('makes slugs from titles', () => {
    expect(slugFromTitle('Session de printemps 2026 — Été !')).toBe('session-de-printemps-2026-ete');
    expect(slugFromTitle('***')).toBe('session');
  });

  it('reports each wrong field', () => {
    const result = checkRunInput({ title: '', startsAt: '2026-03-02', endsAt: '2026-03-01', slug: 'Bad Slug' }, 'UTC');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual({
        title: 'form.run.title.invalid',
        slug: 'form.run.slug.invalid',
        endsAt: 'form.run.end.beforeStart',
      });
  });
});
