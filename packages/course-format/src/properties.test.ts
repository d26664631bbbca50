import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseContents } from './contents.ts';
import { buildCourse } from './course.ts';
import { DiagnosticSink, normaliseText, type Diagnostic, type ParseResult } from './diagnostics.ts';
import { readManifests } from './manifests.ts';
import { parseItemName, weekOf } from './naming.ts';
import { parseIpynbNotebook } from './notebook/ipynb.ts';
import type { Notebook } from './notebook/model.ts';
import { parseMystNotebook } from './notebook/myst.ts';
import type { CourseSnapshot } from './snapshot.ts';
import { buildTracks } from './structure.ts';

/**
 * No input makes a parser throw: format-like text (the constructs of each format, well and badly
 * formed, mixed) and plain random strings. Every diagnostic points inside the file, and a parse
 * result has a value exactly when it has no error.
 */

const RUNS = { numRuns: 1000 };

/** The number of lines an editor shows for `text` (BOM and CR/CRLF normalised). */
function lineCount(text: string): number {
  return normaliseText(text).split('\n').length;
}

function checkDiagnostics(diagnostics: Diagnostic[], text: string, files: string[]): void {
  for (const d of diagnostics) {
    expect(files).toContain(d.file);
    expect(['error', 'warning']).toContain(d.severity);
    expect(Number.isInteger(d.line) && d.line >= 1).toBe(true);
    expect(Number.isInteger(d.column) && d.column >= 1).toBe(true);
    expect(d.line).toBeLessThanOrEqual(lineCount(text));
    expect(d.code).toMatch(/^[a-z-]+\.[a-z-]+$/);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

function checkResult(result: ParseResult<Notebook>, text: string, path: string): void {
  checkDiagnostics(result.diagnostics, text, [path]);
  const hasError = result.diagnostics.some((d) => d.severity === 'error');
  expect(result.value === null).toBe(hasError);
  if (result.value) {
    expect(result.value.path).toBe(path);
    result.value.cells.forEach((cell, i) => {
      expect(cell.index).toBe(i);
      expect(cell.line).toBeGreaterThanOrEqual(1);
      expect(cell.line).toBeLessThanOrEqual(lineCount(text));
      expect(cell.tags.every((t) => typeof t === 'string')).toBe(true);
      expect(cell.id).not.toBe('');
    });
    // A notebook is stored as JSON: whatever the YAML said, it must serialise.
    expect(() => JSON.stringify(result.value)).not.toThrow();
  }
}

const lineEnd = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');

/** Lines from `pool` (weighted) mixed with short random strings, joined with mixed line ends, BOM or not. */
function textOf(pool: fc.Arbitrary<string>, maxLines = 30): fc.Arbitrary<string> {
  const line = fc.oneof(
    { weight: 6, arbitrary: pool },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  );
  return fc
    .tuple(fc.boolean(), fc.array(fc.tuple(line, lineEnd), { maxLength: maxLines }), fc.boolean())
    .map(([bom, parts, finalEnd]) => {
      const text = parts.map(([l, e]) => l + e).join('');
      return (bom ? '\uFEFF' : '') + (finalEnd ? text : text.replace(/(\r\n|\r|\n)$/, ''));
    });
}

const YAML_LINES = [
  'kernelspec:',
  '  name: python3',
  '  display_name: Python 3',
  'jupytext:',
  '  text_representation:',
  '    format_name: myst',
  'nbhosting:',
  '  title: Les chaînes',
  '  title: "unclosed',
  'a: &x [*x]',
  'b: &y',
  '  c: *y',
  'd: *undefined',
  '- item',
  'key: [1, 2',
  'key: {a: 1',
  '\tkey: tab',
  '? complex',
  ': value',
  'x: !!binary aGVsbG8=',
  'x: !!set {a, b}',
  '%YAML 1.1',
  'x: 2001-12-14t21:59:43.10-05:00',
  'k: v: w',
  '"quoted": yes',
  'n: ~',
];

const mystLine = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('', '', '# Title', 'Some *text*', '  ', 'text   ', '<div class="licence">', '</div>'),
  },
  { weight: 2, arbitrary: fc.constantFrom('---', '...', '--- ', '----') },
  { weight: 2, arbitrary: fc.constantFrom(...YAML_LINES) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '+++',
      '++++',
      '   +++',
      '    +++',
      '+++ {"tags": ["gridwidth-1-2"]}',
      '+++ {"cell_style": "split"}',
      '+++ {"id": "x", "tags": "t"}',
      '+++ {"tags": [1, null]}',
      '+++ {bad',
      '+++ []',
      '+++ "s"',
      '+++ null',
      '+++ {"a": 1}}',
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '```{code-cell} ipython3',
      '```{code-cell}',
      '````{code-cell} ipython3',
      '~~~{code-cell}',
      '```{raw-cell}',
      '```{code-cell}ipython3',
      '  ```{code-cell}',
      '> ```{code-cell}',
      '* ```{code-cell}',
      '1. item',
      '```',
      '````',
      '`````',
      '~~~',
      '```python',
      '```{admonition} Note',
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ':tags: [raises-exception]',
      ':tags: [gridwidth-1-2, skip-execution]',
      ':tags: raises-exception',
      ':tags: [a',
      ':cell_style: split',
      ':scrolled: true',
      ':id: my-id',
      ':id: ""',
      ':latex-hidden-code-instead: f = exo_x.solution',
      ':a: &z [*z]',
      ':',
      ' :tags: [x]',
      ':tags: "x',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('x = 1', 'print("hello")', 'def f():', '    return 1', '%timeit f()', '1/0'),
  },
);

