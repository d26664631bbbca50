import { describe, expect, it } from 'vitest';
import { parseContents, type CourseContents } from './contents.ts';
import { DiagnosticSink } from './diagnostics.ts';

function read(...lines: string[]): { contents: CourseContents; diagnostics: string[] } {
  const sink = new DiagnosticSink('CONTENTS.md');
  const contents = parseContents(lines.join('\n') + '\n', sink);
  return { contents, diagnostics: sink.items.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column}`) };
}

describe('parseContents', () => {
  it('reads weeks, themes, levels and sequence titles', () => {
    const { contents, diagnostics } = read(
      '# Python : contenu du cours',
      '',
      '## Semaine 1',
      '',
      '### Thème: Premiers pas',
      '### Niveau: débutant',
      '',
      '* w1-s1: Nombres et variables',
      '* w1-s2:   Les chaînes de caractères  ',
      '- w1-s10: Fonctions',
      '',
      '## Semaine 2 : conteneurs',
      '### Theme: Conteneurs',
      '* w2-s2a: Les listes (1)',
      '* w2-s2B: Les listes (2)',
      '* w2-s03: Trois',
    );
    expect(diagnostics).toEqual([]);
    expect([...contents.weeks]).toEqual([
      [1, { theme: 'Premiers pas', level: 'débutant' }],
      [2, { theme: 'Conteneurs', level: null }],
    ]);
    expect(Object.fromEntries(contents.sequences)).toEqual({
      'w1-s1': 'Nombres et variables',
      'w1-s2': 'Les chaînes de caractères',
      'w1-s10': 'Fonctions',
      'w2-s2a': 'Les listes (1)',
      'w2-s2b': 'Les listes (2)',
      'w2-s3': 'Trois',
    });
  });

  it('accepts French spacing before the colon (plain and non-breaking spaces), and English words', () => {
    const { contents } = read(
      '## Semaine 3',
      '### Thème : Aller plus loin',
      '### Niveau\u00a0: avancé',
      '## Week 4',
      '### THEME\u202f: Objects',
      '### Level: advanced',
      '* w4-s1 : Classes',
    );
    expect([...contents.weeks]).toEqual([
      [3, { theme: 'Aller plus loin', level: 'avancé' }],
      [4, { theme: 'Objects', level: 'advanced' }],
    ]);
    expect(Object.fromEntries(contents.sequences)).toEqual({ 'w4-s1': 'Classes' });
  });

  it('ignores the draft sections after a ## heading that is not a week', () => {
    const { contents, diagnostics } = read(
      '## Semaine 1',
      '* w1-s1: Publié',
      '## Brouillons',
      '### Thème: brouillon',
      '* w4-s1: Tester son code',
      '* w1-s1: Pas ce titre',
      '* w4-s2 sans deux-points',
    );
    expect(diagnostics).toEqual([]);
    expect([...contents.weeks]).toEqual([[1, { theme: null, level: null }]]);
    expect(Object.fromEntries(contents.sequences)).toEqual({ 'w1-s1': 'Publié' });
  });

  it('ignores sequence lines before the first week', () => {
    const { contents } = read('* w1-s1: Avant', '## Semaine 1', '* w1-s2: Après');
    expect(Object.fromEntries(contents.sequences)).toEqual({ 'w1-s2': 'Après' });
  });

  it('warns about a sequence listed under another week, and still keeps it', () => {
    const { contents, diagnostics } = read('## Semaine 1', '', '* w1-s1: Un', '* w2-s1: Deux');
    expect(diagnostics).toEqual(['warning contents.week-mismatch CONTENTS.md:4:1']);
    expect(Object.fromEntries(contents.sequences)).toEqual({ 'w1-s1': 'Un', 'w2-s1': 'Deux' });
  });

  it('warns about a line that looks like a sequence but is not one', () => {
    const { contents, diagnostics } = read('## Semaine 1', '* w1-s1 Nombres', '* w1 : tout', '* see w1-s1: not a key');
    expect(diagnostics).toEqual([
      'warning contents.sequence-line CONTENTS.md:2:1',
      'warning contents.sequence-line CONTENTS.md:3:1',
    ]);
    expect(contents.sequences.size).toBe(0);
  });

  it('warns about a sequence line without a title instead of giving it an empty title', () => {
    const { contents, diagnostics } = read('## Semaine 1', '* w1-s1:   ', '* w1-s2:', '* w1-s3: Trois');
    expect(diagnostics).toEqual([
      'warning contents.sequence-line CONTENTS.md:2:1',
      'warning contents.sequence-line CONTENTS.md:3:1',
    ]);
    expect(Object.fromEntries(contents.sequences)).toEqual({ 'w1-s3': 'Trois' });
  });

  it('leaves an empty theme null and lets a later line override', () => {
    const { contents } = read('## Semaine 1', '### Thème:', '### Niveau: a', '### Niveau: b');
    expect(contents.weeks.get(1)).toEqual({ theme: null, level: 'b' });
  });

  it('counts lines from 1 with CRLF and a BOM', () => {
    const sink = new DiagnosticSink('CONTENTS.md');
    const contents = parseContents('\uFEFF## Semaine 1\r\n\r\n* w2-s1: Deux\r\n', sink);
    expect(sink.items.map((d) => d.line)).toEqual([3]);
    expect(contents.sequences.get('w2-s1')).toBe('Deux');
  });

  it('reads nothing from an empty file', () => {
    const { contents, diagnostics } = read('');
    expect(contents.weeks.size).toBe(0);
    expect(contents.sequences.size).toBe(0);
    expect(diagnostics).toEqual([]);
  });
});
