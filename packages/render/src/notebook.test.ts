import type { Diagnostic } from '@carnet/course-format';
import { describe, expect, it } from 'vitest';
import { renderCourse, type RenderedItem } from './course.ts';
import { ui } from './html.ts';
import { ansiToHtml } from './outputs.ts';
import { $, $$, courseOf, ipynb, myst, parse, TARGET, text } from './testing.ts';

function renderAll(files: Record<string, string | Uint8Array>): { items: RenderedItem[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const items = renderCourse(courseOf(files), TARGET, diagnostics);
  return { items, diagnostics };
}

function renderOne(path: string, source: string) {
  const { items, diagnostics } = renderAll({ [path]: source });
  const item = items.find((i) => i.item.path === path)!;
  return { ...item, doc: parse(item.html), diagnostics };
}

/** The top-level blocks of a notebook page: `row[cell-a cell-b]` or `cell-x`. */
function layout(html: string): string[] {
  return parse(html)
    .children.filter((n) => 'attribs' in n)
    .map((n) => {
      const el = n as ReturnType<typeof $>;
      if (el.attribs['class'] === 'nb-row') {
        return `row[${$$(el, '.nb-cell')
          .map((c) => c.attribs['data-cell-id'])
          .join(' ')}]`;
      }
      return el.attribs['data-cell-id']!;
    });
}

const SIDE_BY_SIDE = myst(
  [
    '# Côte à côte',
    '',
    '+++ {"tags": ["gridwidth-1-2"]}',
    '',
    'Explication à gauche.',
    '',
    '```{code-cell} ipython3',
    ':tags: [gridwidth-1-2]',
    '',
    'x = 1',
    '```',
    '',
    '+++',
    '',
    'Pleine largeur.',
    '',
    '```{code-cell} ipython3',
    ':cell_style: split',
    '',
    '"Bonjour\\nle monde"',
    '```',
    '',
    '```{code-cell} ipython3',
    ':cell_style: split',
    '',
    'print("Bonjour\\nle monde")',
    '```',
    '',
    '```{code-cell} ipython3',
    'fin = True',
    '```',
  ].join('\n'),
);

describe('renderNotebook: layout', () => {
  it('groups consecutive side-by-side cells (gridwidth-1-2 tags, cell_style: split) in one .nb-row', () => {
    const { html, doc } = renderOne('w1/w1-s1-c1-cote.md', SIDE_BY_SIDE);
    expect(layout(html)).toEqual(['cell-0', 'row[cell-1 cell-2]', 'cell-3', 'row[cell-4 cell-5]', 'cell-6']);
    const rows = $$(doc, '.nb-row');
    expect(rows.map((r) => $$(r, '.nb-cell').map((c) => c.attribs['class']))).toEqual([
      ['nb-cell nb-markdown nb-w-1-2', 'nb-cell nb-code nb-w-1-2'],
      ['nb-cell nb-code nb-w-1-2', 'nb-cell nb-code nb-w-1-2'],
    ]);
    expect(text($(rows[0]!, '.nb-markdown'))).toBe('Explication à gauche.\n');
    expect($(doc, '[data-cell-id=cell-6]').attribs['class']).toBe('nb-cell nb-code');
  });

  it('gives every cell an anchor and its id', () => {
    const { doc, codeCells } = renderOne('w1/w1-s1-c1-cote.md', SIDE_BY_SIDE);
    expect($$(doc, '.nb-cell').map((c) => [c.attribs['id'], c.attribs['data-cell-id']])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => [`cell-cell-${i}`, `cell-${i}`]),
    );
    expect(codeCells).toEqual([
      { id: 'cell-2', tags: ['gridwidth-1-2'], source: 'x = 1' },
      { id: 'cell-4', tags: [], source: '"Bonjour\\nle monde"' },
      { id: 'cell-5', tags: [], source: 'print("Bonjour\\nle monde")' },
      { id: 'cell-6', tags: [], source: 'fin = True' },
    ]);
  });
});