describe('parseMystNotebook never throws', () => {
  it('on MyST-like text', () => {
    fc.assert(
      fc.property(textOf(mystLine), (text) => {
        checkResult(parseMystNotebook(text, 'w1/x.md'), text, 'w1/x.md');
      }),
      RUNS,
    );
  });

  it('on MyST-like text that starts with a front matter', () => {
    const withFrontMatter = fc
      .tuple(textOf(fc.constantFrom(...YAML_LINES), 8), fc.constantFrom('---', '...', ''), textOf(mystLine))
      .map(([yaml, close, body]) => `---\n${yaml}\n${close}\n${body}`);
    fc.assert(
      fc.property(withFrontMatter, (text) => {
        checkResult(parseMystNotebook(text, 'w1/x.md'), text, 'w1/x.md');
      }),
      RUNS,
    );
  });

  it('on random strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        checkResult(parseMystNotebook(text, 'x.md'), text, 'x.md');
      }),
      RUNS,
    );
  });
});

const mimeText = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const bundle = fc.dictionary(
  fc.constantFrom(
    'text/plain',
    'text/html',
    'image/png',
    'image/svg+xml',
    'application/json',
    'application/vnd.x+json',
    'x',
  ),
  mimeText,
  { maxKeys: 4 },
);
const output = fc.oneof(
  fc.record(
    { output_type: fc.constant('stream'), name: fc.constantFrom('stdout', 'stderr', 'other', 3), text: mimeText },
    { requiredKeys: ['output_type'] },
  ),
  fc.record(
    {
      output_type: fc.constantFrom('execute_result', 'display_data'),
      data: fc.oneof(bundle, fc.jsonValue({ maxDepth: 1 })),
      metadata: fc.constant({}),
      execution_count: fc.oneof(fc.nat(), fc.constant(null), fc.string()),
    },
    { requiredKeys: ['output_type'] },
  ),
  fc.record(
    {
      output_type: fc.constant('error'),
      ename: fc.oneof(fc.string(), fc.nat()),
      evalue: fc.string(),
      traceback: fc.oneof(fc.array(fc.oneof(fc.string(), fc.nat())), fc.string()),
    },
    { requiredKeys: ['output_type'] },
  ),
  fc.record({ output_type: fc.constantFrom('update_display_data', 'pyout', null) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 1 }),
);
const cell = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        cell_type: fc.constantFrom('markdown', 'code', 'raw', 'heading', 3, null),
        id: fc.oneof(fc.string({ maxLength: 8 }), fc.nat(), fc.constant('')),
        source: mimeText,
        metadata: fc.oneof(
          fc.record(
            { tags: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })) },
            { requiredKeys: [] },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        outputs: fc.oneof(fc.array(output, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
        attachments: fc.oneof(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(bundle, fc.jsonValue({ maxDepth: 1 })), { maxKeys: 2 }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        execution_count: fc.oneof(fc.nat(), fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const ipynbValue = fc.record(
  {
    nbformat: fc.constantFrom(4, 4, 4, 3, '4', null, 4.5),
    nbformat_minor: fc.nat({ max: 5 }),
    metadata: fc.oneof(
      fc.record(
        {
          kernelspec: fc.record({ language: fc.oneof(fc.string(), fc.nat()) }),
          language_info: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    cells: fc.oneof(
      { weight: 5, arbitrary: fc.array(cell, { maxLength: 5 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    ),
    worksheets: fc.constant([]),
  },
  { requiredKeys: [] },
);
/** Notebook JSON, pretty-printed or not, sometimes damaged: cut, or with a character put in or taken out. */
const ipynbText = fc
  .tuple(
    ipynbValue,
    fc.constantFrom(0, 1, 2, '\t'),
    fc.constantFrom('none', 'none', 'cut', 'insert', 'delete'),
    fc.nat(),
    fc.constantFrom(',', '{', '}', '[', ']', '"', ':', '\\', '/', '\n', '\r\n', 'x', '\uFEFF'),
    fc.boolean(),
  )
  .map(([value, indent, damage, at, char, bom]) => {
    const text = JSON.stringify(value, null, indent);
    const i = text.length === 0 ? 0 : at % text.length;
    const damaged =
      damage === 'cut'
        ? text.slice(0, i)
        : damage === 'insert'
          ? text.slice(0, i) + char + text.slice(i)
          : damage === 'delete'
            ? text.slice(0, i) + text.slice(i + 1)
            : text;
    return (bom ? '\uFEFF' : '') + damaged;
  });

describe('parseIpynbNotebook never throws', () => {
  it('on notebook-like JSON, well-formed or damaged', () => {
    fc.assert(
      fc.property(ipynbText, (text) => {
        checkResult(parseIpynbNotebook(text, 'w1/x.ipynb'), text, 'w1/x.ipynb');
      }),
      RUNS,
    );
  });

  it('on any JSON and random strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.json(), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })),
        (text) => {
          checkResult(parseIpynbNotebook(text, 'x.ipynb'), text, 'x.ipynb');
        },
      ),
      RUNS,
    );
  });
});

const contentsLine = fc.oneof(
  fc.constantFrom(
    '# Contenu',
    '## Semaine 1',
    '## Semaine 12 : la fin',
    '## Week 3',
    '##Semaine 2',
    '## Brouillons',
    '##',
    '### Thème: Bases',
    '### Thème : Bases',
    '### Theme\u00a0: X',
    '### Niveau:',
    '### Level: advanced',
    '* w1-s1: Titre',
    '- w2-s3a : Titre',
    '* w1-s01:   ',
    '* w1-s2 sans deux-points',
    '* w1',
    '  * w9-s9: Indenté',
    '* w99999999999999999999999-s1: énorme',
  ),
  fc.string({ maxLength: 20 }),
);

describe('parseContents never throws', () => {
  it('on CONTENTS-like text and random strings', () => {
    fc.assert(
      fc.property(fc.oneof(textOf(contentsLine), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        const sink = new DiagnosticSink('CONTENTS.md');
        const contents = parseContents(text, sink);
        checkDiagnostics(sink.items, text, ['CONTENTS.md']);
        expect(sink.items.every((d) => d.severity === 'warning')).toBe(true);
        for (const [key, title] of contents.sequences) {
          expect(key).toMatch(/^w[^-]+-s[^-]+$/);
          expect(title).toBe(title.trim());
          expect(title).not.toBe('');
        }
        for (const [week] of contents.weeks) expect(Number.isInteger(week) || week === Infinity).toBe(true);
      }),
      RUNS,
    );
  });
});

const manifestLine = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...YAML_LINES) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'tracks:',
      'tracks: []',
      'tracks: {}',
      '  - name: Le cours',
      '    id: mooc',
      '    id: 42',
      '    description: d',
      '    sections:',
      '    sections: x',
      '      - name: Semaine 1',
      '      - 3',
      '        notebooks:',
      '        notebooks: ""',
      "        notebooks: ['']",
      '        notebooks: [w1/*.md, 3]',
      '          - "w1/w1-s*-[cx]*.md"',
      '          - "[unclosed"',
      '          - "{a,b}/**"',
      'static-mappings:',
      'static-mappings: data',
      '  - {source: data, destination: data}',
      '  - {source: ../x, destination: /y}',
      '  - source: .',
      'builds:',
      '  - id: stale',
      'project:',
      '  title: T',
      '  title: [1, 2]',
      '  license: {content: CC-BY-4.0}',
      '  license: [x]',
      '  authors: [a, {name: b}, {name: {given: c}}]',
      '  keywords: k',
      '  toc:',
      '  toc: &t',
      '    - file: README.md',
      '    - pattern: "w1/*.md"',
      '    - pattern: ""',
      '    - title: A',
      '      children:',
      '      children: *t',
      '        - file: "w2/a(1).md"',
      '    - 7',
      'toc:',
      '  - file: a.md',
      'title: C',
      'language: fr',
      'language: French',
      'packages: [numpy, pandas]',
      'packages: [numpy, 3]',
      'packages: numpy',
    ),
  },
);

const MANIFEST_FILES = [
  '.nbhosting/nbhosting.yaml',
  'nbhosting/nbhosting.yaml',
  'myst.yml',
  'myst-toc.yml',
  'carnet.yml',
];
const manifestFiles = fc.record(
  Object.fromEntries(
    MANIFEST_FILES.map((path) => [
      path,
      fc.oneof(textOf(manifestLine, 16), fc.string({ unit: 'binary', maxLength: 60 })),
    ]),
  ),
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string>>;

const ITEMS = [
  'w1/w1-s1-c1-a.md',
  'w1/w1-s1-x1-b.md',
  'w1/w1-s2-q1-c.quiz',
  'w2/w2-s1-c1-d.md',
  'intro.md',
  'free.quiz',
  'a(1).md',
].map((path) => ({
  path,
  week: weekOf(path),
  kind: path.endsWith('.quiz') ? 'quiz' : (parseItemName(path)?.kind ?? 'other'),
}));

describe('readManifests never throws', () => {
  it('on manifest-like YAML, and the tracks it reads always resolve', () => {
    fc.assert(
      fc.property(manifestFiles, (files) => {
        const diagnostics: Diagnostic[] = [];
        const manifests = readManifests((path) => files[path] ?? null, diagnostics);
        for (const d of diagnostics) checkDiagnostics([d], files[d.file] ?? '', MANIFEST_FILES);
        expect(manifests.tracks === null).toBe(manifests.tracksFrom === null);
        if (manifests.tracks) expect(manifests.tracks.every((t) => t.sections.length > 0)).toBe(true);
        for (const m of manifests.staticMappings ?? []) {
          expect(m.source.split('/')).not.toContain('..');
          expect(m.destination.startsWith('/')).toBe(false);
        }
        expect(manifests.meta.packages.every((p) => /^[A-Za-z0-9_.-]+$/.test(p))).toBe(true);
        // What the manifests say must never break the course structure either.
        const structure = buildTracks(ITEMS, manifests.tracks, diagnostics);
        expect([...structure.order].sort()).toEqual(ITEMS.map((i) => i.path).sort());
      }),
      RUNS,
    );
  });
});

describe('parsers never throw on deep nesting', () => {
  /** `n` levels of JSON lists and objects, in a mix given by `kinds`. */
  const jsonNest = (n: number, kinds: boolean[]): string => {
    let open = '';
    let close = '';
    for (let i = 0; i < n; i++) {
      const list = kinds[i % kinds.length]!;
      open += list ? '[' : '{"k": ';
      close = (list ? ']' : '}') + close;
    }
    return `${open}1${close}`;
  };
  /** `n` levels of YAML: flow lists and maps, or compact block lists, from `kinds`. */
  const yamlNest = (n: number, kinds: boolean[], block: boolean): string =>
    block ? `${'- '.repeat(n)}x` : jsonNest(n, kinds);
  const depth = fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 60, max: 5000 }));
  const kinds = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 });
  const tooDeep = (diagnostics: Diagnostic[]) => diagnostics.some((d) => d.code.endsWith('.too-deep'));

  it('in a .ipynb file: metadata, a cell, an output', () => {
    fc.assert(
      fc.property(depth, kinds, fc.constantFrom('metadata', 'cell', 'output'), (n, k, where) => {
        const value = jsonNest(n, k);
        const cell = (extra: string) =>
          `{"cell_type": "code", "source": "x", "metadata": {}, "outputs": [${extra}], "execution_count": 1}`;
        const text =
          where === 'metadata'
            ? `{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": ${value}}, "cells": []}`
            : where === 'cell'
              ? `{"nbformat": 4, "metadata": {}, "cells": [${cell('').replace('"metadata": {}', `"metadata": {"x": ${value}}`)}]}`
              : `{"nbformat": 4, "metadata": {}, "cells": [${cell(`{"output_type": "display_data", "data": {"application/json": ${value}}}`)}]}`;
        const result = parseIpynbNotebook(text, 'w1/x.ipynb');
        checkResult(result, text, 'w1/x.ipynb');
        // The levels around the value: the file and metadata; or the cells, the cell and its metadata; or down to an output's data.
        const around = { metadata: 2, cell: 4, output: 6 }[where];
        expect(tooDeep(result.diagnostics)).toBe(n + around > 64);
      }),
      { numRuns: 300 },
    );
  });

  it('in a MyST notebook: front matter, cell options, +++ metadata', () => {
    fc.assert(
      fc.property(depth, kinds, fc.boolean(), fc.constantFrom('front', 'options', 'break'), (n, k, block, where) => {
        const text =
          where === 'front'
            ? `---\nx: ${yamlNest(n, k, block)}\n---\n\n# T\n`
            : where === 'options'
              ? `# T\n\n\`\`\`{code-cell} ipython3\n:x: ${yamlNest(n, k, false)}\n\nprint(1)\n\`\`\`\n`
              : `# T\n\n+++ {"x": ${jsonNest(n, k)}}\n\ntext\n`;
        const result = parseMystNotebook(text, 'w1/x.md');
        checkResult(result, text, 'w1/x.md');
        if (n > 64) expect(tooDeep(result.diagnostics)).toBe(true);
        if (n < 30) expect(tooDeep(result.diagnostics)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('in a manifest', () => {
    fc.assert(
      fc.property(depth, kinds, fc.boolean(), fc.constantFrom(...MANIFEST_FILES), (n, k, block, file) => {
        const text = `tracks:\n  - name: a\n    sections: ${yamlNest(n, k, block)}\n`;
        const diagnostics: Diagnostic[] = [];
        readManifests((path) => (path === file ? text : null), diagnostics);
        checkDiagnostics(diagnostics, text, MANIFEST_FILES);
        if (n > 64) expect(tooDeep(diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildCourse never throws', () => {
  it('on a course of format-like files', () => {
    const encoder = new TextEncoder();
    const course = fc.record(
      {
        'w1/w1-s1-c1-a.md': textOf(mystLine),
        'w1/w1-s1-c1-a.ipynb': ipynbText,
        'w1/w1-s1-x1-b.md': textOf(
          fc.oneof(
            mystLine,
            fc.constantFrom(
              'from corrections.exo_b import exo_b as e[',
              'from corrections.exo_b import (exo_b,',
              'exo_b.correction(f)',
            ),
          ),
        ),
        'w2/w2-s1-c1-c.ipynb': ipynbText,
        'CONTENTS.md': textOf(contentsLine),
        '.nbhosting/nbhosting.yaml': textOf(manifestLine, 16),
        'myst.yml': textOf(manifestLine, 16),
        'README.md': fc.string({ maxLength: 30 }),
        'modules/corrections/exo_b.py': fc.constantFrom(
          'exo_b = ExerciseFunction(f, [])\n',
          'class X(ExerciseFunction(:\n',
          '',
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(course, (files) => {
        const snapshot: CourseSnapshot = {
          files: new Map(
            Object.entries(files)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([p, t]) => [p, encoder.encode(t as string)]),
          ),
          links: new Map(),
          skipped: [],
          diagnostics: [],
        };
        const model = buildCourse(snapshot, { name: 'x' });
        for (const d of model.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
        }
        expect(() => JSON.stringify(model.items)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
