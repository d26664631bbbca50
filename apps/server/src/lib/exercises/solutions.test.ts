import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractSolutions } from './solutions.ts';

describe('extractSolutions', () => {
  it('finds the marked solution and its variants, without the markers', () => {
    const source = readFileSync(
      join(import.meta.dirname, '../../../../../demo-course/modules/corrections/exo_duree.py'),
      'utf8',
    );
    const solutions = extractSolutions(source, 'duree');
    expect(solutions.map((s) => s.variant)).toEqual([null, 'bis']);
    expect(solutions[0]!.code).toMatch(/^def duree\(secondes\):/);
    expect(solutions[1]!.code).toContain('divmod(secondes, 60)');
    expect(solutions.some((s) => s.code.includes('@BEG@') || s.code.includes('@END@'))).toBe(false);
    // The wrong variant is not marked: it is never shown.
    expect(solutions.some((s) => s.code.includes('duree_ko'))).toBe(false);
  });

  it('keeps to the exercise asked for', () => {
    const source = '# @BEG@ name=a\nx = 1\n# @END@\n# @BEG@ name=b more=ter\ny = 2\n# @END@\n';
    expect(extractSolutions(source, 'b')).toEqual([{ variant: 'ter', code: 'y = 2' }]);
    expect(extractSolutions(source, 'c')).toEqual([]);
  });
});
