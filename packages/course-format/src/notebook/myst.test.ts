import { describe, expect, it } from 'vitest';
import type { Cell, CodeCell, Notebook } from './model.ts';
import { parseMystNotebook } from './myst.ts';

const PATH = 'w2/w2-s6-x1-label.md';

/** A file from its lines, LF-terminated as jupytext writes them. */
function file(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Parses a notebook that must import: no error, a non-null value. */
function ok(text: string): Notebook {
  const { value, diagnostics } = parseMystNotebook(text, PATH);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(value).not.toBeNull();
  return value!;
}

/** `severity code line:column` for each diagnostic. */
function diagnosticsOf(text: string): string[] {
  return parseMystNotebook(text, PATH).diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`);
}

/** The cells as `type@line: source`, the shape a course author checks at a glance. */
function summary(notebook: Notebook): string[] {
  return notebook.cells.map((c) => `${c.type}@${c.line}: ${c.source}`);
}

function code(cell: Cell | undefined): CodeCell {
  expect(cell?.type).toBe('code');
  return cell as CodeCell;
}

const FRONT_MATTER = [
  '---',
  'jupytext:',
  '  text_representation:',
  '    extension: .md',
  '    format_name: myst',
  'kernelspec:',
  '  display_name: Python 3',
  '  language: python',
  '  name: python3',
  'language_info:',
  '  name: python',
  '  pygments_lexer: ipython3',
  'nbhosting:',
  '  title: Les chaînes',
  'livereveal:',
  '  auto_select: code',
  '---',
];

describe('parseMystNotebook: front matter', () => {
  it('keeps every front-matter key as notebook metadata, unknown ones included', () => {
    const nb = ok(file(...FRONT_MATTER, '', '# Title'));
    expect(nb.format).toBe('myst');
    expect(nb.path).toBe(PATH);
    expect(nb.metadata).toEqual({
      jupytext: { text_representation: { extension: '.md', format_name: 'myst' } },
      kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
      language_info: { name: 'python', pygments_lexer: 'ipython3' },
      nbhosting: { title: 'Les chaînes' },
      livereveal: { auto_select: 'code' },
    });
    // The body starts after the closing ---: line 19 of the file.
    expect(summary(nb)).toEqual(['markdown@19: # Title']);
  });

  it('accepts a front matter closed by ... and one with trailing spaces after ---', () => {
    expect(ok(file('---  ', 'a: 1', '...', 'text')).metadata).toEqual({ a: 1 });
    expect(summary(ok(file('---  ', 'a: 1', '...', 'text')))).toEqual(['markdown@4: text']);
  });

  it('has no metadata when the file does not start with ---', () => {
    const nb = ok(file('', '---', 'a: 1', '---'));
    expect(nb.metadata).toEqual({});
    // A --- that is not on line 1 is a thematic break: plain markdown.
    expect(summary(nb)).toEqual(['markdown@2: ---\na: 1\n---']);
  });

  it('reads an empty front matter as no metadata', () => {
    expect(ok(file('---', '---', 'text')).metadata).toEqual({});
  });

  it('reports a front matter that is never closed, at line 1, and gives no notebook', () => {
    const text = file('---', 'kernelspec:', '  name: python3', '', '# Title', 'text');
    const result = parseMystNotebook(text, PATH);
    expect(result.value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error myst.unclosed-front-matter 1:1']);
    expect(result.diagnostics[0]!.file).toBe(PATH);
    expect(result.diagnostics[0]!.message).toContain('never closed');
  });

  it('reports invalid YAML at the line and column of the file, not of the YAML block', () => {
    // Line 5 of the file is the 4th line of the YAML; its closing quote is missing (line ends at column 13).
    const text = file('---', 'kernelspec:', '  name: python3', 'nbhosting:', '  title: "abc', '---', 'x');
    expect(parseMystNotebook(text, PATH).value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error yaml.syntax 5:14']);
    expect(parseMystNotebook(text, PATH).diagnostics[0]!.message).toMatch(/^Invalid YAML in the front matter: .*quote/);
  });

  it('reports a tab used as indentation at its line, column 1', () => {
    const text = file('---', 'kernelspec:', '  name: python3', '\tfoo: 1', '---', 'x');
    expect(diagnosticsOf(text)).toEqual(['error yaml.syntax 4:1']);
  });

  it('reports an alias used inside its own value (a notebook that could never be stored as JSON)', () => {
    const text = file('---', 'kernelspec:', '  name: python3', 'loop: &x [*x]', '---', 'x');
    expect(diagnosticsOf(text)).toEqual(['error yaml.value 4:11']);
    expect(parseMystNotebook(text, PATH).value).toBeNull();
    // In cell options, the column counts the leading colon.
    expect(diagnosticsOf(file('```{code-cell}', ':a: &y {b: *y}', 'x', '```'))).toEqual(['error yaml.value 2:12']);
    // An alias to an earlier, complete value is fine.
    expect(ok(file('---', 'a: &x [1]', 'b: *x', '---')).metadata).toEqual({ a: [1], b: [1] });
  });

  it('warns, and ignores it, when the front matter is not a mapping', () => {
    const text = file('---', '- a', '- b', '---', 'text');
    const nb = ok(text);
    expect(nb.metadata).toEqual({});
    expect(diagnosticsOf(text)).toEqual(['warning myst.front-matter-not-mapping 2:1']);
  });
});

describe('parseMystNotebook: markdown cells', () => {
  it('splits markdown cells on +++ lines and trims them as jupytext does', () => {
    const nb = ok(
      file('', '', '# Title', '', 'Some text   ', '', '', '+++', '', '', 'second  ', '   ', '+++', '', 'third'),
    );
    expect(nb.cells.map((c) => c.source)).toEqual(['# Title\n\nSome text', 'second', 'third']);
    // Each cell's line is its first non-blank line.
    expect(nb.cells.map((c) => c.line)).toEqual([3, 11, 15]);
    expect(nb.cells.map((c) => c.id)).toEqual(['cell-0', 'cell-1', 'cell-2']);
    expect(nb.cells.every((c) => c.type === 'markdown' && Object.keys(c.metadata).length === 0)).toBe(true);
  });

  it('keeps the inner indentation of the first line (a markdown code block)', () => {
    expect(ok(file('+++', '    indented code', 'text')).cells[0]!.source).toBe('    indented code\ntext');
  });

  it('reads JSON metadata after +++ into the next markdown cell, tags included', () => {
    const nb = ok(
      file(
        'first',
        '+++ {"tags": ["gridwidth-1-2"]}',
        'left',
        '+++ {"cell_style": "split", "id": "right-col"}',
        'right',
        '+++',
        'plain',
      ),
    );
    expect(nb.cells.map((c) => [c.source, c.metadata, c.tags, c.id])).toEqual([
      ['first', {}, [], 'cell-0'],
      ['left', { tags: ['gridwidth-1-2'] }, ['gridwidth-1-2'], 'cell-1'],
      ['right', { cell_style: 'split', id: 'right-col' }, [], 'right-col'],
      ['plain', {}, [], 'cell-3'],
    ]);
  });

  it('accepts +++ with more plus signs, indented up to 3 spaces, right after a paragraph line', () => {
    expect(summary(ok(file('a', '++++', 'b', '   +++', 'c')))).toEqual([
      'markdown@1: a',
      'markdown@3: b',
      'markdown@5: c',
    ]);
  });

  it('does not split on a +++ indented by 4 spaces (a code block) or ++ (too short)', () => {
    expect(summary(ok(file('', '    +++', 'md')))).toEqual(['markdown@2:     +++\nmd']);
    expect(summary(ok(file('a', '++', 'b')))).toEqual(['markdown@1: a\n++\nb']);
  });

  it('drops empty markdown cells between separators', () => {
    expect(summary(ok(file('+++', '', '+++ {"tags": ["x"]}', '   ', '+++', 'only')))).toEqual(['markdown@6: only']);
  });

  it('reports bad JSON after +++ at that line, where the JSON starts', () => {
    const text = file('# T', '', '+++ {"tags": [gridwidth]}', 'text');
    expect(parseMystNotebook(text, PATH).value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error myst.cell-metadata-json 3:5']);
    expect(parseMystNotebook(text, PATH).diagnostics[0]!.message).toContain('must be JSON');
  });

  it('reports JSON that is not an object after +++', () => {
    const text = file('a', '+++   ["x"]', 'b');
    expect(diagnosticsOf(text)).toEqual(['error myst.cell-metadata-json 2:7']);
    expect(parseMystNotebook(text, PATH).value).toBeNull();
  });

  it('warns about tags that are not a list of strings, and ignores them', () => {
    const text = file('+++ {"tags": "gridwidth-1-2"}', 'md');
    const nb = ok(text);
    expect(nb.cells[0]!.tags).toEqual([]);
    expect(nb.cells[0]!.metadata).toEqual({ tags: 'gridwidth-1-2' });
    expect(diagnosticsOf(text)).toEqual(['warning myst.tags-not-list 1:1']);
  });
});

describe('parseMystNotebook: code cells', () => {
  it('reads :key: value options into metadata, latex options kept, and the lexer', () => {
    const nb = ok(
      file(
        '```{code-cell} ipython3',
        ':tags: [raises-exception, gridwidth-1-2]',
        ':cell_style: split',
        ':scrolled: true',
        ':latex-hidden-code-instead: f = exo_x.solution',
        '',
        '1 / 0',
        '```',
      ),
    );
    const cell = code(nb.cells[0]);
    expect(cell.metadata).toEqual({
      tags: ['raises-exception', 'gridwidth-1-2'],
      cell_style: 'split',
      scrolled: true,
      'latex-hidden-code-instead': 'f = exo_x.solution',
    });
    expect(cell.tags).toEqual(['raises-exception', 'gridwidth-1-2']);
    expect(cell.source).toBe('1 / 0');
    expect(cell.language).toBe('ipython3');
    expect(cell.line).toBe(1);
    expect(cell.outputs).toEqual([]);
    expect(cell.executionCount).toBeNull();
  });

  it('reads a --- YAML options block', () => {
    const nb = ok(
      file('```{code-cell}', '---', 'tags: [skip-execution]', 'scrolled: false', '---', 'name = input()', '```'),
    );
    const cell = code(nb.cells[0]);
    expect(cell.metadata).toEqual({ tags: ['skip-execution'], scrolled: false });
    expect(cell.source).toBe('name = input()');
  });

  it('removes exactly one blank line after the options, or at the start of a cell without options', () => {
    expect(code(ok(file('```{code-cell}', ':tags: [a]', '', '', 'x', '```')).cells[0]).source).toBe('\nx');
    expect(code(ok(file('```{code-cell}', '', 'x', '```')).cells[0]).source).toBe('x');
    expect(code(ok(file('```{code-cell}', '---', 'a: 1', '---', '', 'x', '```')).cells[0]).source).toBe('x');
  });

  it('keeps the code verbatim: indentation, inner blank lines, trailing blank lines', () => {
    const src = ['def f(x):', '    return x', '', '', 'print(f(1))  ', ''];
    expect(code(ok(file('```{code-cell}', ...src, '```')).cells[0]).source).toBe(src.join('\n'));
  });

  it('names the language python for a bare {code-cell}, and reads ipython3 when written', () => {
    const nb = ok(file('```{code-cell}', 'a', '```', '', '```{code-cell} ipython3', 'b', '```'));
    expect(nb.cells.map((c) => (c as CodeCell).language)).toEqual(['python', 'ipython3']);
  });

  it('reads an empty code cell', () => {
    const nb = ok(file('```{code-cell} ipython3', '```'));
    expect(nb.cells.map((c) => [c.type, c.source])).toEqual([['code', '']]);
  });

  it('gives markdown and code cells their own lines in the file, front matter counted', () => {
    const nb = ok(
      file(
        '---',
        'kernelspec:',
        '  name: python3',
        '---',
        '',
        '# Title', // 6
        '',
        '```{code-cell} ipython3', // 8
        'x = 1',
        '```',
        'between', // 11
        '```{code-cell} ipython3', // 12
        'y = 2',
        '```',
        '',
        '+++ {"tags": ["a"]}', // 16
        '',
        'last', // 18
      ),
    );
    expect(summary(nb)).toEqual([
      'markdown@6: # Title',
      'code@8: x = 1',
      'markdown@11: between',
      'code@12: y = 2',
      'markdown@18: last',
    ]);
    expect(nb.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4]);
    expect(nb.cells.map((c) => c.id)).toEqual(['cell-0', 'cell-1', 'cell-2', 'cell-3', 'cell-4']);
  });

  it('takes the cell id from metadata id', () => {
    const nb = ok(file('```{code-cell}', ':id: my-cell', 'x', '```', '```{code-cell}', ':id: ""', 'y', '```'));
    expect(nb.cells.map((c) => c.id)).toEqual(['my-cell', 'cell-1']);
  });

  it('lets a longer fence enclose shorter ones: a 4-backtick cell holding ``` lines', () => {
    const nb = ok(file('````{code-cell}', 'text = """', '```', 'inner', '```', '"""', '````', 'after'));
    expect(summary(nb)).toEqual(['code@1: text = """\n```\ninner\n```\n"""', 'markdown@8: after']);
  });

  it('accepts ~~~ fences and closing fences longer than the opening one', () => {
    const nb = ok(file('~~~{code-cell} ipython3', 'x', '~~~', '```{code-cell}', 'y', '`````'));
    expect(summary(nb)).toEqual(['code@1: x', 'code@4: y']);
  });

  it('does not take a {code-cell} fence inside a longer fence for a cell', () => {
    const nb = ok(file('# How to write a cell', '', '````markdown', '```{code-cell} ipython3', 'x = 1', '```', '````'));
    expect(nb.cells).toHaveLength(1);
    expect(nb.cells[0]!.type).toBe('markdown');
    expect(nb.cells[0]!.source).toContain('```{code-cell} ipython3');
  });

  it('does not take a fence nested in a list or a quote for a cell', () => {
    const nb = ok(file('* item', '', '  ```{code-cell}', '  x', '  ```', '', '> ```{code-cell}', '> y', '> ```'));
    expect(summary(nb)).toEqual(['markdown@1: * item\n\n  ```{code-cell}\n  x\n  ```\n\n> ```{code-cell}\n> y\n> ```']);
  });

  it('does not split on +++ lines inside a code cell', () => {
    const nb = ok(file('```{code-cell}', 'x = 1', '+++', 'y = 2', '```'));
    expect(summary(nb)).toEqual(['code@1: x = 1\n+++\ny = 2']);
  });

  it('reads other fences ({admonition}, python) as markdown', () => {
    const nb = ok(file('```{admonition} Note', ':class: dropdown', 'text', '```', '```python', 'x', '```'));
    expect(nb.cells.map((c) => c.type)).toEqual(['markdown']);
  });

  it('reads a {raw-cell}', () => {
    const nb = ok(file('text', '```{raw-cell}', ':tags: [r]', '%%latex raw', '```'));
    expect(summary(nb)).toEqual(['markdown@1: text', 'raw@2: %%latex raw']);
    expect(nb.cells[1]!.tags).toEqual(['r']);
  });

  it('reports a code cell that is never closed, at its fence line', () => {
    const text = file('# T', '', '```{code-cell} ipython3', 'x = 1', '', 'more text');
    const result = parseMystNotebook(text, PATH);
    expect(result.value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error myst.unclosed-cell 3:1']);
    expect(result.diagnostics[0]!.message).toContain('add a line ```');
  });

  it('reports a 4-backtick cell closed only by a 3-backtick line as unclosed', () => {
    expect(diagnosticsOf(file('````{code-cell}', 'x', '```'))).toEqual(['error myst.unclosed-cell 1:1']);
  });

  it('reports an unclosed fence on the last line, with or without a final newline', () => {
    expect(diagnosticsOf('text\n```{code-cell}')).toEqual(['error myst.unclosed-cell 2:1']);
    expect(diagnosticsOf('text\n```{raw-cell}\n')).toEqual(['error myst.unclosed-cell 2:1']);
  });

  it('reads a cell closed on the last line without a final newline', () => {
    expect(summary(ok('```{code-cell}\nx = 1\n```'))).toEqual(['code@1: x = 1']);
  });

  it('reports invalid option YAML at the file line and column', () => {
    // `:tags: "x` : the YAML is `tags: "x` (8 characters), read from column 2 of line 2.
    expect(diagnosticsOf(file('```{code-cell}', ':tags: "x', 'code', '```'))).toEqual(['error yaml.syntax 2:10']);
    // In a --- block the YAML starts on line 3, column 1.
    expect(diagnosticsOf(file('```{code-cell}', '---', 'tags: "x', '---', 'code', '```'))).toEqual([
      'error yaml.syntax 3:9',
    ]);
    expect(parseMystNotebook(file('```{code-cell}', ':tags: "x', 'code', '```'), PATH).value).toBeNull();
  });

  it('warns about option tags that are not a list', () => {
    const text = file('text', '```{code-cell}', ':tags: raises-exception', 'x', '```');
    expect(diagnosticsOf(text)).toEqual(['warning myst.tags-not-list 3:1']);
    expect(ok(text).cells[1]!.tags).toEqual([]);
  });

  it('warns when a --- options block is not a mapping', () => {
    const text = file('```{code-cell}', '---', '- a', '---', 'x', '```');
    expect(diagnosticsOf(text)).toEqual(['warning myst.options-not-mapping 2:1']);
    expect(code(ok(text).cells[0]).metadata).toEqual({});
  });
});

