import { describe, expect, it } from 'vitest';
import { buildCourse, type CourseModel, type NotebookItem } from './course.ts';
import type { CourseSnapshot } from './snapshot.ts';

/** An in-memory snapshot, as readCourseFolder would give it (paths sorted). */
function snapshot(
  files: Record<string, string>,
  links: Record<string, string> = {},
  skipped: CourseSnapshot['skipped'] = [],
): CourseSnapshot {
  const encoder = new TextEncoder();
  return {
    files: new Map(
      Object.entries(files)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([path, text]) => [path, encoder.encode(text)]),
    ),
    links: new Map(Object.entries(links)),
    skipped,
    diagnostics: [],
  };
}

const lines = (...l: string[]): string => l.join('\n') + '\n';

/** A MyST notebook: front matter (kernelspec, optional nbhosting.title), then the body lines. */
function myst(title: string | null, ...body: string[]): string {
  return lines(
    '---',
    'jupytext:',
    '  text_representation:',
    '    format_name: myst',
    'kernelspec:',
    '  name: python3',
    ...(title === null ? [] : ['nbhosting:', `  title: ${title}`]),
    '---',
    '',
    ...body,
  );
}

const code = (...source: string[]): string[] => ['```{code-cell} ipython3', ...source, '```', ''];

const QUIZ = lines('<hr/>', 'Question', '=====', '( ) non', '(x) oui', '<hr/>');

const IPYNB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [{ cell_type: 'markdown', id: 'a', metadata: {}, source: '# Copie ipynb' }],
});

const FRENCH = 'Dans ce complément, nous allons voir les listes et les tuples pour la suite.';

/** A small course in the MOOC's shape, without manifests. */
const COURSE: Record<string, string> = {
  'README.md': lines('# Python pour tous', '', 'Le cours.'),
  LICENSE: 'CC BY-SA\n',
  'CONTENTS.md': lines(
    '## Semaine 1',
    '### Thème : Bases',
    '### Niveau: débutant',
    '* w1-s1: Introduction',
    '* w1-s2: Chaînes',
    '## Semaine 2',
    '* w2-s1: Listes',
    '## Brouillons',
    '* w3-s1: Plus tard',
  ),
  'w1/w1-s1-c1-intro.md': myst('Intro', '# Introduction à Python', '', FRENCH),
  'w1/w1-s1-c2-pair.md': myst(null, '# La version MyST'),
  'w1/w1-s1-c2-pair.ipynb': IPYNB,
  'w1/w1-s1-x1-duree.md': myst(
    'Durée',
    '# Exercice : durée',
    '',
    ...code('from corrections.exo_duree import exo_duree', 'exo_duree.example()'),
    ...code('def duree(a, b):', '    return b - a'),
    ...code('exo_duree.correction(duree)'),
  ),
  'w1/w1-s2-c1-sans-titre.md': myst(null, 'Pas de titre ici.'),
  'w1/w1-s2-q1-premiers-pas.quiz': QUIZ,
  'w1/w1-s1-av.fr.srt': '1\n00:00:01,000 --> 00:00:02,000\nBonjour\n',
  'w1/w1-CONTENTS.md': lines('# Planning', '', 'notes'),
  'w2/w2-s1-c1-exemple.md': myst(
    null,
    '# Deux exercices',
    '',
    ...code('from corrections.exo_multi import (', '    exo_a,', '    exo_b as b,', ')'),
    ...code('b.correction(f)'),
  ),
  'w2/w2-s1-c2-manquant.md': myst(null, '# Manquant', '', ...code('from corrections.exo_absent import exo_absent')),
  'w2/w2-s1-c3-mauvais-nom.md': myst(
    null,
    '# Mauvais nom',
    '',
    ...code('x = 1'),
    ...code('from corrections.exo_duree import exo_autre'),
  ),
  'w10/w10-s1-c1-fin.md': lines('# Fin', '', ...code('print("fin")')),
  'modules/corrections/__init__.py': '"""Corrections."""\n',
  'modules/corrections/exo_duree.py': lines(
    'from nbautoeval import ExerciseFunction',
    '',
    'def duree(a, b):',
    '    return b - a',
    '',
    'exo_duree = ExerciseFunction(duree, [])',
  ),
  'modules/corrections/exo_multi.py': lines(
    'import nbautoeval',
    'class ExoMaison(nbautoeval.ExerciseFunction):',
    '    pass',
    'exo_a = ExoMaison(f, [])',
    'exo_b = nbautoeval.ExerciseGenerator(g, [])',
  ),
  'modules/outils.py': 'def aide(): pass\n',
  'data/notes.txt': 'notes\n',
  'media/logo.png': 'png',
};