describe('renderNotebook: cell tags', () => {
  const TAGGED = myst(
    [
      '# Tags',
      '',
      '```{code-cell}',
      ':tags: [remove-input]',
      '',
      'secret_setup = 42',
      '```',
      '',
      '```{code-cell}',
      ':tags: [hide-input]',
      '',
      'plot_everything()',
      '```',
      '',
      '```{code-cell}',
      ':tags: [raises-exception]',
      '',
      '1 / 0',
      '```',
      '',
      '```{code-cell}',
      ':tags: [skip-execution]',
      '',
      'nom = input("Nom ? ")',
      '```',
    ].join('\n'),
  );

  it('drops the code of remove-input cells from the page, not from codeCells', () => {
    const { html, doc, codeCells } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    const cell = $(doc, '[data-cell-id=cell-1]');
    expect($$(cell, 'pre')).toHaveLength(0);
    expect(cell.attribs['data-tags']).toBe('remove-input');
    expect(html).not.toContain('secret_setup');
    expect(codeCells[0]).toEqual({ id: 'cell-1', tags: ['remove-input'], source: 'secret_setup = 42' });
  });

  it('folds hide-input code in a closed <details> with a UI-string summary', () => {
    const { doc } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    const details = $(doc, '[data-cell-id=cell-2] details.nb-fold');
    expect('open' in details.attribs).toBe(false);
    expect(text($(details, 'summary'))).toBe(ui('notebook.showCode'));
    expect(text($(details, 'pre.code'))).toBe('plot_everything()');
  });

  it('marks raises-exception cells with a badge (UI string) and a class', () => {
    const { doc } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    const cell = $(doc, '[data-cell-id=cell-3]');
    expect(cell.attribs['class']).toBe('nb-cell nb-code nb-raises');
    expect(text($(cell, 'p.nb-badge.nb-badge-error'))).toBe(ui('notebook.expectedError'));
    expect(text($(cell, 'pre.code'))).toBe('1 / 0');
    expect($$(doc, '.nb-badge')).toHaveLength(1);
  });

  it('shows other cells plainly, with their tags for the runtime', () => {
    const { doc } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    const cell = $(doc, '[data-cell-id=cell-4]');
    expect(cell.attribs['data-tags']).toBe('skip-execution');
    expect($$(cell, 'details')).toHaveLength(0);
    expect(text($(cell, 'pre.code'))).toBe('nom = input("Nom ? ")');
  });
});

describe('renderNotebook: Jupyter Book removal and folding tags', () => {
  const TAGGED = myst(
    [
      '# Tags',
      '',
      '+++ {"tags": ["remove-cell"]}',
      '',
      'Note pour les auteurs seulement.',
      '',
      '+++',
      '',
      'Visible.',
      '',
      '```{code-cell}',
      ':tags: [remove-cell]',
      '',
      'preparation = 1',
      '```',
      '',
      '```{code-cell}',
      ':tags: [hide-cell]',
      '',
      'detail = 2',
      '```',
    ].join('\n'),
  );

  it('drops a removed markdown cell, and keeps a removed code cell hidden for the runtime', () => {
    const { html, doc, codeCells } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    expect(html).not.toContain('Note pour les auteurs');
    expect(html).toContain('Visible.');
    const removed = $(doc, '[data-cell-id=cell-3]');
    expect('hidden' in removed.attribs).toBe(true);
    expect(codeCells.map((c) => c.source)).toEqual(['preparation = 1', 'detail = 2']);
  });

  it('folds a hide-cell cell, code and outputs, behind a summary', () => {
    const { doc } = renderOne('w1/w1-s1-c1-tags.md', TAGGED);
    const details = $(doc, '[data-cell-id=cell-4] details.nb-fold');
    expect(text($(details, 'summary'))).toBe(ui('notebook.showCell'));
    expect(text($(details, 'pre.code'))).toBe('detail = 2');
  });

  it('drops the stored outputs of a remove-output cell', () => {
    const notebook = ipynb([
      {
        cell_type: 'code',
        id: 'a',
        metadata: { tags: ['remove-output'] },
        source: 'print(1)',
        outputs: [{ output_type: 'stream', name: 'stdout', text: 'UN\n' }],
      },
      {
        cell_type: 'code',
        id: 'b',
        metadata: {},
        source: 'print(2)',
        outputs: [{ output_type: 'stream', name: 'stdout', text: 'DEUX\n' }],
      },
    ]);
    const { html } = renderOne('w1/w1-s1-c1-out.ipynb', notebook);
    expect(html).not.toContain('UN');
    expect(html).toContain('DEUX');
  });
});

