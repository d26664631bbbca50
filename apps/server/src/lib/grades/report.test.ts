import { describe, expect, it } from 'vitest';
import { itemColumn, reportFileName, scoreText } from './report.ts';

describe('grade report CSV', () => {
  it('writes scores with at most four decimals', () => {
    expect(scoreText(null)).toBeNull();
    expect(scoreText(1)).toBe('1');
    expect(scoreText(0.5)).toBe('0.5');
    expect(scoreText(1 / 3)).toBe('0.3333');
    expect(scoreText(0.00001)).toBe('0');
  });

  it('names columns by week and kind, and files by course, session and date', () => {
    const item = {
      key: 'quiz:w1/q#p1',
      kind: 'quiz' as const,
      week: 1,
      route: 'w1/q',
      ref: 'p1',
      title: 'Listes',
      forgeable: false,
    };
    expect(itemColumn(item, true)).toBe('W1 quiz: Listes');
    expect(itemColumn({ ...item, week: null }, false)).toBe('quiz: Listes (not counted)');
    expect(reportFileName('python', 'printemps-2026', new Date('2026-03-20T10:00:00Z'))).toBe(
      'grades-python-printemps-2026-2026-03-20.csv',
    );
  });
});