function build(
  files: Record<string, string> = COURSE,
  name = 'python-pour-tous',
  links: Record<string, string> = {},
): CourseModel {
  return buildCourse(snapshot(files, links), { name });
}

function notebookItem(course: CourseModel, path: string): NotebookItem {
  const item = course.items.find((i) => i.path === path);
  expect(item?.type).toBe('notebook');
  return item as NotebookItem;
}

const codes = (course: CourseModel): string[] =>
  course.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}`);

describe('buildCourse', () => {
  it('lists notebooks, quizzes and video pages in course order: week folders in numeric order, sequence, kind', () => {
    const course = build();
    expect(course.items.map((i) => i.path)).toEqual([
      // The sequence's subtitles make its video page, first in the sequence.
      'w1/w1-s1-av',
      'w1/w1-s1-c1-intro.md',
      'w1/w1-s1-c2-pair.md',
      'w1/w1-s1-x1-duree.md',
      'w1/w1-s2-c1-sans-titre.md',
      'w1/w1-s2-q1-premiers-pas.quiz',
      'w2/w2-s1-c1-exemple.md',
      'w2/w2-s1-c2-manquant.md',
      'w2/w2-s1-c3-mauvais-nom.md',
      'w10/w10-s1-c1-fin.md',
    ]);
    expect(course.tracksFrom).toBe('folders');
    expect(course.tracks.map((t) => t.sections.map((s) => s.week))).toEqual([[1, 2, 10]]);
    expect(course.items.map((i) => i.route)).toContain('w1/w1-s2-q1-premiers-pas');
    expect(notebookItem(course, 'w1/w1-s1-c1-intro.md')).toMatchObject({
      route: 'w1/w1-s1-c1-intro',
      week: 1,
      sequence: 'w1-s1',
      kind: 'complement',
    });
  });

  it('gives every file a role; quizzes and the corrections modules are never public', () => {
    const course = build();
    expect(
      Object.fromEntries(course.files.map((f) => [f.path, `${f.role} ${f.public ? 'public' : 'private'}`])),
    ).toEqual({
      'CONTENTS.md': 'document public',
      LICENSE: 'asset public',
      'README.md': 'document public',
      'data/notes.txt': 'asset public',
      'media/logo.png': 'asset public',
      'modules/corrections/__init__.py': 'exercise-module private',
      'modules/corrections/exo_duree.py': 'exercise-module private',
      'modules/corrections/exo_multi.py': 'exercise-module private',
      'modules/outils.py': 'module public',
      'w1/w1-CONTENTS.md': 'document public',
      'w1/w1-s1-av.fr.srt': 'asset public',
      'w1/w1-s1-c1-intro.md': 'notebook public',
      'w1/w1-s1-c2-pair.ipynb': 'notebook public',
      'w1/w1-s1-c2-pair.md': 'notebook public',
      'w1/w1-s1-x1-duree.md': 'notebook public',
      'w1/w1-s2-c1-sans-titre.md': 'notebook public',
      'w1/w1-s2-q1-premiers-pas.quiz': 'quiz private',
      'w10/w10-s1-c1-fin.md': 'notebook public',
      'w2/w2-s1-c1-exemple.md': 'notebook public',
      'w2/w2-s1-c2-manquant.md': 'notebook public',
      'w2/w2-s1-c3-mauvais-nom.md': 'notebook public',
    });
    expect(course.files.find((f) => f.path === 'data/notes.txt')!.size).toBe(6);
  });

  it('marks manifests as such', () => {
    const course = build({
      ...COURSE,
      'myst.yml': 'project: {title: T}\n',
      '.nbhosting/nbhosting.yaml': 'static-mappings: []\n',
      'carnet.yml': 'title: C\n',
    });
    expect(course.files.filter((f) => f.role === 'manifest').map((f) => f.path)).toEqual([
      '.nbhosting/nbhosting.yaml',
      'carnet.yml',
      'myst.yml',
    ]);
  });

  it('keeps the .md of a jupytext pair and warns about the .ipynb', () => {
    const course = build();
    expect(course.items.filter((i) => i.route === 'w1/w1-s1-c2-pair').map((i) => [i.path, i.title])).toEqual([
      ['w1/w1-s1-c2-pair.md', 'La version MyST'],
    ]);
    const warning = course.diagnostics.find((d) => d.code === 'course.paired-notebook');
    expect(warning).toMatchObject({ severity: 'warning', file: 'w1/w1-s1-c2-pair.ipynb', line: 1 });
    expect(warning!.message).toBe(
      'w1/w1-s1-c2-pair.ipynb is a copy of w1/w1-s1-c2-pair.md (same name); only w1/w1-s1-c2-pair.md is used.',
    );
  });

  it('takes titles from the first heading, menu titles from nbhosting.title, else the file name', () => {
    const course = build();
    const titles = Object.fromEntries(course.items.map((i) => [i.path, [i.title, i.menuTitle]]));
    expect(titles).toMatchObject({
      'w1/w1-s1-c1-intro.md': ['Introduction à Python', 'Intro'],
      'w1/w1-s1-x1-duree.md': ['Exercice : durée', 'Durée'],
      'w1/w1-s2-c1-sans-titre.md': ['w1-s2-c1-sans-titre', 'w1-s2-c1-sans-titre'],
      'w1/w1-s2-q1-premiers-pas.quiz': ['Premiers pas', 'Premiers pas'],
      'w2/w2-s1-c1-exemple.md': ['Deux exercices', 'Deux exercices'],
    });
  });

  it('finds the exercises a notebook uses, and makes a notebook that calls correction an exercise', () => {
    const course = build();
    expect(notebookItem(course, 'w1/w1-s1-x1-duree.md').exercises).toEqual([
      { module: 'corrections.exo_duree', name: 'exo_duree', corrected: true, line: 13 },
    ]);
    const exemple = notebookItem(course, 'w2/w2-s1-c1-exemple.md');
    expect(exemple.exercises.map((e) => [e.module, e.name, e.corrected])).toEqual([
      ['corrections.exo_multi', 'exo_a', false],
      ['corrections.exo_multi', 'exo_b', true],
    ]);
    // Named c1, but it corrects an exercise.
    expect(exemple.kind).toBe('exercise');
    expect(notebookItem(course, 'w2/w2-s1-c2-manquant.md').kind).toBe('complement');
  });

  it('lists the exercise definitions of the corrections modules, and every name they define', () => {
    const modules = build().exerciseModules;
    expect(modules.find((m) => m.module === 'corrections.exo_duree')?.names).toEqual([
      'ExerciseFunction',
      'duree',
      'exo_duree',
    ]);
    expect(modules.map(({ names: _names, ...m }) => m)).toEqual([
      { module: 'corrections', path: 'modules/corrections/__init__.py', definitions: [] },
      {
        module: 'corrections.exo_duree',
        path: 'modules/corrections/exo_duree.py',
        definitions: [{ module: 'corrections.exo_duree', name: 'exo_duree', className: 'ExerciseFunction', line: 6 }],
      },
      {
        module: 'corrections.exo_multi',
        path: 'modules/corrections/exo_multi.py',
        definitions: [
          { module: 'corrections.exo_multi', name: 'exo_a', className: 'ExoMaison', line: 4 },
          { module: 'corrections.exo_multi', name: 'exo_b', className: 'ExerciseGenerator', line: 5 },
        ],
      },
    ]);
  });

  it('warns about imports of missing exercise modules and of names a module does not define, at the importing cell', () => {
    const course = build();
    expect(codes(course).filter((c) => c.includes(' exercise.'))).toEqual([
      'warning exercise.module-missing w2/w2-s1-c2-manquant.md:11',
      'warning exercise.name-missing w2/w2-s1-c3-mauvais-nom.md:15',
    ]);
    expect(course.diagnostics.find((d) => d.code === 'exercise.module-missing')!.message).toContain(
      'modules/corrections/exo_absent.py',
    );
  });

  it('reads the weeks and sequence titles of CONTENTS.md, drafts left out', () => {
    const course = build();
    expect(course.weeks).toEqual([
      { week: 1, theme: 'Bases', level: 'débutant' },
      { week: 2, theme: null, level: null },
    ]);
    expect(course.sequenceTitles).toEqual({ 'w1-s1': 'Introduction', 'w1-s2': 'Chaînes', 'w2-s1': 'Listes' });
  });

  it('guesses the language and takes the title from README without manifests', () => {
    const course = build();
    expect(course.meta.language).toBe('fr');
    expect(course.meta.title).toBe('Python pour tous');
  });

  it('takes the title from myst.yml, then README, then the folder name', () => {
    const withMyst = { ...COURSE, 'myst.yml': lines('project:', '  title: Python 3', '  license: CC-BY-SA-4.0') };
    expect(build(withMyst).meta).toMatchObject({ title: 'Python 3', license: 'CC-BY-SA-4.0' });
    const noReadme = { ...COURSE };
    delete noReadme['README.md'];
    expect(build(noReadme, 'mooc-python').meta.title).toBe('mooc-python');
    expect(build({ ...COURSE, 'README.md': 'no heading\n' }, 'mooc-python').meta.title).toBe('mooc-python');
    // An empty # line is not a title, and the next line is not one either.
    expect(build({ ...COURSE, 'README.md': '#\nNot a title\n' }, 'mooc-python').meta.title).toBe('mooc-python');
  });

  it('takes the README title as plain text, whatever the line ends', () => {
    const title = (readme: string): string => build({ ...COURSE, 'README.md': readme }).meta.title;
    expect(title('## Sub\r\n# *Python* : des `__fondamentaux__`\r\n')).toBe('Python : des __fondamentaux__');
    expect(title('# [Python](https://python.org) pour tous  \n')).toBe('Python pour tous');
  });

  it('lets carnet.yml set the language, over the guess', () => {
    const course = build({ ...COURSE, 'carnet.yml': 'language: en\n' });
    expect(course.meta.language).toBe('en');
  });

  it("lets carnet.yml set a quiz's attempts, a problem's own number winning, and reports bad entries at their line", () => {
    const two = lines(
      ...['<hr/>', 'Question A', '==========', '( ) non', '(x) oui'],
      ...['<hr/>', 'Question B', '==========', '(x) oui', '( ) non', '<hr/>'],
    );
    const course = build({
      ...COURSE,
      'w1/w1-s2-q1-premiers-pas.quiz': two,
      'carnet.yml': lines(
        'attempts:',
        '  w1/w1-s2-q1-premiers-pas.quiz#p2: 0',
        '  w1/w1-s2-q1-premiers-pas.quiz: 3',
        '  w1/w1-s2-q1-premiers-pas.quiz#p9: 1',
        '  w1/absent.quiz: 1',
        '  w1/w1-s1-x1-duree.md: 2',
        '  w1/w1-s2-q1-premiers-pas.quiz#p1: -1',
      ),
    });
    const quiz = course.items.find((i) => i.type === 'quiz');
    expect(quiz?.type === 'quiz' && quiz.quiz.problems.map((p) => p.attempts)).toEqual([3, 0]);
    expect(codes(course).filter((c) => c.includes('carnet.attempts'))).toEqual([
      'error carnet.attempts carnet.yml:4',
      'error carnet.attempts carnet.yml:5',
      'error carnet.attempts carnet.yml:6',
      'error carnet.attempts carnet.yml:7',
    ]);
    // Without carnet.yml, problems say nothing: the session's default applies.
    const plain = build().items.find((i) => i.type === 'quiz');
    expect(plain?.type === 'quiz' && plain.quiz.problems[0]!.attempts).toBeUndefined();
  });

  it('guesses English for an English course', () => {
    const course = build({
      'w1/a.md': myst(
        null,
        '# Lists',
        '',
        'In this notebook, we see that the lists are useful for you and the others.',
      ),
    });
    expect(course.meta.language).toBe('en');
  });

  it('maps data and media from every folder when no manifest says otherwise', () => {
    const course = build();
    expect(course.staticMappings).toEqual([
      { source: 'data', destination: 'data' },
      { source: 'media', destination: 'media' },
    ]);
    expect(course.fs.resolve('w1', 'data/notes.txt')).toBe('data/notes.txt');
    expect(course.fs.resolve('w2', 'media/logo.png')).toBe('media/logo.png');
  });

  it('uses the static mappings of nbhosting.yaml, and the links of the snapshot', () => {
    const course = build(
      { ...COURSE, '.nbhosting/nbhosting.yaml': lines('static-mappings:', '  - {source: media, destination: images}') },
      'x',
      {
        'w1/data': 'data',
      },
    );
    expect(course.staticMappings).toEqual([{ source: 'media', destination: 'images' }]);
    expect(course.fs.resolve('w2', 'images/logo.png')).toBe('media/logo.png');
    expect(course.fs.resolve('w2', 'data/notes.txt')).toBeNull();
    expect(course.fs.resolve('w1', 'data/notes.txt')).toBe('data/notes.txt');
  });

  it('uses nbhosting tracks when present', () => {
    const course = build({
      ...COURSE,
      '.nbhosting/nbhosting.yaml': lines(
        'tracks:',
        '  - name: Exos',
        '    id: exos',
        '    sections:',
        '      - name: Tous',
        '        notebooks: ["w*/w*-x*.md"]',
      ),
    });
    expect(course.tracksFrom).toBe('nbhosting');
    expect(course.tracks[0]!.sections[0]).toEqual({
      title: 'Tous',
      week: 1,
      items: ['w1/w1-s1-av', 'w1/w1-s1-x1-duree.md', 'w1/w1-s2-q1-premiers-pas.quiz'],
    });
    // The first track sets the order; the rest follows in course order.
    expect(course.items.slice(0, 4).map((i) => i.path)).toEqual([
      'w1/w1-s1-av',
      'w1/w1-s1-x1-duree.md',
      'w1/w1-s2-q1-premiers-pas.quiz',
      'w1/w1-s1-c1-intro.md',
    ]);
  });

  it('recognises a markdown notebook by its front matter or its code cells', () => {
    const course = build({
      'a.md': lines('---', 'kernelspec:', '  name: python3', '---', 'text only'),
      'b.md': lines('# No front matter', '', ...code('x = 1')),
      'c.md': lines('---', 'title: a page', '---', '# Page'),
      'd.md': lines('# Doc', '', '```python', 'x = 1', '```'),
      'e.md': '\uFEFF---\r\njupytext:\r\n  x: 1\r\n---\r\nbom\r\n',
    });
    expect(course.files.map((f) => [f.path, f.role])).toEqual([
      ['a.md', 'notebook'],
      ['b.md', 'notebook'],
      ['c.md', 'document'],
      ['d.md', 'document'],
      ['e.md', 'notebook'],
    ]);
  });

  it('leaves a notebook with errors out of the items and reports why', () => {
    const course = build({
      'w1/w1-s1-c1-a.md': myst(null, '# A'),
      'w1/w1-s1-c2-broken.md': myst(null, '# B', '```{code-cell}', 'x = 1'),
    });
    expect(course.items.map((i) => i.path)).toEqual(['w1/w1-s1-c1-a.md']);
    expect(codes(course)).toEqual(['error myst.unclosed-cell w1/w1-s1-c2-broken.md:10']);
  });

  it('reports the ignored files of the snapshot and its diagnostics', () => {
    const snap = snapshot({ 'a.md': '# A\n' }, {}, [{ path: '.git', reason: 'hidden' }]);
    snap.diagnostics.push({
      severity: 'warning',
      code: 'course.broken-link',
      message: 'm',
      file: 'w1/media',
      line: 1,
      column: 1,
    });
    const course = buildCourse(snap, { name: 'x' });
    expect(course.ignored).toEqual([{ path: '.git', reason: 'hidden' }]);
    expect(codes(course)).toEqual(['warning course.broken-link w1/media:1']);
  });

  it('sorts diagnostics by file, line and column', () => {
    const snap = snapshot({
      ...COURSE,
      // The options are read (line 6) before the fence is found unclosed (line 5).
      'w1/w1-s3-c1-bad.md': lines('+++ {bad}', 'x', '+++ {"tags": "t"}', 'y', '```{code-cell}', ':tags: [a'),
      'CONTENTS.md': lines('## Semaine 1', '* w2-s1: Ailleurs', '* w1-s1 sans deux-points'),
    });
    // Snapshot diagnostics come first in the list, and belong after CONTENTS.md.
    snap.diagnostics.push({
      severity: 'warning',
      code: 'course.broken-link',
      message: 'm',
      file: 'w1/data',
      line: 1,
      column: 1,
    });
    const course = buildCourse(snap, { name: 'x' });
    const keys = course.diagnostics.map((d) => [d.file, d.line, d.column] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
    expect(codes(course)).toEqual([
      'warning contents.week-mismatch CONTENTS.md:2',
      'warning contents.sequence-line CONTENTS.md:3',
      'warning course.broken-link w1/data:1',
      'warning video.undeclared w1/w1-s1-av.fr.srt:1',
      'warning course.paired-notebook w1/w1-s1-c2-pair.ipynb:1',
      'error myst.cell-metadata-json w1/w1-s3-c1-bad.md:1',
      'warning myst.tags-not-list w1/w1-s3-c1-bad.md:3',
      'error myst.unclosed-cell w1/w1-s3-c1-bad.md:5',
      'error yaml.syntax w1/w1-s3-c1-bad.md:6',
      'warning exercise.module-missing w2/w2-s1-c2-manquant.md:11',
      'warning exercise.name-missing w2/w2-s1-c3-mauvais-nom.md:15',
    ]);
  });

  it('reads an empty course', () => {
    const course = buildCourse(snapshot({}), { name: 'vide' });
    expect(course.items).toEqual([]);
    expect(course.meta.title).toBe('vide');
    expect(course.tracks).toEqual([{ id: 'course', name: '', description: '', sections: [] }]);
    expect(course.diagnostics).toEqual([]);
  });
});

