import { describe, expect, it } from 'vitest';
import { findExerciseDefinitions, findExerciseUses } from './exercises.ts';
import type { Cell, Notebook } from './notebook/model.ts';

/** A notebook of code cells (markdown cells given as `md:` strings), cell N on line 10·N. */
function notebook(...sources: string[]): Notebook {
  const cells: Cell[] = sources.map((source, index) => {
    const base = { index, id: `cell-${index}`, line: 10 * (index + 1), metadata: {}, tags: [] };
    return source.startsWith('md:')
      ? { ...base, type: 'markdown', source: source.slice(3), attachments: {} }
      : { ...base, type: 'code', source, language: 'python', outputs: [], executionCount: null };
  });
  return { path: 'w1/x.md', format: 'myst', metadata: {}, cells };
}

describe('findExerciseUses', () => {
  it('finds `from corrections.exo_x import exo_x` and whether correction is called', () => {
    const uses = findExerciseUses(
      notebook(
        'md:# Exercice',
        'from corrections.exo_duree import exo_duree\nexo_duree.example()',
        'def duree(a, b):\n    pass',
        'exo_duree.correction(duree)',
      ),
    );
    expect(uses).toEqual([{ module: 'corrections.exo_duree', name: 'exo_duree', corrected: true, line: 20 }]);
  });

  it('sees an exercise only shown with example() as not corrected', () => {
    expect(findExerciseUses(notebook('from corrections.exo_x import exo_x', 'exo_x.example()'))).toEqual([
      { module: 'corrections.exo_x', name: 'exo_x', corrected: false, line: 10 },
    ]);
  });

  it('reads several names, parenthesised lists over several lines with comments, and `as`', () => {
    const uses = findExerciseUses(
      notebook(
        'from corrections.exo_a import exo_a, exo_b as b',
        'from corrections.exo_multi import (\n    exo_c,  # the first one\n    exo_d as d,\n)',
        'b.correction(f)\nd . correction (g)\nexo_c.example()',
      ),
    );
    expect(uses).toEqual([
      { module: 'corrections.exo_a', name: 'exo_a', corrected: false, line: 10 },
      // The module defines exo_b; the notebook corrects it under the name b.
      { module: 'corrections.exo_a', name: 'exo_b', corrected: true, line: 10 },
      { module: 'corrections.exo_multi', name: 'exo_c', corrected: false, line: 20 },
      { module: 'corrections.exo_multi', name: 'exo_d', corrected: true, line: 20 },
    ]);
  });

  it('does not count a correction called on another name, or calls written in markdown', () => {
    const uses = findExerciseUses(
      notebook(
        'from corrections.exo_x import exo_x',
        'md:exo_x.correction(f)',
        'my_exo_x.correction(f)\nexo_xy.correction(f)',
      ),
    );
    expect(uses.map((u) => u.corrected)).toEqual([false]);
  });

  it('reads an indented import, a package import and a statement after ;', () => {
    const uses = findExerciseUses(
      notebook(
        'if True:\n    from corrections import exo_pkg',
        'from corrections.sub.exo_y import exo_y; exo_y.correction(f)',
      ),
    );
    expect(uses).toEqual([
      { module: 'corrections', name: 'exo_pkg', corrected: false, line: 10 },
      { module: 'corrections.sub.exo_y', name: 'exo_y', corrected: true, line: 20 },
    ]);
  });

  it('ignores other modules, star imports, odd names, and never fails on them', () => {
    const uses = findExerciseUses(
      notebook(
        'from correctionsx.exo import exo',
        'import corrections.exo_x',
        'from corrections.exo_x import *',
        'from corrections.exo_x import exo as e[',
        'from corrections.exo_x import exo as (',
        '# from corrections.exo_x import exo_x',
      ),
    );
    expect(uses).toEqual([]);
  });

  it('finds nothing in a notebook without code', () => {
    expect(findExerciseUses(notebook('md:from corrections.exo_x import exo_x'))).toEqual([]);
  });
});

describe('findExerciseDefinitions', () => {
  it('finds top-level exercise objects built with the library classes, with their line', () => {
    const source = [
      '"""Docstring."""', // 1
      'from nbautoeval import ExerciseFunction, Args',
      'import nbautoeval',
      '',
      'def duree(a, b):', // 5
      '    return b - a',
      '',
      'exo_duree = ExerciseFunction(', // 8
      '    duree, [Args(1, 2)])',
      'exo_gen = nbautoeval.ExerciseGenerator(gen, inputs)', // 10
      'exo_re=ExerciseRegexpGroups (regexp, inputs)', // 11
      '    nested = ExerciseFunction(f, [])',
      'other = compute(1)',
      'exo_np = ExerciseFunctionNumpy(f, [])', // 14
    ].join('\n');
    expect(findExerciseDefinitions('corrections.exo_duree', source)).toEqual([
      { module: 'corrections.exo_duree', name: 'exo_duree', className: 'ExerciseFunction', line: 8 },
      { module: 'corrections.exo_duree', name: 'exo_gen', className: 'ExerciseGenerator', line: 10 },
      { module: 'corrections.exo_duree', name: 'exo_re', className: 'ExerciseRegexpGroups', line: 11 },
      { module: 'corrections.exo_duree', name: 'exo_np', className: 'ExerciseFunctionNumpy', line: 14 },
    ]);
  });

  it('follows course subclasses, subclasses of subclasses included', () => {
    const source = [
      'class ExoPlus(ExerciseFunction):',
      '    def correction(self, f): ...',
      'class ExoPlusPlus(mod.Other, ExoPlus):',
      '    pass',
      'class NotAnExercise(object):',
      '    pass',
      'exo_a = ExoPlus(f, [])', // 7
      'exo_b = ExoPlusPlus(f, [])', // 8
      'exo_c = NotAnExercise()',
      'exo_tirelire = ExerciseClass(', // 10
      '    Tirelire, scenarios)',
    ].join('\n');
    expect(findExerciseDefinitions('corrections.exo', source).map((d) => [d.name, d.className, d.line])).toEqual([
      ['exo_a', 'ExoPlus', 7],
      ['exo_b', 'ExoPlusPlus', 8],
      ['exo_tirelire', 'ExerciseClass', 10],
    ]);
  });

  it('finds nothing in a helper module', () => {
    expect(findExerciseDefinitions('corrections', '"""Package."""\nfrom .exo_x import exo_x\n')).toEqual([]);
  });
});
