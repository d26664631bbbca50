import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareItemPaths, parseItemName, sequenceKey, weekOf } from './naming.ts';

describe('parseItemName', () => {
  it('reads week, sequence, kind, index and label', () => {
    expect(parseItemName('w2/w2-s6-x1-label.md')).toEqual({
      week: 2,
      sequence: 6,
      sequenceSuffix: '',
      kind: 'exercise',
      index: 1,
      indexSuffix: '',
      label: 'label',
    });
    expect(parseItemName('w1-s2-c3-chaines-et-listes.ipynb')).toMatchObject({
      week: 1,
      sequence: 2,
      kind: 'complement',
      index: 3,
      label: 'chaines-et-listes',
    });
    expect(parseItemName('w2-s2-q1-strings.quiz')).toMatchObject({ kind: 'quiz', index: 1, label: 'strings' });
  });

  it('reads x1b, s2a/s2b, s0 and two-digit sequences', () => {
    expect(parseItemName('w3/w3-s4-x1b-suite.md')).toMatchObject({
      kind: 'exercise',
      index: 1,
      indexSuffix: 'b',
      label: 'suite',
    });
    expect(parseItemName('w4-s2a-c1-x.md')).toMatchObject({ sequence: 2, sequenceSuffix: 'a', kind: 'complement' });
    expect(parseItemName('w4-s2b-c1-x.md')).toMatchObject({ sequence: 2, sequenceSuffix: 'b' });
    expect(parseItemName('w1-s0-c1-intro.md')).toMatchObject({ sequence: 0, kind: 'complement' });
    expect(parseItemName('w6-s01-c1-a.md')).toMatchObject({ week: 6, sequence: 1 });
    expect(parseItemName('w6-s10-c1-a.md')).toMatchObject({ week: 6, sequence: 10 });
    expect(parseItemName('w10-s3-c1-a.md')).toMatchObject({ week: 10, sequence: 3 });
  });

  it('reads video material: subtitles, scripts, slides, code pads', () => {
    const video = { week: 2, sequence: 1, kind: 'video', index: 0 };
    expect(parseItemName('w2/w2-s1-av.fr.srt')).toMatchObject({ ...video, label: '' });
    expect(parseItemName('w2/w2-s1-av.txt')).toMatchObject({ ...video, label: '' });
    expect(parseItemName('w2/w2-s1-av-slide1.pptx')).toMatchObject({ ...video, label: 'slide1' });
    expect(parseItemName('w2/w2-s1-av-code.html')).toMatchObject({ ...video, label: 'code' });
    expect(parseItemName('w2/w2-s1-av-exo2.py')).toMatchObject({ ...video, label: 'exo2' });
    expect(parseItemName('w2/w2-s2a-av-slides.md')).toMatchObject({
      sequenceSuffix: 'a',
      kind: 'video',
      label: 'slides',
    });
  });

  it('ignores letter case in the scheme, and keeps the label as written', () => {
    expect(parseItemName('W1-S2-C1-Intro.md')).toMatchObject({
      week: 1,
      sequence: 2,
      kind: 'complement',
      label: 'Intro',
    });
    expect(parseItemName('w1-s2A-x1B-a.md')).toMatchObject({ sequenceSuffix: 'a', indexSuffix: 'b' });
  });

  it('reads a name without a label or without an index', () => {
    expect(parseItemName('w1-s1-q1.quiz')).toMatchObject({ kind: 'quiz', index: 1, label: '' });
    expect(parseItemName('w1-s1-c-notes.md')).toMatchObject({ kind: 'complement', index: 0, label: 'notes' });
  });

  it('returns null for names outside the scheme', () => {
    for (const name of [
      'w7/w7-00-summary.txt',
      'w1/w1-CONTENTS.md',
      'w1/w1-code-in-videos.md',
      'README.md',
      'data/w1-s1.txt',
      'w1-s1-z1-unknown.md',
      'w1-s1c1-x.md',
      'xw1-s1-c1-a.md',
      'modules/corrections/exo_x.py',
    ]) {
      expect(parseItemName(name), name).toBeNull();
    }
  });

  it('reads only the file name, not the folders', () => {
    expect(parseItemName('w1-s1-c1-a/notes.md')).toBeNull();
    expect(parseItemName('other/w3-s1-c2-b.md')).toMatchObject({ week: 3, index: 2 });
  });
});

describe('weekOf', () => {
  it('takes the week from the name first, then from a wN folder, then from a wN- free name', () => {
    expect(weekOf('w2/w2-s1-c1-a.md')).toBe(2);
    // The name wins over the folder.
    expect(weekOf('w3/w2-s1-c1-a.md')).toBe(2);
    expect(weekOf('w7/w7-00-summary.txt')).toBe(7);
    expect(weekOf('w4/notes.md')).toBe(4);
    expect(weekOf('w10/sub/deep.md')).toBe(10);
    expect(weekOf('w5-00-summary.txt')).toBe(5);
  });

  it('is null outside weeks', () => {
    expect(weekOf('README.md')).toBeNull();
    expect(weekOf('data/notes.txt')).toBeNull();
    expect(weekOf('week1/notes.md')).toBeNull();
    expect(weekOf('w1x/notes.md')).toBeNull();
  });
});

