import { describe, expect, it } from 'vitest';
import { parseIpynbNotebook } from './ipynb.ts';
import type { CodeCell, MarkdownCell, Notebook } from './model.ts';

const PATH = 'w5/w5-s1-av-slides.ipynb';

function ok(text: string): Notebook {
  const { value, diagnostics } = parseIpynbNotebook(text, PATH);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(value).not.toBeNull();
  return value!;
}

function diagnosticsOf(text: string): string[] {
  return parseIpynbNotebook(text, PATH).diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`);
}

/** A notebook as Jupyter writes it: one-space indentation, nbformat 4.5. */
function notebook(cells: unknown[], metadata: unknown = {}): string {
  return JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1) + '\n';
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('parseIpynbNotebook', () => {
  it('reads an nbformat 4.5 notebook: ids, metadata, source as list or string, tags', () => {
    const nb = ok(
      notebook(
        [
          {
            cell_type: 'markdown',
            id: 'intro',
            metadata: { tags: ['gridwidth-1-2'] },
            source: ['# Title\n', '\n', 'text'],
          },
          { cell_type: 'code', id: 'c1', metadata: {}, execution_count: 3, outputs: [], source: 'x = 1' },
          { cell_type: 'raw', id: 'r', metadata: { format: 'text/latex' }, source: '\\LaTeX' },
        ],
        { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' }, livereveal: { theme: 'x' } },
      ),
    );
    expect(nb.format).toBe('ipynb');
    expect(nb.path).toBe(PATH);
    expect(nb.metadata).toEqual({
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      livereveal: { theme: 'x' },
    });
    expect(nb.cells.map((c) => [c.type, c.id, c.index, c.source, c.tags])).toEqual([
      ['markdown', 'intro', 0, '# Title\n\ntext', ['gridwidth-1-2']],
      ['code', 'c1', 1, 'x = 1', []],
      ['raw', 'r', 2, '\\LaTeX', []],
    ]);
    expect(nb.cells[2]!.metadata).toEqual({ format: 'text/latex' });
    const codeCell = nb.cells[1] as CodeCell;
    expect(codeCell.executionCount).toBe(3);
    expect(codeCell.language).toBe('python');
  });

  it('gives each cell the line of its opening brace', () => {
    const text = [
      '{',
      ' "cells": [',
      '  {',
      '   "cell_type": "markdown",',
      '   "metadata": {},',
      '   "source": ["a"]',
      '  },',
      '  {"cell_type": "code", "metadata": {}, "outputs": [], "source": "b", "execution_count": null}',
      ' ],',
      ' "metadata": {},',
      ' "nbformat": 4,',
      ' "nbformat_minor": 2',
      '}',
    ].join('\n');
    const nb = ok(text);
    expect(nb.cells.map((c) => c.line)).toEqual([3, 8]);
    // nbformat 4.2 has no ids: cell-<index>.
    expect(nb.cells.map((c) => c.id)).toEqual(['cell-0', 'cell-1']);
    expect((nb.cells[1] as CodeCell).executionCount).toBeNull();
  });

  it('takes the code language from language_info, then kernelspec, else python', () => {
    const cell = { cell_type: 'code', metadata: {}, outputs: [], source: 'x' };
    const lang = (metadata: unknown): string => (ok(notebook([cell], metadata)).cells[0] as CodeCell).language;
    expect(lang({ language_info: { name: 'python' }, kernelspec: { language: 'R' } })).toBe('python');
    expect(lang({ kernelspec: { language: 'R' } })).toBe('R');
    expect(lang({})).toBe('python');
  });

  it('reads markdown attachments, base64 kept as stored', () => {
    const nb = ok(
      notebook([
        {
          cell_type: 'markdown',
          metadata: {},
          source: '![img](attachment:image.png)',
          attachments: { 'image.png': { 'image/png': PNG }, 'lines.svg': { 'image/svg+xml': ['<svg>\n', '</svg>'] } },
        },
      ]),
    );
    expect((nb.cells[0] as MarkdownCell).attachments).toEqual({
      'image.png': { 'image/png': PNG },
      'lines.svg': { 'image/svg+xml': '<svg>\n</svg>' },
    });
  });

  it('reads outputs of every type', () => {
    const nb = ok(
      notebook([
        {
          cell_type: 'code',
          execution_count: 7,
          metadata: {},
          source: ['import sys\n', 'print("out")\n', 'print("err", file=sys.stderr)\n', '42'],
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['out\n', 'more\n'] },
            { output_type: 'stream', name: 'stderr', text: 'err\n' },
            { output_type: 'execute_result', execution_count: 7, metadata: {}, data: { 'text/plain': ['42'] } },
            {
              output_type: 'display_data',
              metadata: {},
              data: { 'image/png': PNG, 'text/html': ['<b>bold</b>\n', '<i>x</i>'], 'text/plain': '<Figure>' },
            },
            { output_type: 'display_data', metadata: {}, data: { 'application/json': { a: [1, 2] } } },
            {
              output_type: 'error',
              ename: 'ZeroDivisionError',
              evalue: 'division by zero',
              traceback: ['\u001b[0;31m---------\u001b[0m', 'ZeroDivisionError: division by zero'],
            },
          ],
        },
      ]),
    );
    const cell = nb.cells[0] as CodeCell;
    expect(cell.source).toBe('import sys\nprint("out")\nprint("err", file=sys.stderr)\n42');
    expect(cell.executionCount).toBe(7);
    expect(cell.outputs).toEqual([
      { type: 'stream', name: 'stdout', text: 'out\nmore\n' },
      { type: 'stream', name: 'stderr', text: 'err\n' },
      { type: 'execute_result', data: { 'text/plain': '42' }, executionCount: 7 },
      {
        type: 'display_data',
        data: { 'image/png': PNG, 'text/html': '<b>bold</b>\n<i>x</i>', 'text/plain': '<Figure>' },
        executionCount: null,
      },
      { type: 'display_data', data: { 'application/json': '{"a":[1,2]}' }, executionCount: null },
      {
        type: 'error',
        ename: 'ZeroDivisionError',
        evalue: 'division by zero',
        traceback: ['\u001b[0;31m---------\u001b[0m', 'ZeroDivisionError: division by zero'],
      },
    ]);
  });

  it('accepts a missing source, metadata and outputs', () => {
    const nb = ok('{"nbformat": 4, "nbformat_minor": 0, "cells": [{"cell_type": "code"}, {"cell_type": "markdown"}]}');
    expect(nb.metadata).toEqual({});
    expect(nb.cells.map((c) => [c.type, c.source, c.metadata])).toEqual([
      ['code', '', {}],
      ['markdown', '', {}],
    ]);
  });

  it('reads a notebook with a BOM and CRLF line ends, lines unchanged', () => {
    const lines = ['{', ' "nbformat": 4,', ' "cells": [', '  {"cell_type": "markdown", "source": "x"}', ' ]', '}'];
    expect(ok('\uFEFF' + lines.join('\r\n')).cells[0]!.line).toBe(4);
    expect(
      diagnosticsOf(
        '\uFEFF' + ['{', ' "nbformat": 4,', ' "cells": [', '  {"cell_type": "markdown" "source": "x"}'].join('\r\n'),
      ),
    ).toEqual(['error ipynb.json 4:28']);
  });

  it('reports invalid JSON at the exact line and column of the syntax error', () => {
    const text = [
      '{',
      ' "nbformat": 4,',
      ' "cells": [',
      '  {"cell_type": "code", "source": "x"}',
      '  {"cell_type": "code"}',
      ' ]',
      '}',
    ].join('\n');
    const result = parseIpynbNotebook(text, PATH);
    expect(result.value).toBeNull();
    // The missing comma: the second cell's { on line 5, column 3.
    expect(diagnosticsOf(text)).toEqual(['error ipynb.json 5:3']);
    expect(result.diagnostics[0]!.message).toContain('not valid JSON');
    // A trailing comma: reported at the } that follows it.
    expect(diagnosticsOf('{"nbformat": 4,\n "cells": [],\n}')).toEqual(['error ipynb.json 3:1']);
    // A comment is not JSON.
    expect(diagnosticsOf('{"nbformat": 4, "cells": [] // c\n}')).toEqual(['error ipynb.json 1:29']);
    // A truncated file: reported at its end.
    expect(diagnosticsOf('{"nbformat": 4,\n "cells": [')).toEqual(['error ipynb.json 2:12']);
  });

  it('reports an empty file', () => {
    expect(diagnosticsOf('')).toEqual(['error ipynb.json 1:1']);
    expect(parseIpynbNotebook('  \n', PATH).value).toBeNull();
  });

  it('refuses nbformat 3 and missing nbformat with a message saying how to convert', () => {
    const text = '{\n "nbformat": 3,\n "nbformat_minor": 0,\n "worksheets": []\n}';
    const result = parseIpynbNotebook(text, PATH);
    expect(result.value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error ipynb.nbformat 2:14']);
    expect(result.diagnostics[0]!.message).toContain('nbformat 3');
    expect(result.diagnostics[0]!.message).toContain('jupyter nbconvert');
    expect(diagnosticsOf('{"cells": []}')).toEqual(['error ipynb.nbformat 1:1']);
    expect(parseIpynbNotebook('{"cells": []}', PATH).diagnostics[0]!.message).toContain('nbformat null');
  });

  it('refuses JSON that is not an object', () => {
    expect(diagnosticsOf('\n [1, 2]')).toEqual(['error ipynb.not-notebook 2:2']);
  });

  it('refuses a notebook without a cells list', () => {
    expect(diagnosticsOf('{"nbformat": 4, "metadata": {}}')).toEqual(['error ipynb.cells 1:1']);
    expect(diagnosticsOf('{"nbformat": 4,\n "cells": {}}')).toEqual(['error ipynb.cells 2:11']);
  });

  it('accepts an empty cells list', () => {
    expect(ok('{"nbformat": 4, "cells": []}').cells).toEqual([]);
  });

  it("reports an unknown cell_type at that cell's line and column", () => {
    const text = [
      '{',
      ' "nbformat": 4,',
      ' "cells": [',
      '  {"cell_type": "markdown", "source": ""},',
      '  {"cell_type": "heading", "level": 1, "source": "T"}',
      ' ]',
      '}',
    ].join('\n');
    const result = parseIpynbNotebook(text, PATH);
    expect(result.value).toBeNull();
    expect(diagnosticsOf(text)).toEqual(['error ipynb.cell 5:3']);
    expect(result.diagnostics[0]!.message).toContain('"heading"');
  });

  it('reads a notebook of megabytes with hundreds of cells in linear time', () => {
    // 500 cells, each with a 20 kB image: 10 MB. Locating each cell from the start of the file took seconds.
    const image = 'A'.repeat(20000);
    const cells = Array.from({ length: 500 }, (_, i) => ({
      cell_type: 'code',
      metadata: {},
      source: `x = ${i}`,
      outputs: [{ output_type: 'display_data', metadata: {}, data: { 'image/png': image } }],
    }));
    const text = notebook(cells);
    const start = performance.now();
    const nb = ok(text);
    const elapsed = performance.now() - start;
    expect(nb.cells).toHaveLength(500);
    // The cell's { is 3 lines above its "source" line (cell_type and metadata come between).
    expect(nb.cells[499]!.line).toBe(text.split('\n').findIndex((l) => l.includes('"x = 499"')) + 1 - 3);
    expect(elapsed).toBeLessThan(3000);
  });

  it('reports bad sources, non-object cells and unknown outputs at the cell', () => {
    const text = [
      '{"nbformat": 4, "cells": [',
      '  {"cell_type": "code", "source": 3},',
      '  "not a cell",',
      '  {"cell_type": "code", "source": "x", "outputs": [{"output_type": "weird"}]},',
      '  {"cell_type": "code", "source": "x", "outputs": [{"output_type": "stream", "name": "stdout"}]}',
      ']}',
    ].join('\n');
    expect(diagnosticsOf(text)).toEqual([
      'error ipynb.cell 2:3',
      'error ipynb.cell 3:3',
      'error ipynb.cell 4:3',
      'error ipynb.cell 5:3',
    ]);
    const messages = parseIpynbNotebook(text, PATH).diagnostics.map((d) => d.message);
    expect(messages[0]).toContain('"source"');
    expect(messages[2]).toContain('"weird"');
    expect(messages[3]).toContain('"text"');
  });

  it('reports metadata nesting 10,000 lists (a 20 KB file) at its line, without throwing', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const text = [
      '{',
      ' "nbformat": 4,',
      ' "nbformat_minor": 5,',
      ` "metadata": {"x": ${deep}},`,
      ' "cells": []',
      '}',
    ].join('\n');
    expect(text.length).toBeGreaterThan(20_000);
    const result = parseIpynbNotebook(text, PATH);
    expect(result.value).toBeNull();
    // The 65th level: the file's `{` and the metadata's are two, so the 63rd bracket (column 20 + 62).
    expect(diagnosticsOf(text)).toEqual(['error ipynb.too-deep 4:82']);
    expect(result.diagnostics[0]!.message).toContain('more than 64 levels');
  });

  it('reads a notebook nesting 64 levels, and refuses 65, in a cell’s metadata as well', () => {
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    // The file, the cells list, the cell and its metadata are four levels: 60 more fit.
    const cell = (n: number) => notebook([{ cell_type: 'code', source: 'x', metadata: { x: JSON.parse(nested(n)) } }]);
    expect(ok(cell(60)).cells).toHaveLength(1);
    expect(diagnosticsOf(cell(61))).toEqual([expect.stringMatching(/^error ipynb\.too-deep \d+:\d+$/)]);
  });
});
