import { describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown } from './markdown.ts';
import { $, $$, courseOf, linksOf, myst, parse, recordingEnv, text } from './testing.ts';

/** A one-notebook course: links resolve as in a real import, from the week folder. */
const course = courseOf({ 'w1/w1-s1-c1-intro.md': myst('# Intro') });

function render(source: string, language = 'en') {
  const { env, reports } = recordingEnv(language);
  const html = renderMarkdown(source, env, linksOf(course).resolver('w1', env));
  return { html, reports, env, doc: parse(html) };
}

describe('renderMarkdown: CommonMark and GFM', () => {
  it('renders pipe tables with their column alignment', () => {
    const { doc } = render(['| gauche | centre | droite |', '|:--|:-:|--:|', '| 1 | 2 | 3 |'].join('\n'));
    expect($$(doc, 'th').map(text)).toEqual(['gauche', 'centre', 'droite']);
    expect($$(doc, 'th').map((th) => th.attribs['style'])).toEqual([
      'text-align:left',
      'text-align:center',
      'text-align:right',
    ]);
    expect($$(doc, 'tbody td').map((td) => [text(td), td.attribs['style']])).toEqual([
      ['1', 'text-align:left'],
      ['2', 'text-align:center'],
      ['3', 'text-align:right'],
    ]);
  });

  it('renders ~~strikethrough~~', () => {
    const { doc } = render('avant ~~barré~~ après');
    expect(text($(doc, 's'))).toBe('barré');
    expect(text($(doc, 'p'))).toBe('avant barré après');
  });

  it('turns two trailing spaces into a hard break, and a plain newline into a soft one', () => {
    const { html } = render('ligne un  \nligne deux\nligne trois');
    expect(html).toMatch(/ligne un<br \/>\nligne deux\nligne trois/);
    expect(html.match(/<br/g)).toHaveLength(1);
  });

  it('links autolinks <https://…> and bare URLs, marked as external', () => {
    const { doc } = render('Voir <https://docs.python.org/3/> ou https://example.com/page?x=1 ; pas www.example.com');
    expect($$(doc, 'a').map((a) => [a.attribs['href'], text(a), a.attribs['rel']])).toEqual([
      ['https://docs.python.org/3/', 'https://docs.python.org/3/', 'noopener noreferrer'],
      ['https://example.com/page?x=1', 'https://example.com/page?x=1', 'noopener noreferrer'],
    ]);
  });

  it('keeps the licence block intact', () => {
    const licence = '<div class="licence"><span>Licence CC BY-NC-ND</span><span>Thierry Parmentelat</span></div>';
    const { html, reports } = render(licence);
    expect(html.trim()).toBe(licence);
    expect(reports).toEqual([]);
  });

  it('keeps the inline HTML the course uses: <em>, <a>', () => {
    const { doc } = render('En <em>Unicode</em>, voir <a href="https://docs.python.org/fr/3/">la doc</a>.');
    expect(text($(doc, 'em'))).toBe('Unicode');
    expect($(doc, 'a').attribs).toEqual({ href: 'https://docs.python.org/fr/3/', rel: 'noopener noreferrer' });
  });
});

describe('renderMarkdown: headings', () => {
  it('gives headings ids from their text, accents kept, duplicates numbered', () => {
    const { doc, env } = render('# Les chaînes\n\n## Exemple\n\n## Exemple\n\n### Exemple !\n\n## `len()` et *co*');
    expect($$(doc, 'h1').map((h) => h.attribs['id'])).toEqual(['les-chaînes']);
    expect($$(doc, 'h2').map((h) => h.attribs['id'])).toEqual(['exemple', 'exemple-2', 'len-et-co']);
    expect($(doc, 'h3').attribs['id']).toBe('exemple-3');
    expect(env.headings).toEqual([
      { level: 1, text: 'Les chaînes', id: 'les-chaînes' },
      { level: 2, text: 'Exemple', id: 'exemple' },
      { level: 2, text: 'Exemple', id: 'exemple-2' },
      { level: 3, text: 'Exemple !', id: 'exemple-3' },
      { level: 2, text: 'len() et co', id: 'len-et-co' },
    ]);
  });

  it('keeps ids unique across the cells of one document (one env)', () => {
    const { env } = recordingEnv();
    const resolve = linksOf(course).resolver('w1', env);
    const first = renderMarkdown('## Résumé', env, resolve);
    const second = renderMarkdown('## Résumé', env, resolve);
    expect($(first, 'h2').attribs['id']).toBe('résumé');
    expect($(second, 'h2').attribs['id']).toBe('résumé-2');
  });

  it('leaves headings inside admonitions, colon fences and block quotes out of the outline', () => {
    const source = [
      '# Page',
      '',
      '```{note}',
      '## Inside a note',
      '```',
      '',
      ':::{tip}',
      '### Inside a tip',
      ':::',
      '',
      '> ## Quoted',
      '',
      '## After',
    ].join('\n');
    const { doc, env } = render(source);
    expect(env.headings.map((h) => h.text)).toEqual(['Page', 'After']);
    // They still get ids, unique with the rest.
    expect($$(doc, '.admonition h2').map((h) => h.attribs['id'])).toEqual(['inside-a-note']);
    expect($$(doc, '.admonition h3').map((h) => h.attribs['id'])).toEqual(['inside-a-tip']);
  });
});