describe('parseMystNotebook: line endings', () => {
  const lines = [
    '---',
    'kernelspec:',
    '  name: python3',
    '---',
    '',
    '# Title',
    '',
    '+++ {"tags": ["a"]}',
    '',
    '```{code-cell} ipython3',
    ':tags: [b]',
    'x = 1',
    '```',
    'end',
  ];
  const lf = lines.join('\n') + '\n';

  it('gives the same cells and lines for CRLF, CR and BOM input', () => {
    const expected = ok(lf);
    expect(summary(expected)).toEqual(['markdown@6: # Title', 'code@10: x = 1', 'markdown@14: end']);
    for (const text of [lines.join('\r\n') + '\r\n', '\uFEFF' + lf, '\uFEFF' + lines.join('\r\n'), lines.join('\r')]) {
      expect(ok(text)).toEqual(expected);
    }
  });

  it('reports errors at the same line with CRLF and a BOM', () => {
    const text = ['\uFEFF---', 'a: "x', '---', '+++ {bad}', '```{code-cell}', 'x'].join('\r\n');
    expect(diagnosticsOf(text)).toEqual([
      'error yaml.syntax 2:6',
      'error myst.cell-metadata-json 4:5',
      'error myst.unclosed-cell 5:1',
    ]);
  });

  it('reports YAML or JSON nesting thousands of levels at its line (front matter, options, +++), without throwing', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(diagnosticsOf(file('---', `x: ${deep(10_000)}`, '---', '', '# T'))).toEqual(['error yaml.too-deep 2:67']);
    expect(diagnosticsOf(file('# T', '', '```{code-cell} ipython3', `:tags: ${deep(10_000)}`, 'x', '```'))).toEqual([
      'error yaml.too-deep 4:71',
    ]);
    expect(
      diagnosticsOf(file('# T', '', '+++ ' + '{"a": '.repeat(10_000) + '1' + '}'.repeat(10_000), '', 'text')),
    ).toEqual(['error myst.too-deep 3:389']);
    expect(diagnosticsOf(file('---', `x: ${'- '.repeat(10_000)}1`, '---', '', '# T'))).toEqual([
      expect.stringMatching(/^error yaml\.too-deep 2:\d+$/),
    ]);
  });
});
