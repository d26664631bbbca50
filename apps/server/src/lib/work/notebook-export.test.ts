import { parseIpynbNotebook, parseMystNotebook, type Notebook } from '@carnet/course-format';
import { describe, expect, it } from 'vitest';
import { toIpynb, toMyst } from './notebook-export.ts';

const myst = `---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
nbhosting:
  title: Essai
---

# Titre

Du texte.

+++ {"tags": ["gridwidth-1-2"]}

Encore du texte.

\`\`\`{code-cell} ipython3
:tags: [raises-exception]

1 / 0
\`\`\`

\`\`\`{code-cell} ipython3
print("b")
\`\`\`
`;

const parse = (text: string): Notebook => parseMystNotebook(text, 'w1/essai.md').value!;
const codeOf = (nb: Notebook) => nb.cells.filter((c) => c.type === 'code').map((c) => [c.id, c.source, c.tags]);

describe('notebook export', () => {
  const notebook = parse(myst);
  const [first, second] = notebook.cells.filter((c) => c.type === 'code');

  it('writes MyST that reads back as the same notebook, with the learner’s code in place', () => {
    const text = toMyst(notebook, new Map([[second!.id, 'print("mine")']]));
    const back = parse(text);
    expect(back.cells.map((c) => [c.type, c.id])).toEqual(notebook.cells.map((c) => [c.type, c.id]));
    expect(codeOf(back)).toEqual([
      [first!.id, '1 / 0', ['raises-exception']],
      [second!.id, 'print("mine")', []],
    ]);
    expect(back.cells[1]!.tags).toEqual(['gridwidth-1-2']);
    expect(back.metadata['nbhosting']).toEqual({ title: 'Essai' });
    expect(text).toContain('+++ {"tags":["gridwidth-1-2"]}');
  });

  it('keeps awkward code intact: fences, leading colons and dashes, blank first lines, empty cells', () => {
    const awkward = [
      's = """\n```\ninside\n```\n"""',
      ':not_an_option = 1',
      '---1',
      '\n\nx = 1',
      '',
      'print("é 日本 🐍")',
    ];
    const cells = awkward.map((code, i) => [i % 2 === 0 ? first!.id : second!.id, code] as const);
    for (const [id, code] of cells) {
      const back = parse(toMyst(notebook, new Map([[id, code]])));
      expect(back.cells.find((c) => c.id === id)!.source).toBe(code);
    }
  });

  it('writes nbformat 4.5 with valid, unique cell ids, outputs kept only under unchanged code', () => {
    const ipynb = parseIpynbNotebook(
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 4,
        metadata: { kernelspec: { name: 'python3' } },
        cells: [
          { cell_type: 'markdown', metadata: {}, source: ['# T'] },
          {
            cell_type: 'code',
            metadata: { tags: ['x'] },
            source: 'print(1)',
            execution_count: 1,
            outputs: [{ output_type: 'stream', name: 'stdout', text: ['1\n'] }],
          },
          {
            cell_type: 'code',
            id: 'keep-me',
            metadata: {},
            source: 'print(2)',
            execution_count: 2,
            outputs: [{ output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 2 }],
          },
        ],
      }),
      'n.ipynb',
    ).value!;
    const out = JSON.parse(toIpynb(ipynb, new Map([['keep-me', 'print("changed")\nprint(3)']])));
    expect(out.nbformat).toBe(4);
    expect(out.nbformat_minor).toBe(5);
    expect(out.metadata.kernelspec).toEqual({ display_name: 'Python 3', language: 'python', name: 'python3' });
    const ids = out.cells.map((c: { id: string }) => c.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(out.cells[1]).toMatchObject({ source: ['print(1)'], outputs: [{ output_type: 'stream', text: ['1\n'] }] });
    expect(out.cells[1].metadata).toEqual({ tags: ['x'] });
    expect(out.cells[2]).toMatchObject({
      id: 'keep-me',
      source: ['print("changed")\n', 'print(3)'],
      outputs: [],
      execution_count: null,
    });
    // It reads back as a notebook.
    const back = parseIpynbNotebook(JSON.stringify(out), 'n.ipynb').value!;
    expect(back.cells.map((c) => c.source)).toEqual(['# T', 'print(1)', 'print("changed")\nprint(3)']);
    // MyST ids that nbformat refuses are made valid.
    const odd = parse(
      myst.replace('```{code-cell} ipython3\nprint("b")', '```{code-cell} ipython3\n:id: mon id à moi\nprint("b")'),
    );
    const fromOdd = JSON.parse(toIpynb(odd, new Map()));
    for (const c of fromOdd.cells) expect(c.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