describe('buildCourse: imports of exercise submodules and tables of contents naming documents', () => {
  it('accepts `from corrections import exo_x` when corrections/exo_x.py exists', () => {
    const enc = new TextEncoder();
    const course = buildCourse(
      {
        files: new Map([
          [
            'w1/w1-s1-x1-exo.md',
            enc.encode(
              '---\nkernelspec:\n  name: python3\n---\n\n# Exo\n\n```{code-cell}\nfrom corrections import exo_x\nexo_x.exo_x.correction(f)\n```\n',
            ),
          ],
          ['modules/corrections/exo_x.py', enc.encode('exo_x = ExerciseFunction(f, [])\n')],
        ]),
        links: new Map(),
        skipped: [],
        diagnostics: [],
      },
      { name: 'c' },
    );
    expect(course.diagnostics.filter((d) => d.code.startsWith('exercise.'))).toEqual([]);
  });

  it('does not warn about a toc entry that names a document rather than a notebook', () => {
    const enc = new TextEncoder();
    const course = buildCourse(
      {
        files: new Map([
          ['README.md', enc.encode('# Mon cours\n')],
          ['w1/w1-s1-c1-intro.md', enc.encode('---\nkernelspec:\n  name: python3\n---\n\n# Intro\n')],
          [
            'myst-toc.yml',
            enc.encode(
              'version: 1\nproject:\n  toc:\n    - file: README.md\n    - file: w1/w1-s1-c1-intro.md\n    - file: w1/absent.md\n',
            ),
          ],
        ]),
        links: new Map(),
        skipped: [],
        diagnostics: [],
      },
      { name: 'c' },
    );
    expect(course.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['structure.pattern-matches-nothing', expect.stringContaining('w1/absent.md')],
    ]);
  });
});