/** The TeX sources KaTeX rendered, in order (from its MathML annotations). */
function formulas(html: string): string[] {
  return $$(html, 'annotation').map(text);
}

describe('renderMarkdown: math', () => {
  it('renders inline $…$ with KaTeX (HTML and MathML), inside the paragraph', () => {
    const { doc, html } = render('Le carré $x^2$ est positif.');
    expect(formulas(html)).toEqual(['x^2']);
    const katex = $(doc, 'p span.katex');
    expect($$(katex, 'math')).toHaveLength(1);
    expect($$(katex, '.katex-html')).toHaveLength(1);
    expect(text($(doc, 'p'))).toMatch(/^Le carré .*x.*2.* est positif\.$/s);
    expect(html).not.toContain('$');
  });

  it('renders a display $$…$$ block on one line or several', () => {
    const one = render('$$\\sum_{i=1}^n i$$');
    expect(formulas(one.html)).toEqual(['\\sum_{i=1}^n i']);
    expect($$(one.doc, 'div.math-display span.katex-display')).toHaveLength(1);

    const several = render('Avant.\n\n$$\n a + b\n = c\n$$\n\nAprès.');
    expect(formulas(several.html)).toEqual(['a + b\n= c']);
    expect($$(several.doc, 'div.math-display math[display=block]')).toHaveLength(1);
    expect($$(several.doc, 'p').map(text)).toEqual(['Avant.', 'Après.']);
  });

  it('renders \\begin{array} tables in display math', () => {
    const { html, reports } = render('$$\n\\begin{array}{cc}\na & b \\\\\nc & d\n\\end{array}\n$$');
    expect(reports).toEqual([]);
    expect($$(html, 'mtable mtr')).toHaveLength(2);
    expect($$(html, 'mtable mtr mtd').map(text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('renders $$…$$ inside a paragraph as display math there', () => {
    const { doc, html } = render('La somme $$a+b$$ vaut c.');
    expect(formulas(html)).toEqual(['a+b']);
    expect($$(doc, 'p .katex-display')).toHaveLength(1);
    expect($$(doc, 'div.math-display')).toHaveLength(0);
  });

  it('does not let a paragraph starting with $$x$$ swallow the paragraphs up to a later $$', () => {
    const { doc, html, reports } = render('$$a$$ est la formule.\n\nDu texte.\n\n$$\nb\n$$');
    expect(reports).toEqual([]);
    expect(formulas(html)).toEqual(['a', 'b']);
    expect($$(doc, 'p').map((p) => text(p).replace(/^.*?(?= est)/s, ''))).toEqual([' est la formule.', 'Du texte.']);
    expect($$(doc, 'div.math-display')).toHaveLength(1);
  });

  it('leaves prices as text: "between $5 and $10"', () => {
    const { html, reports } = render('It costs between $5 and $10.');
    expect(html).toBe('<p>It costs between $5 and $10.</p>\n');
    expect(reports).toEqual([]);
  });

  it('leaves prices as text even when real math follows in the paragraph', () => {
    const { doc, html, reports } = render('Between $5 and $10, and $x^2$ later.');
    expect(reports).toEqual([]);
    expect(formulas(html)).toEqual(['x^2']);
    expect(text($(doc, 'p')).startsWith('Between $5 and $10, and ')).toBe(true);
  });

  it('needs no space inside the dollars: "$ x $" is text', () => {
    expect(render('a $ x $ b').html).toBe('<p>a $ x $ b</p>\n');
  });

  it('shows \\$ as a dollar sign and lets \\$ appear inside math', () => {
    expect(render('Prix : \\$3 et \\$4').html).toBe('<p>Prix : $3 et $4</p>\n');
    const { html } = render('Le symbole $\\$ + 1$ ici');
    expect(formulas(html)).toEqual(['\\$ + 1']);
  });

  it('shows invalid TeX as a visible, escaped math-error element and warns', () => {
    const { doc, reports } = render('Une fraction $\\frac{1<b>$ cassée');
    const error = $(doc, 'code.math-error');
    expect(text(error)).toBe('\\frac{1<b>');
    expect(error.attribs['title']).toMatch(/expected '}'/);
    expect($$(doc, 'b')).toHaveLength(0);
    expect(reports).toEqual([
      {
        code: 'render.math',
        message: expect.stringMatching(/^This formula cannot be rendered: /),
        needle: '\\frac{1<b>',
      },
    ]);
  });

  it('does not run TeX commands that need trust (\\href, \\htmlClass)', () => {
    const { html } = render('$\\href{javascript:alert(1)}{x}$ and $\\htmlClass{evil}{y}$');
    expect(html).not.toMatch(/href="javascript:/i);
    expect($$(html, 'a')).toHaveLength(0);
    expect($$(html, '.evil')).toHaveLength(0);
  });
});

describe('private-use markers cannot be forged by content', () => {
  const UI_FORGERY = '\uE000quiz.hint\uE001';

  it('strips raw marker and placeholder characters from markdown', () => {
    const { html } = render(`Voici ${UI_FORGERY} et \uE0020\uE003 et $x$`);
    expect(html).not.toMatch(/[\uE000-\uE003]/);
    expect(text($(html, 'p'))).toMatch(/^Voici quiz\.hint et 0 et /);
  });

  it('strips markers and placeholders spelled as entities, in text and in attributes', () => {
    const { env } = recordingEnv();
    const resolve = linksOf(course).resolver('w1', env);
    // A first cell creates slot 0 (trusted KaTeX), which a forged placeholder would try to copy.
    renderMarkdown('$x$', env, resolve);
    const html = renderMarkdown(
      [
        'Texte &#xE000;quiz.hint&#xE001; et &#xE002;0&#xE003; et &#57346;0&#57347;',
        '',
        '<span title="&#xE002;0&#xE003;">t</span> <b>&#xE000;quiz.hint&#xE001;</b>',
        '',
        '[lien](https://example.com "&#xE002;0&#xE003;")',
      ].join('\n'),
      env,
      resolve,
    );
    expect(html).not.toMatch(/[\uE000-\uE003]/);
    expect(html).not.toContain('katex');
    expect($(html, 'span').attribs['title']).toBe('0');
    expect($(html, 'a').attribs['title']).toBe('0');
    expect(text($(html, 'b'))).toBe('quiz.hint');
  });

  it('still fills the placeholders it made itself', () => {
    const { html } = render('$a$ ```code``` and\n\n```python\nx = 1\n```');
    expect(formulas(html)).toEqual(['a']);
    expect($$(html, 'pre.code span.tok-variableName').map(text)).toEqual(['x']);
  });

  it('strips entity-spelled markers from raw HTML (quiz text, outputs)', () => {
    const { env } = recordingEnv();
    const html = renderHtml('<p>&#xE000;quiz.hint&#xE001; \uE000quiz.hint\uE001</p>', env, () => null);
    expect(html).toBe('<p>quiz.hint quiz.hint</p>');
  });
});

describe('renderMarkdown: nesting past the limits', () => {
  it('keeps the text of quotes nested past markdown-it’s limit, and what follows, with a warning', () => {
    const source = ['Avant.', '', `${'>'.repeat(150)} PROFOND`, `${'>'.repeat(150)} encore`, '', 'APRÈS'].join('\n');
    const { doc, html, reports } = render(source);
    expect(html).toContain('PROFOND');
    expect(html).toContain('encore');
    expect(text($$(doc, 'p').at(-1)!)).toBe('APRÈS');
    expect(reports).toEqual([
      {
        code: 'render.too-deep',
        message: expect.stringContaining('more than 100 levels'),
        needle: `${'>'.repeat(150)} PROFOND`,
      },
    ]);
  });

  it('keeps the items of lists nested past the limit, and the paragraph after them', () => {
    const compact = render(`${'- '.repeat(150)}PROFOND\n\nAPRÈS`);
    expect(compact.html).toContain('PROFOND');
    expect(text($$(compact.doc, 'p').at(-1)!)).toBe('APRÈS');
    const indented = render(
      [...Array.from({ length: 80 }, (_, i) => `${'  '.repeat(i)}- item ${i}`), '', 'APRÈS'].join('\n'),
    );
    expect(indented.html).toContain('item 79');
    expect(text($$(indented.doc, 'p').at(-1)!)).toBe('APRÈS');
    expect(indented.reports.map((r) => r.code)).toEqual(['render.too-deep']);
  });

  it('renders a thousand nested directives without overflowing: past 16, their text, with a warning', () => {
    const n = 1000;
    const open = Array.from({ length: n }, (_, i) => `${':'.repeat(n + 3 - i)}{note}`);
    const close = Array.from({ length: n }, (_, i) => ':'.repeat(i + 4));
    const { doc, html, reports } = render([...open, 'PROFOND', ...close, '', 'APRÈS'].join('\n'));
    expect($$(doc, 'div.admonition')).toHaveLength(16);
    expect(html).toContain('PROFOND');
    expect(text($$(doc, 'p').at(-1)!)).toBe('APRÈS');
    expect(reports).toEqual([
      { code: 'render.too-deep', message: expect.stringContaining('more than 16 levels'), needle: open[16] },
    ]);
  });
});
