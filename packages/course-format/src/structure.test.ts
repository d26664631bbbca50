import { describe, expect, it } from 'vitest';
import type { Diagnostic } from './diagnostics.ts';
import type { ManifestTrack } from './manifests.ts';
import { parseItemName, weekOf } from './naming.ts';
import { buildTracks } from './structure.ts';

/** Items as buildCourse makes them: week and kind from the path. */
function items(...paths: string[]): { path: string; week: number | null; kind: string }[] {
  return paths.map((path) => ({
    path,
    week: weekOf(path),
    kind: path.endsWith('.quiz') ? 'quiz' : (parseItemName(path)?.kind ?? 'other'),
  }));
}

function track(id: string, ...sections: [name: string, patterns: string[], line: number][]): ManifestTrack {
  return {
    id,
    name: id.toUpperCase(),
    description: `${id} track`,
    sections: sections.map(([name, patterns, line]) => ({ name, patterns, file: '.nbhosting/nbhosting.yaml', line })),
  };
}

/** A shuffled course: buildTracks must not depend on the order it receives items in. */
const COURSE = items(
  'w2/w2-s1-c1-listes.md',
  'w1/w1-s2-x1-exo.md',
  'w1/w1-s10-c1-fin.md',
  'w1/w1-s2-q1-quiz.quiz',
  'w1/w1-s1-c1-nombres.md',
  'w1/w1-s2-c1-chaines.md',
  'w1/w1-s1-av',
  'w2/w2-s2-x1-dict.md',
  'w2/w2-s1-q1-listes.quiz',
  'w3/w3-s1-q1-final.quiz',
);

describe('buildTracks with manifest tracks', () => {
  it('resolves the globs of each section in course order, an item only in the first section that names it', () => {
    const diagnostics: Diagnostic[] = [];
    const { tracks } = buildTracks(
      COURSE,
      [
        track(
          'mooc',
          ['Semaine 1', ['w1/w1-s*-[cx]*.md'], 11],
          ['Semaine 2', ['w2/w2-s*-[cx]*.md', 'w1/w1-s2-x1-exo.md'], 14],
        ),
        track('exos', ['Tous', ['w*/w*-x*.md'], 19]),
      ],
      diagnostics,
    );
    expect(diagnostics).toEqual([]);
    expect(tracks.map((t) => [t.id, t.name, t.description])).toEqual([
      ['mooc', 'MOOC', 'mooc track'],
      ['exos', 'EXOS', 'exos track'],
    ]);
    // Quizzes and video pages are not listed by nbhosting patterns: they join the first track in
    // their week, a video page first in its sequence.
    expect(tracks[0]!.sections).toEqual([
      {
        title: 'Semaine 1',
        week: 1,
        items: [
          'w1/w1-s1-av',
          'w1/w1-s1-c1-nombres.md',
          'w1/w1-s2-c1-chaines.md',
          'w1/w1-s2-x1-exo.md',
          'w1/w1-s2-q1-quiz.quiz',
          'w1/w1-s10-c1-fin.md',
        ],
      },
      {
        title: 'Semaine 2',
        week: 2,
        items: ['w2/w2-s1-c1-listes.md', 'w2/w2-s1-q1-listes.quiz', 'w2/w2-s2-x1-dict.md'],
      },
      // No section for week 3: one is added, untitled, in week order.
      { title: null, week: 3, items: ['w3/w3-s1-q1-final.quiz'] },
    ]);
    // Each track is resolved on its own: the exercises appear again in the second track, without quizzes.
    expect(tracks[1]!.sections).toEqual([
      { title: 'Tous', week: 1, items: ['w1/w1-s2-x1-exo.md', 'w2/w2-s2-x1-dict.md'] },
    ]);
  });

  it('keeps the patterns of a section in their order, each pattern in course order', () => {
    const { tracks } = buildTracks(COURSE, [track('t', ['S', ['w2/*.md', 'w1/w1-s1-*', 'w1/w1-s10-*.md'], 3])], []);
    // Most items are of week 1: the week-1 quiz joins, in its place among them (s2 before s10).
    expect(tracks[0]!.sections.find((s) => s.title === 'S')).toEqual({
      title: 'S',
      week: 1,
      items: [
        'w2/w2-s1-c1-listes.md',
        'w2/w2-s2-x1-dict.md',
        'w1/w1-s1-av',
        'w1/w1-s1-c1-nombres.md',
        'w1/w1-s2-q1-quiz.quiz',
        'w1/w1-s10-c1-fin.md',
      ],
    });
  });

  it('puts the course order after the first track: its items, then everything else in course order', () => {
    const { order } = buildTracks(COURSE, [track('t', ['S', ['w2/*.md'], 3]), track('u', ['U', ['w1/*.md'], 5])], []);
    expect(order).toEqual([
      // The week-1 video page and quiz get their own section, before the week-2 one.
      'w1/w1-s1-av',
      'w1/w1-s2-q1-quiz.quiz',
      'w2/w2-s1-c1-listes.md',
      'w2/w2-s1-q1-listes.quiz',
      'w2/w2-s2-x1-dict.md',
      'w3/w3-s1-q1-final.quiz',
      // The second track does not set the order.
      'w1/w1-s1-c1-nombres.md',
      'w1/w1-s2-c1-chaines.md',
      'w1/w1-s2-x1-exo.md',
      'w1/w1-s10-c1-fin.md',
    ]);
  });

  it('does not add a quiz twice when a pattern already names it', () => {
    const { tracks } = buildTracks(COURSE, [track('t', ['W1', ['w1/*'], 3])], []);
    const all = tracks[0]!.sections.flatMap((s) => s.items);
    expect(all.filter((p) => p === 'w1/w1-s2-q1-quiz.quiz')).toHaveLength(1);
    expect(tracks[0]!.sections.map((s) => s.week)).toEqual([1, 2, 3]);
  });

  it('warns, at the manifest line, about a pattern that matches nothing', () => {
    const diagnostics: Diagnostic[] = [];
    const { tracks } = buildTracks(
      COURSE,
      [track('t', ['Semaine 4', ['w4/*.md', 'w1/w1-s1-c1-*.md'], 17])],
      diagnostics,
    );
    expect(diagnostics).toEqual([
      {
        severity: 'warning',
        code: 'structure.pattern-matches-nothing',
        message: 'The pattern "w4/*.md" of section "Semaine 4" matches no notebook.',
        file: '.nbhosting/nbhosting.yaml',
        line: 17,
        column: 1,
      },
    ]);
    expect(tracks[0]!.sections[0]!.items).toEqual(['w1/w1-s1-av', 'w1/w1-s1-c1-nombres.md', 'w1/w1-s2-q1-quiz.quiz']);
  });

  it('warns about an empty pattern instead of failing the whole course', () => {
    const diagnostics: Diagnostic[] = [];
    const { tracks } = buildTracks(COURSE, [track('t', ['S', ['', 'w2/*.md'], 9])], diagnostics);
    expect(diagnostics.map((d) => `${d.code} ${d.line}`)).toEqual(['structure.bad-pattern 9']);
    expect(tracks[0]!.sections.find((s) => s.title === 'S')!.items).toEqual([
      'w2/w2-s1-c1-listes.md',
      'w2/w2-s1-q1-listes.quiz',
      'w2/w2-s2-x1-dict.md',
    ]);
  });

  it('gathers the quizzes outside any week into one section at the end', () => {
    const { tracks } = buildTracks(
      items('w1/w1-s1-c1-a.md', 'intro.quiz', 'final.quiz'),
      [track('t', ['W1', ['w1/*.md'], 3])],
      [],
    );
    expect(tracks[0]!.sections).toEqual([
      { title: 'W1', week: 1, items: ['w1/w1-s1-c1-a.md'] },
      { title: null, week: null, items: ['final.quiz', 'intro.quiz'] },
    ]);
  });

  it('inserts a quiz section before the first later week', () => {
    const { tracks } = buildTracks(
      items('w1/w1-s1-c1-a.md', 'w3/w3-s1-c1-a.md', 'w2/w2-s1-q1-a.quiz'),
      [track('t', ['W1', ['w1/*.md'], 3], ['W3', ['w3/*.md'], 5])],
      [],
    );
    expect(tracks[0]!.sections.map((s) => [s.title, s.week])).toEqual([
      ['W1', 1],
      [null, 2],
      ['W3', 3],
    ]);
  });

  it('gives a section the week most of its items belong to', () => {
    const { tracks } = buildTracks(
      items('w1/w1-s1-c1-a.md', 'w2/w2-s1-c1-a.md', 'w2/w2-s2-c1-a.md', 'notes.md'),
      [track('t', ['Mixed', ['**/*.md'], 3])],
      [],
    );
    expect(tracks[0]!.sections[0]!.week).toBe(2);
  });
});

