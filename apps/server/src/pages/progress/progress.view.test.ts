// The progress page's pure parts: item statuses, what remains before the next due date, the chart.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../db/schema.ts';
import { translator } from '../../i18n/index.ts';
import type { ItemGrade, LearnerGrade, WeekGrade } from '../../lib/grades/policy.ts';
import { itemState, remainingWork, scoreChart, type LearnerProgress } from './progress.view.ts';

const item = (week: number, ref: string, score: number | null, due: string | null, late = 0): ItemGrade => ({
  item: { key: `quiz:q${week}#${ref}`, kind: 'quiz', week, route: `q${week}`, ref, title: ref, forgeable: false },
  score,
  late,
  due,
  counted: true,
});
const week = (n: number, due: string | null, items: ItemGrade[], score: number | null = 0): WeekGrade => ({
  week: n,
  due,
  score,
  items,
});

function progress(weeks: WeekGrade[], now: string, extra: Partial<LearnerProgress> = {}): LearnerProgress {
  const grade: LearnerGrade = {
    grade: 0.25,
    passed: false,
    threshold: 0.6,
    weeks,
    types: { quiz: { score: 0.25, items: 4, weight: 1 }, exercise: { score: 0, items: 0, weight: 1 } },
  };
  return {
    run: { title: 'Printemps' } as Run,
    grade,
    graceMinutes: 0,
    attemptsAllowed: 2,
    videos: [],
    attempts: new Map(),
    themes: new Map(),
    zone: 'Europe/Paris',
    now: new Date(now),
    ...extra,
  };
}

const D1 = '2026-03-16T08:00:00.000Z';
const D2 = '2026-03-23T08:00:00.000Z';

describe('item statuses', () => {
  it('done with a counted score, late with only late results, missed once past the deadline, else not yet', () => {
    const now = new Date('2026-03-17T00:00:00Z');
    expect(itemState(item(1, 'a', 0.5, D1, 1), 0, now)).toBe('done');
    expect(itemState(item(1, 'a', null, D1, 1), 0, now)).toBe('late');
    expect(itemState(item(1, 'a', null, D1), 0, now)).toBe('missed');
    // Within the grace period the item can still count.
    expect(itemState(item(1, 'a', null, D1), 24 * 60, now)).toBe('todo');
    expect(itemState(item(2, 'a', null, D2), 0, now)).toBe('todo');
    expect(itemState(item(2, 'a', null, null), 0, now)).toBe('todo');
  });
});

describe('what remains before the next due date', () => {
  const weeks = [
    week(1, D1, [item(1, 'p1', 1, D1), item(1, 'p2', null, D1)]),
    week(2, D2, [item(2, 'p1', 1, D2), item(2, 'p2', null, D2), item(2, 'p3', 0.5, D2), item(2, 'p4', 0.5, D2)]),
  ];

  it('lists the items of the first week still open that are not fully done', () => {
    const p = progress(weeks, '2026-03-17T00:00:00Z', {
      attempts: new Map([
        ['q2#p3', { used: 1, max: 2 }],
        ['q2#p4', { used: 2, max: 2 }],
      ]),
    });
    const r = remainingWork(p);
    expect(r.kind).toBe('next');
    if (r.kind !== 'next') return;
    expect(r.due).toBe(D2);
    expect(r.weeks.map((w) => w.week)).toEqual([2]);
    // p3 can still improve; p4 has no attempt left.
    expect(r.items.map((i) => i.item.ref)).toEqual(['p2', 'p3']);
  });

  it('counts the weeks due first, including one in its grace period', () => {
    const r = remainingWork(progress(weeks, '2026-03-16T09:00:00Z', { graceMinutes: 120 }));
    expect(r.kind === 'next' && r.due).toBe(D1);
    expect(r.kind === 'next' && r.items.map((i) => `${i.item.week}${i.item.ref}`)).toEqual(['1p2']);
  });

  it('says when nothing is due any more, and when the session has no due dates', () => {
    expect(remainingWork(progress(weeks, '2026-04-01T00:00:00Z')).kind).toBe('over');
    const undated = [week(1, null, [item(1, 'p1', null, null), item(1, 'p2', 1, null)])];
    const r = remainingWork(progress(undated, '2026-04-01T00:00:00Z'));
    expect(r.kind === 'no-due' && r.items.map((i) => i.item.ref)).toEqual(['p1']);
  });
});

describe('the chart', () => {
  const t = translator('en');
  const ctx = { lang: 'en' as const, t, asset: (n: string) => n, path: '/' };

  it('draws one bar per week with a score, the threshold line, and describes every value', () => {
    const p = progress([week(1, D1, [], 0.5), week(2, D2, [], null), week(3, D2, [], 1)], '2026-03-17T00:00:00Z');
    const svg = scoreChart(ctx, p).value;
    expect(svg.match(/class="chart-week"/g)).toHaveLength(3);
    expect(svg.match(/<rect/g)).toHaveLength(2);
    // 60 % of the plot's 166 units above its bottom (190).
    expect(svg).toMatch(/class="chart-threshold"\s+x1="54"\s+x2="392"\s+y1="90.4"\s+y2="90.4"/);
    expect(svg).toContain('Week 1: 50%. Week 2: no score. Week 3: 100%.');
    expect(svg).toContain('<a href="#weeks-table">');
    expect(svg).not.toMatch(/style=|<script/);
  });
});