describe('renderNotebook: markdown cells', () => {
  it('builds the outline from top-level headings, not from those in admonitions', () => {
    const source = myst(
      [
        '# Titre',
        '',
        '```{admonition} Pour aller plus loin',
        ':class: dropdown',
        '',
        '## Détail caché',
        '```',
        '',
        '## Section',
        '',
        '+++',
        '',
        '## Section',
      ].join('\n'),
    );
    const { headings, doc } = renderOne('w1/w1-s1-c1-plan.md', source);
    expect(headings).toEqual([
      { level: 1, text: 'Titre', id: 'titre' },
      { level: 2, text: 'Section', id: 'section' },
      { level: 2, text: 'Section', id: 'section-2' },
    ]);
    expect($$(doc, 'details h2').map((h) => h.attribs['id'])).toEqual(['détail-caché']);
  });

  it('shows invalid TeX visibly and reports it at its file line and column', () => {
    const lines = ['# Maths', '', '+++', '', 'Première ligne.', 'La fraction $\\frac{1$ est cassée.'];
    const source = myst(lines.join('\n'));
    const { doc, diagnostics } = renderOne('w1/w1-s1-c1-maths.md', source);
    expect(text($(doc, 'code.math-error'))).toBe('\\frac{1');
    const fileLines = source.split('\n');
    const line = fileLines.findIndex((l) => l.startsWith('La fraction')) + 1;
    expect(line).toBeGreaterThan(lines.length); // after the front matter
    expect(diagnostics.filter((d) => d.code === 'render.math')).toEqual([
      {
        severity: 'warning',
        code: 'render.math',
        message: expect.stringContaining('cannot be rendered'),
        file: 'w1/w1-s1-c1-maths.md',
        line,
        column: 'La fraction $'.length + 1,
      },
    ]);
  });

  it('reports markdown nested past the limit at its file line, and keeps the rest of the cell', () => {
    const deep = `${'> '.repeat(120)}profond`;
    const source = myst(['# Profond', '', 'Première ligne.', deep, '', 'La suite de la cellule.'].join('\n'));
    const { doc, diagnostics } = renderOne('w1/w1-s1-c1-profond.md', source);
    expect(text($(doc, '[data-cell-id=cell-0]'))).toContain('La suite de la cellule.');
    expect(text($(doc, '[data-cell-id=cell-0]'))).toContain('profond');
    expect(diagnostics.filter((d) => d.code === 'render.too-deep')).toEqual([
      {
        severity: 'warning',
        code: 'render.too-deep',
        message: expect.stringContaining('shown as plain text'),
        file: 'w1/w1-s1-c1-profond.md',
        line: source.split('\n').indexOf(deep) + 1,
        column: 1,
      },
    ]);
  });

  it('keeps each cell’s HTML inside its cell: unclosed tags do not swallow the next cell', () => {
    const source = myst(
      ['<div class="encadre"><em>jamais fermé', '', '+++', '', '</div></div></div>Deuxième cellule.'].join('\n'),
    );
    const { html, doc } = renderOne('w1/w1-s1-c1-html.md', source);
    expect(layout(html)).toEqual(['cell-0', 'cell-1']);
    const second = $(doc, '[data-cell-id=cell-1]');
    expect(second.parent?.type).toBe('root');
    expect(text(second).trim()).toBe('Deuxième cellule.');
    expect(text($(doc, '[data-cell-id=cell-0] div.encadre em'))).toBe('jamais fermé');
  });

  it('strips marker characters from cell ids and tags (.ipynb metadata is author text)', () => {
    const { html } = renderOne(
      'w1/w1-s1-c1-ids.ipynb',
      ipynb([
        {
          cell_type: 'code',
          id: 'a\uE000quiz.hint\uE001',
          metadata: { tags: ['t\uE000quiz.hint\uE001'] },
          source: 'x',
          outputs: [],
          execution_count: null,
        },
      ]),
    );
    expect(html).not.toMatch(/[\uE000-\uE003]/);
    expect($(html, '.nb-cell').attribs['data-cell-id']).toBe('aquiz.hint');
  });
});