describe('buildTracks without a manifest', () => {
  const folders = items(
    'w10/w10-s1-c1-a.md',
    'w2/w2-s1-c1-a.md',
    'annexes/w1-s9-c1-later.md',
    'w1/w1-s1-av',
    'intro.md',
    'w1/w1-s1-c1-a.md',
    'w1/notes.md',
    'w2/w2-s1-q1-a.quiz',
    'annexes/zz.md',
    'w1/w1-00-resume.md',
    'bonus/b.md',
  );

  it('makes one section per folder: root items first, week folders in numeric order, other folders by name', () => {
    const diagnostics: Diagnostic[] = [];
    const { tracks } = buildTracks(folders, null, diagnostics);
    expect(diagnostics).toEqual([]);
    expect(tracks).toEqual([
      {
        id: 'course',
        name: '',
        description: '',
        sections: [
          { title: null, week: null, items: ['intro.md'] },
          // A video page comes first in its sequence.
          { title: null, week: 1, items: ['w1/w1-s1-av', 'w1/w1-s1-c1-a.md', 'w1/notes.md', 'w1/w1-00-resume.md'] },
          { title: null, week: 2, items: ['w2/w2-s1-c1-a.md', 'w2/w2-s1-q1-a.quiz'] },
          { title: null, week: 10, items: ['w10/w10-s1-c1-a.md'] },
          { title: 'annexes', week: 1, items: ['annexes/w1-s9-c1-later.md', 'annexes/zz.md'] },
          { title: 'bonus', week: null, items: ['bonus/b.md'] },
        ],
      },
    ]);
  });

  it('lists a video page first in its sequence, in the course order', () => {
    const { order } = buildTracks(folders, null, []);
    expect(order).toHaveLength(folders.length);
    expect(order.slice(0, 3)).toEqual(['intro.md', 'w1/w1-s1-av', 'w1/w1-s1-c1-a.md']);
  });

  it('makes one track without sections for an empty course', () => {
    expect(buildTracks([], null, [])).toEqual({
      tracks: [{ id: 'course', name: '', description: '', sections: [] }],
      order: [],
    });
  });
});
