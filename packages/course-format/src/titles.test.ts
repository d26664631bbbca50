import { describe, expect, it } from 'vitest';
import type { Cell, Notebook } from './notebook/model.ts';
import { firstHeading, guessLanguage, notebookTitle, plainText } from './titles.ts';

function notebook(markdown: string[], metadata: Notebook['metadata'] = {}, code: string[] = []): Notebook {
  const base = (index: number) => ({ index, id: `cell-${index}`, line: index + 1, metadata: {}, tags: [] });
  const cells: Cell[] = [
    ...code.map((source, i): Cell => ({
      ...base(i),
      type: 'code',
      source,
      language: 'python',
      outputs: [],
      executionCount: null,
    })),
    ...markdown.map((source, i): Cell => ({ ...base(code.length + i), type: 'markdown', source, attachments: {} })),
  ];
  return { path: 'w1/x.md', format: 'myst', metadata, cells };
}

describe('notebookTitle', () => {
  it('takes the first heading as title and nbhosting.title as the menu title', () => {
    const nb = notebook(['<div class="licence">…</div>', '# Les chaînes de caractères\n\ntext'], {
      nbhosting: { title: '  Chaînes ' },
    });
    expect(notebookTitle(nb, 'w1/w1-s2-c1-chaines.md')).toEqual({
      title: 'Les chaînes de caractères',
      menuTitle: 'Chaînes',
    });
  });

  it('uses each for the other when one is missing, then the file name', () => {
    expect(notebookTitle(notebook(['## Only a heading']), 'w1/a.md')).toEqual({
      title: 'Only a heading',
      menuTitle: 'Only a heading',
    });
    expect(notebookTitle(notebook(['text'], { nbhosting: { title: 'Short' } }), 'w1/a.md')).toEqual({
      title: 'Short',
      menuTitle: 'Short',
    });
    expect(notebookTitle(notebook(['text'], { nbhosting: { title: 3 } }), 'w1/w1-s1-c1-intro.md')).toEqual({
      title: 'w1-s1-c1-intro',
      menuTitle: 'w1-s1-c1-intro',
    });
    expect(notebookTitle(notebook([]), 'w5/slides.ipynb').title).toBe('slides');
  });

  it('does not take a heading from a code cell', () => {
    expect(notebookTitle(notebook(['# Real'], {}, ['# a Python comment']), 'x.md').title).toBe('Real');
  });
});

describe('firstHeading', () => {
  it('reads ATX headings, closing # sequences removed', () => {
    expect(firstHeading(notebook(['intro', '### Title ###']))).toBe('Title');
    expect(firstHeading(notebook(['   # Indented']))).toBe('Indented');
    expect(firstHeading(notebook(['#NoSpace', '# Then this']))).toBe('Then this');
  });

  it('keeps a # that ends a word: # C#', () => {
    expect(firstHeading(notebook(['# Python et C#']))).toBe('Python et C#');
    expect(firstHeading(notebook(['## Exercice #2 ##']))).toBe('Exercice #2');
  });

  it('reads setext headings', () => {
    expect(firstHeading(notebook(['Le titre\n========\n\ntext']))).toBe('Le titre');
  });

  it('skips headings inside fences, and 4-space code', () => {
    expect(firstHeading(notebook(['```python\n# comment\n```\n\n````\n```\n# still code\n```\n````\n# After']))).toBe(
      'After',
    );
    expect(firstHeading(notebook(['~~~\n# in tilde fence\n~~~\n## Real']))).toBe('Real');
    expect(firstHeading(notebook(['    # indented code\n\ntext']))).toBe('');
  });

  it('is empty without a heading', () => {
    expect(firstHeading(notebook(['just text', '']))).toBe('');
  });
});

describe('plainText', () => {
  it('strips emphasis, links, images and HTML', () => {
    expect(plainText('Les *listes* et les **tuples** ~~et~~ [la doc](https://docs.python.org) <em>!</em>')).toBe(
      'Les listes et les tuples et la doc !',
    );
    expect(plainText('![logo](media/x.png) Titre')).toBe('logo Titre');
    expect(plainText('  a \n  b  ')).toBe('a b');
  });

  it('keeps code spans verbatim: underscores, dunder names, angle brackets', () => {
    expect(plainText('Les méthodes `__str__` et `__repr__`')).toBe('Les méthodes __str__ et __repr__');
    expect(plainText('La balise `<div>`')).toBe('La balise <div>');
    expect(plainText('``a ` b``')).toBe('a ` b');
  });

  it('keeps underscores inside words, and strips _emphasis_', () => {
    expect(plainText('La fonction is_prime')).toBe('La fonction is_prime');
    expect(plainText('Un _mot_ et __gras__')).toBe('Un mot et gras');
  });
});

describe('guessLanguage', () => {
  const item = (text: string) => ({ type: 'notebook', notebook: notebook([text]) });

  it('guesses French or English from the markdown', () => {
    expect(guessLanguage([item('Dans ce notebook, nous allons voir les listes et les tuples pour la suite.')])).toBe(
      'fr',
    );
    expect(guessLanguage([item('In this notebook, we see that the lists and the tuples are useful for you.')])).toBe(
      'en',
    );
  });

  it('says fr when nothing tells', () => {
    expect(guessLanguage([])).toBe('fr');
    expect(guessLanguage([{ type: 'quiz' }])).toBe('fr');
  });

  it('ignores code cells', () => {
    const nb = notebook(['le la les'], {}, ['the the the the the the # and is of to in']);
    expect(guessLanguage([{ type: 'notebook', notebook: nb }])).toBe('fr');
  });
});