describe('compareItemPaths', () => {
  const sorted = (paths: string[]): string[] => [...paths].sort(compareItemPaths);

  it('orders a sequence: video material, complements, exercises, then quizzes', () => {
    expect(
      sorted([
        'w2/w2-s2-q1-quiz.quiz',
        'w2/w2-s2-x1-exo.md',
        'w2/w2-s2-c2-b.md',
        'w2/w2-s2-av-slides.md',
        'w2/w2-s2-c1-a.md',
        'w2/w2-s2-x1b-exo.md',
      ]),
    ).toEqual([
      'w2/w2-s2-av-slides.md',
      'w2/w2-s2-c1-a.md',
      'w2/w2-s2-c2-b.md',
      'w2/w2-s2-x1-exo.md',
      'w2/w2-s2-x1b-exo.md',
      'w2/w2-s2-q1-quiz.quiz',
    ]);
  });

  it('orders sequences and weeks numerically: s2 before s10, w2 before w10, s0 first, s2 < s2a < s2b < s3', () => {
    expect(
      sorted([
        'w10/w10-s1-c1-a.md',
        'w2/w2-s10-c1-a.md',
        'w2/w2-s2b-c1-a.md',
        'w2/w2-s02-c2-a.md',
        'w2/w2-s3-c1-a.md',
        'w2/w2-s2a-c1-a.md',
        'w2/w2-s0-c1-a.md',
      ]),
    ).toEqual([
      'w2/w2-s0-c1-a.md',
      'w2/w2-s02-c2-a.md',
      'w2/w2-s2a-c1-a.md',
      'w2/w2-s2b-c1-a.md',
      'w2/w2-s3-c1-a.md',
      'w2/w2-s10-c1-a.md',
      'w10/w10-s1-c1-a.md',
    ]);
  });

  it('puts a quiz of sequence 2 before the complements of sequence 3', () => {
    expect(sorted(['w1/w1-s3-c1-a.md', 'w1/w1-s2-q1-a.quiz', 'w1/w1-s2-c1-a.md'])).toEqual([
      'w1/w1-s2-c1-a.md',
      'w1/w1-s2-q1-a.quiz',
      'w1/w1-s3-c1-a.md',
    ]);
  });

  it('orders two items of the same number by name (a second c3 in one sequence)', () => {
    expect(sorted(['w1/w1-s1-c3-zeta.md', 'w1/w1-s1-c3-alpha.md'])).toEqual([
      'w1/w1-s1-c3-alpha.md',
      'w1/w1-s1-c3-zeta.md',
    ]);
  });

  it('puts names outside the scheme after, in natural order', () => {
    expect(sorted(['w1/notes10.md', 'w1/w1-00-summary.txt', 'w1/notes2.md', 'w9/w9-s1-c1-a.md'])).toEqual([
      'w9/w9-s1-c1-a.md',
      'w1/notes2.md',
      'w1/notes10.md',
      'w1/w1-00-summary.txt',
    ]);
  });

  it('is antisymmetric and zero only for the same path', () => {
    const segment = fc.constantFrom(
      'w1-s1-c1-a.md',
      'w1-s01-c1-a.md',
      'w1-s1-x1b-a.md',
      'w1-s2a-q1.quiz',
      'w2-s10-av.fr.srt',
      'notes.md',
      'w1-00-x.txt',
      'A.md',
      'a.md',
    );
    const path = fc.tuple(fc.constantFrom('', 'w1/', 'w2/', 'w10/'), segment).map(([d, f]) => d + f);
    fc.assert(
      fc.property(path, path, (a, b) => {
        expect(Math.sign(compareItemPaths(a, b))).toBe(-Math.sign(compareItemPaths(b, a)) || 0);
        expect(compareItemPaths(a, b) === 0).toBe(a === b);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sequenceKey', () => {
  it('gives the CONTENTS.md key, numbers without leading zeros, suffix in lower case', () => {
    expect(sequenceKey('w2/w2-s3-c1-a.md')).toBe('w2-s3');
    expect(sequenceKey('w6/w6-s01-c1-a.md')).toBe('w6-s1');
    expect(sequenceKey('w2/w2-s2A-c1-a.md')).toBe('w2-s2a');
    expect(sequenceKey('w2/w2-s1-av.fr.srt')).toBe('w2-s1');
    expect(sequenceKey('w7/w7-00-summary.txt')).toBeNull();
  });
});
