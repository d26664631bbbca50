import { describe, expect, it } from 'vitest';
import { matchesNoneMatch, requestedRange } from './ranges.ts';

const E = '"abc"';
const r = (range: string | undefined, size = 1000, ifRange?: string) => requestedRange(range, ifRange, E, size);

describe('requestedRange', () => {
  it('reads one range: first-last, first-, -suffix, clamped to the file', () => {
    expect(r('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(r('bytes=990-')).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(r('bytes=-10')).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(r('bytes=-5000')).toEqual({ kind: 'partial', start: 0, end: 999 });
    expect(r('bytes=900-5000')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(r('Bytes= 5-5 ')).toEqual({ kind: 'partial', start: 5, end: 5 });
  });

  it('says what cannot be satisfied: past the end, an empty suffix, any range of an empty file', () => {
    expect(r('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=1000-2000')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=-0')).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(r('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('answers with the whole file what it ignores: none, several, bad syntax, another If-Range', () => {
    for (const range of [
      undefined,
      'bytes=0-1,3-4',
      'bytes=5-1',
      'bytes=-',
      'bytes=a-b',
      'lines=1-2',
      'bytes=0-99999999999999999999',
    ]) {
      expect(r(range), String(range)).toEqual({ kind: 'full' });
    }
    expect(r('bytes=0-9', 1000, '"other"')).toEqual({ kind: 'full' });
    expect(r('bytes=0-9', 1000, 'Wed, 21 Oct 2015 07:28:00 GMT')).toEqual({ kind: 'full' });
    expect(r('bytes=0-9', 1000, E)).toEqual({ kind: 'partial', start: 0, end: 9 });
  });
});

describe('matchesNoneMatch', () => {
  it('finds the ETag in a list, weak or strong, or *', () => {
    expect(matchesNoneMatch(E, E)).toBe(true);
    expect(matchesNoneMatch(`"x", W/${E}`, E)).toBe(true);
    expect(matchesNoneMatch('*', E)).toBe(true);
    expect(matchesNoneMatch('"x"', E)).toBe(false);
    expect(matchesNoneMatch(undefined, E)).toBe(false);
  });
});
