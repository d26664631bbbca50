import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';
import { $, $$, courseOf, linksOf, myst, parse, recordingEnv, text } from './testing.ts';

const course = courseOf({
  'w1/w1-s1-c1-intro.md': myst('# Intro'),
  'media/chat.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
  'media/schema.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'data/notes.txt': 'notes',
});

function render(source: string, language = 'en') {
  const { env, reports } = recordingEnv(language);
  const html = renderMarkdown(source, env, linksOf(course).resolver('w1', env));
  return { html, reports, doc: parse(html) };
}

const classesOf = (el: { attribs: Record<string, string> }): string[] => (el.attribs['class'] ?? '').split(' ');

describe('admonitions', () => {
  it('renders {admonition} Title with :class: dropdown as a closed <details>', () => {
    const { doc } = render('```{admonition} Pour aller plus loin\n:class: dropdown\n\nUn **détail**.\n```');
    const details = $(doc, 'details');
    expect(classesOf(details)).toEqual(['admonition', 'note', 'dropdown']);
    expect('open' in details.attribs).toBe(false);
    expect(text($(details, 'summary.admonition-title'))).toBe('Pour aller plus loin');
    expect(text($(details, '.admonition-body strong'))).toBe('détail');
  });

  it('opens a dropdown that says :open:', () => {
    const { doc } = render('```{admonition} Ouvert\n:class: dropdown\n:open:\nTexte\n```');
    expect('open' in $(doc, 'details').attribs).toBe(true);
  });

  it('styles {admonition} with :class: tip dropdown as a tip (not as a note)', () => {
    const { doc } = render('```{admonition} Astuce maison\n:class: tip dropdown\nCorps\n```');
    const details = $(doc, 'details');
    expect(classesOf(details)).toEqual(['admonition', 'tip', 'dropdown']);
    expect(text($(details, 'summary'))).toBe('Astuce maison');
  });

  it('styles {admonition} with :class: danger (and dropdown warning) by that class', () => {
    const danger = $(render('```{admonition} Attention !\n:class: danger\nCorps\n```').doc, 'div.admonition');
    expect(classesOf(danger)).toEqual(['admonition', 'danger']);
    expect(danger.attribs['role']).toBe('note');
    expect(text($(danger, 'p.admonition-title'))).toBe('Attention !');
    expect(text($(danger, '.admonition-body'))).toBe('Corps\n');

    const warning = $(render('```{admonition} Piège\n:class: dropdown warning\nCorps\n```').doc, 'details');
    expect(classesOf(warning)).toEqual(['admonition', 'warning', 'dropdown']);
  });

  const KINDS: [string, string, string][] = [
    ['note', 'Remarque', 'Note'],
    ['tip', 'Astuce', 'Tip'],
    ['warning', 'Avertissement', 'Warning'],
    ['attention', 'Attention', 'Attention'],
    ['danger', 'Danger', 'Danger'],
    ['seealso', 'Voir aussi', 'See also'],
    ['hint', 'Indice', 'Hint'],
    ['important', 'Important', 'Important'],
  ];
  for (const [kind, fr, en] of KINDS) {
    it(`gives {${kind}} its default title: "${fr}" in French, "${en}" in English`, () => {
      for (const [language, title] of [
        ['fr', fr],
        ['en', en],
      ] as const) {
        const box = $(render(`\`\`\`{${kind}}\nLe corps.\n\`\`\``, language).doc, 'div.admonition');
        expect(classesOf(box)).toEqual(['admonition', kind]);
        expect(text($(box, '.admonition-title'))).toBe(title);
        expect(text($(box, '.admonition-body p'))).toBe('Le corps.');
      }
    });
  }

  it('uses the argument as the title, with inline markdown, instead of the default', () => {
    // (A backtick fence's info cannot hold a backtick, as in CommonMark; a colon fence's can.)
    const box = $(render(':::{warning} Ne pas *modifier* `x`\nCorps\n:::', 'fr').doc, 'div.admonition');
    expect(text($(box, '.admonition-title'))).toBe('Ne pas modifier x');
    expect(text($(box, '.admonition-title em'))).toBe('modifier');
    expect(text($(box, '.admonition-title code'))).toBe('x');
  });

  it('highlights a ```python fence nested in a 4-backtick admonition', () => {
    const source = [
      '````{admonition} Exemple',
      ':class: tip',
      '',
      '```python',
      'print("<b>")',
      '```',
      '',
      'Fin.',
      '````',
    ].join('\n');
    const { doc } = render(source);
    const pre = $(doc, 'div.admonition.tip .admonition-body pre.code');
    expect(pre.attribs['data-lang']).toBe('python');
    expect(text(pre)).toBe('print("<b>")');
    expect($$(pre, '.tok-string').map(text)).toEqual(['"<b>"']);
    expect($$(doc, 'b')).toHaveLength(0);
    expect(text($(doc, '.admonition-body p'))).toBe('Fin.');
  });

  it('renders :::{note} colon fences', () => {
    const { doc } = render(':::{note}\nDans une *note*.\n:::\n\nAprès.', 'fr');
    const box = $(doc, 'div.admonition.note');
    expect(text($(box, '.admonition-title'))).toBe('Remarque');
    expect(text($(box, 'em'))).toBe('note');
    expect($$(doc, 'p').map(text).at(-1)).toBe('Après.');
  });

  it('nests colon fences: more colons enclose fewer', () => {
    const { doc } = render(
      ['::::{warning} Dehors', ':::{tip}', 'Dedans', ':::', 'Encore dehors', '::::', 'Hors de tout'].join('\n'),
    );
    const outer = $(doc, 'div.admonition.warning');
    const inner = $(outer, 'div.admonition.tip');
    expect(text($(inner, '.admonition-body'))).toBe('Dedans\n');
    expect($$(outer, 'p').map(text)).toEqual(['Dehors', 'Tip', 'Dedans', 'Encore dehors']);
    expect(text($$(doc, 'p').at(-1)!)).toBe('Hors de tout');
  });
});