describe('renderNotebook: stored .ipynb outputs', () => {
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const notebook = ipynb([
    {
      cell_type: 'markdown',
      id: 'intro',
      metadata: {},
      source: ['# Sorties\n', '\n', '![logo](attachment:logo.png)'],
      attachments: { 'logo.png': { 'image/png': PNG } },
    },
    {
      cell_type: 'code',
      id: 'sorties',
      metadata: {},
      execution_count: 1,
      source: ['print("a < b")\n', 'display(HTML(x))'],
      outputs: [
        { output_type: 'stream', name: 'stdout', text: ['a < b & c\n', 'ligne 2\n'] },
        { output_type: 'stream', name: 'stderr', text: 'attention\n' },
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'text/html': [
              '<table class="dataframe"><tr><td>1</td></tr></table>',
              '<script>alert(1)</script><img src=x onerror=alert(2)>',
            ],
            'text/plain': ['<DataFrame>'],
          },
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': `${PNG.slice(0, 40)}\n${PNG.slice(40)}`, 'text/plain': '<Figure>' },
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'image/svg+xml': [
              '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
            ],
          },
        },
        {
          output_type: 'execute_result',
          execution_count: 1,
          metadata: {},
          data: { 'text/latex': '$$\\frac{a}{b}$$', 'text/plain': 'a/b' },
        },
        { output_type: 'execute_result', execution_count: 1, metadata: {}, data: { 'text/plain': "{'a': 1}" } },
      ],
    },
    {
      cell_type: 'code',
      id: 'erreur',
      metadata: { tags: ['raises-exception', 'hide-output'] },
      execution_count: 2,
      source: '1 / 0',
      outputs: [
        {
          output_type: 'error',
          ename: 'ZeroDivisionError',
          evalue: 'division by zero',
          traceback: [
            '\u001b[0;31m---------------------------------------------------------------------------\u001b[0m',
            '\u001b[0;31mZeroDivisionError\u001b[0m                         Traceback (most recent call last)',
            'Cell \u001b[0;32mIn[2], line 1\u001b[0m\n\u001b[1;32m----> 1\u001b[0m \u001b[38;5;241m1\u001b[39m \u001b[38;5;241m/\u001b[39m \u001b[38;5;241m0\u001b[39m <module>',
            '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero',
          ],
        },
      ],
    },
    { cell_type: 'raw', id: 'brut', metadata: {}, source: '\\newpage <script>x</script>' },
  ]);
  const rendered = () => renderOne('w1/w1-s1-c1-sorties.ipynb', notebook);

  it('shows stream outputs escaped, stdout and stderr apart', () => {
    const { doc } = rendered();
    expect($$(doc, 'pre.nb-stream').map((p) => [p.attribs['class'], text(p)])).toEqual([
      ['nb-output nb-stream nb-stdout', 'a < b & c\nligne 2\n'],
      ['nb-output nb-stream nb-stderr', 'attention\n'],
    ]);
  });

  it('sanitises text/html outputs: the table stays, the script and handler go', () => {
    const { doc, html } = rendered();
    const rich = $$(doc, '.nb-rich')[0]!;
    expect(text($(rich, 'table.dataframe td'))).toBe('1');
    expect(html).not.toMatch(/<script|onerror|alert/);
    expect($(rich, 'img').attribs).toEqual({ src: 'x', alt: '', loading: 'lazy' });
  });

  it('shows image/png as a data URL image', () => {
    const { doc } = rendered();
    const pngs = $$(doc, '.nb-rich img').filter((i) => i.attribs['src']!.startsWith('data:image/png'));
    // Line breaks in the stored base64 are removed.
    expect(pngs.map((i) => i.attribs)).toEqual([{ alt: '', src: `data:image/png;base64,${PNG}` }]);
  });

  it('shows image/svg+xml only as an <img>, never inline', () => {
    const { doc, html } = rendered();
    expect($$(doc, 'svg')).toHaveLength(0);
    const svg = $$(doc, '.nb-rich img').find((i) => i.attribs['src']!.startsWith('data:image/svg+xml;base64,'))!;
    const decoded = Buffer.from(svg.attribs['src']!.split(',')[1]!, 'base64').toString('utf8');
    expect(decoded).toContain('<svg');
    expect(html).not.toContain('onload');
  });

  it('renders text/latex with KaTeX', () => {
    const { doc } = rendered();
    expect($$(doc, '.nb-rich annotation').map(text)).toEqual(['\\frac{a}{b}']);
  });

  it('falls back to text/plain, escaped', () => {
    const { doc } = rendered();
    expect($$(doc, 'pre.nb-plain').map(text)).toEqual(["{'a': 1}"]);
  });

  it('shows tracebacks with ANSI colours as ansi-* spans, escaped, folded by hide-output', () => {
    const { doc, html } = rendered();
    const cell = $(doc, '[data-cell-id=erreur]');
    expect(cell.attribs['class']).toBe('nb-cell nb-code nb-raises');
    const fold = $(cell, 'details.nb-fold');
    expect(text($(fold, 'summary'))).toBe(ui('notebook.showOutput'));
    const pre = $(fold, 'pre.nb-error');
    expect(html).not.toContain('\u001b');
    expect(text(pre)).toContain('----> 1 1 / 0 <module>');
    expect($$(pre, 'span').map((s) => [s.attribs['class'], text(s)])).toEqual([
      ['ansi-fg-red', '---------------------------------------------------------------------------'],
      ['ansi-fg-red', 'ZeroDivisionError'],
      ['ansi-fg-green', 'In[2], line 1'],
      ['ansi-bold ansi-fg-green', '----> 1'],
      ['ansi-fg-red', 'ZeroDivisionError'],
    ]);
  });

  it('turns attachment: images of a cell into data URLs', () => {
    const { doc } = rendered();
    expect($(doc, '[data-cell-id=intro] img').attribs).toEqual({
      src: `data:image/png;base64,${PNG}`,
      alt: 'logo',
      loading: 'lazy',
    });
  });

  it('leaves raw cells out and lists the code cells', () => {
    const { html, codeCells, headings } = rendered();
    expect(html).not.toContain('newpage');
    expect(codeCells).toEqual([
      { id: 'sorties', tags: [], source: 'print("a < b")\ndisplay(HTML(x))' },
      { id: 'erreur', tags: ['raises-exception', 'hide-output'], source: '1 / 0' },
    ]);
    expect(headings).toEqual([{ level: 1, text: 'Sorties', id: 'sorties' }]);
  });

  it('strips marker characters that outputs spell with entities or TeX', () => {
    const { html } = renderOne(
      'w1/w1-s1-c1-forge.ipynb',
      ipynb([
        {
          cell_type: 'code',
          id: 'c',
          metadata: {},
          execution_count: 1,
          source: 'x',
          outputs: [
            { output_type: 'display_data', metadata: {}, data: { 'text/html': '<b>&#xE000;quiz.hint&#xE001;</b>' } },
            { output_type: 'display_data', metadata: {}, data: { 'text/latex': '$\\text{\uE000quiz.hint\uE001}$' } },
            {
              output_type: 'display_data',
              metadata: {},
              data: { 'application/json': '{"k": "\uE000quiz.hint\uE001"}' },
            },
          ],
        },
      ]),
    );
    expect(html).not.toMatch(/[\uE000-\uE003]/);
    expect(html).toContain('<b>quiz.hint</b>');
  });
});