describe('image, figure and code directives', () => {
  it('renders {image} with align, width and height, its path resolved to the course file', () => {
    const { doc, reports } = render(
      '```{image} media/chat.png\n:align: center\n:width: 200px\n:height: 150\n:alt: Un chat\n```',
    );
    const img = $(doc, 'p.directive-image img');
    expect(img.attribs).toEqual({
      src: '/c/file/media/chat.png',
      alt: 'Un chat',
      width: '200',
      height: '150',
      class: 'align-center',
      loading: 'lazy',
    });
    expect(reports).toEqual([]);
  });

  it('ignores width values that are not sizes', () => {
    const img = $(render('```{image} media/chat.png\n:width: 100" onload="alert(1)\n```').doc, 'img');
    expect(img.attribs['width']).toBeUndefined();
    expect(Object.keys(img.attribs)).not.toContain('onload');
  });

  it('renders {figure} with its caption body as markdown', () => {
    const { doc } = render(
      '````{figure} media/schema.svg\n:width: 300\n:align: right\n:name: fig-schema\n\nLe *schéma*.\n````',
    );
    const figure = $(doc, 'figure');
    expect(classesOf(figure)).toEqual(['figure', 'align-right']);
    expect(figure.attribs['id']).toBe('fig-schema');
    expect($(figure, 'img').attribs).toMatchObject({ src: '/c/file/media/schema.svg', width: '300' });
    expect($(figure, 'img').attribs['class']).toBeUndefined();
    expect(text($(figure, 'figcaption'))).toBe('Le schéma.\n');
    expect(text($(figure, 'figcaption em'))).toBe('schéma');
  });

  it('renders {code} python as highlighted code', () => {
    const pre = $(render('```{code} python\ndef f(x):\n    return x\n```').doc, 'pre.code');
    expect(pre.attribs['data-lang']).toBe('python');
    expect($$(pre, '.tok-keyword').map(text)).toEqual(['def', 'return']);
    expect(text(pre)).toBe('def f(x):\n    return x');
  });

  it('shows an unknown directive as escaped code and warns', () => {
    const { doc, reports } = render('```{mermaid}\ngraph <b>TD</b>\n```');
    const pre = $(doc, 'pre.code');
    expect(text(pre)).toBe('graph <b>TD</b>');
    expect($$(doc, 'b')).toHaveLength(0);
    expect(reports).toEqual([
      { code: 'render.unknown-directive', message: expect.stringContaining('{mermaid}'), needle: '{mermaid}' },
    ]);
  });

  it('drops table-of-contents directives silently', () => {
    const { html, reports } = render('```{toctree}\nw1/a\n```\n\nTexte');
    expect(html).toBe('<p>Texte</p>\n');
    expect(reports).toEqual([]);
  });
});

describe('roles', () => {
  it('renders {math}, {sub}, {sup} and {kbd}', () => {
    const { doc } = render('Aire {math}`\\pi r^2`, H{sub}`2`O, m{sup}`2`, {kbd}`Ctrl`');
    expect($$(doc, 'annotation').map(text)).toEqual(['\\pi r^2']);
    expect(text($(doc, 'sub'))).toBe('2');
    expect(text($(doc, 'sup'))).toBe('2');
    expect(text($(doc, 'kbd'))).toBe('Ctrl');
  });

  it('renders {download} as a download link to the course file', () => {
    const { doc, reports } = render('{download}`les notes <data/notes.txt>` et {download}`data/notes.txt`');
    expect($$(doc, 'a').map((a) => [text(a), a.attribs['href'], a.attribs['download']])).toEqual([
      ['les notes', '/c/file/data/notes.txt', ''],
      ['data/notes.txt', '/c/file/data/notes.txt', ''],
    ]);
    expect(reports).toEqual([]);
  });

  it('escapes role text and drops script URLs given to {download}', () => {
    const { doc } = render('{sub}`<img src=x onerror=alert(1)>` {download}`clic <javascript:alert(1)>`');
    expect(text($(doc, 'sub'))).toBe('<img src=x onerror=alert(1)>');
    expect($$(doc, 'img')).toHaveLength(0);
    expect($(doc, 'a').attribs['href']).toBeUndefined();
  });

  it('shows unknown roles as their text', () => {
    const span = $(render('{ref}`ma-section`').doc, 'span.role');
    expect(classesOf(span)).toEqual(['role', 'role-ref']);
    expect(text(span)).toBe('ma-section');
  });
});