describe('ansiToHtml', () => {
  it('maps SGR codes to classes and resets them', () => {
    expect(ansiToHtml('\u001b[31mrouge\u001b[0m normal')).toBe('<span class="ansi-fg-red">rouge</span> normal');
    expect(ansiToHtml('\u001b[1;94mgras bleu\u001b[22m bleu\u001b[39m rien')).toBe(
      '<span class="ansi-bold ansi-fg-bright-blue">gras bleu</span><span class="ansi-fg-bright-blue"> bleu</span> rien',
    );
    expect(ansiToHtml('\u001b[42mfond\u001b[49m')).toBe('<span class="ansi-bg-green">fond</span>');
  });

  it('skips 256-colour and RGB codes and other escape sequences', () => {
    expect(ansiToHtml('\u001b[38;5;241m1\u001b[39m \u001b[38;2;1;2;3;1mx\u001b[0m\u001b[2Ky')).toBe(
      '1 <span class="ansi-bold">x</span>y',
    );
  });

  it('escapes the text', () => {
    expect(ansiToHtml('\u001b[31m<module> & "x"\u001b[0m')).toBe(
      '<span class="ansi-fg-red">&lt;module&gt; &amp; &quot;x&quot;</span>',
    );
  });
});

describe('renderCourse', () => {
  it('renders every item, notebooks and quizzes, in course order', () => {
    const { items } = renderAll({
      'w1/w1-s1-c1-a.md': myst('# A'),
      'w1/w1-s2-q1-b.quiz': '( ) non\n(x) oui\n',
      'w2/w2-s1-c1-c.md': myst('# C'),
    });
    expect(items.map((i) => [i.item.path, i.headings.map((h) => h.text)])).toEqual([
      ['w1/w1-s1-c1-a.md', ['A']],
      ['w1/w1-s2-q1-b.quiz', []],
      ['w2/w2-s1-c1-c.md', ['C']],
    ]);
    const quiz = items[1]!;
    expect($$(quiz.html, 'input[type=radio]')).toHaveLength(2);
    expect(quiz.codeCells).toEqual([]);
  });

  it('uses the course language for directive titles', () => {
    const note = '```{note}\nx\n```';
    const fr = renderAll({ 'carnet.yml': 'language: fr\n', 'w1/a.md': myst(note) }).items[0]!;
    const en = renderAll({ 'carnet.yml': 'language: en\n', 'w1/a.md': myst(note) }).items[0]!;
    expect(text($(fr.html, '.admonition-title'))).toBe('Remarque');
    expect(text($(en.html, '.admonition-title'))).toBe('Note');
  });
});
