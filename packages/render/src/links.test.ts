import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';
import { $, $$, courseOf, ipynb, linksOf, myst, parse, recordingEnv, text } from './testing.ts';
import type { CourseModel } from '@carnet/course-format';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

/** The MOOC's shape: week folders, shared data/ and media/ (no symlinks: static mappings apply). */
const course = courseOf({
  'w1/w1-s1-c1-intro.md': myst('# Intro'),
  'w1/w1-s2-c1-x.md': myst('# X\n\n## Partie'),
  'w1/w1-s3-c1-legacy.md': myst('# Legacy, once an .ipynb'),
  'w1/w1-s4-q1-quiz.quiz': '( ) non\n(x) oui\n',
  'w1/local.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'w2/y.md': myst('# Y'),
  'w2/w2-s1-c1-deck.ipynb': ipynb([{ cell_type: 'markdown', id: 'a', metadata: {}, source: '# Deck' }]),
  'data/agenda.txt': 'lundi',
  'media/x.png': PNG,
  'modules/corrections/exo_w1.py': 'SOLUTION = 42\n',
  'modules/outils.py': 'def f(): pass\n',
});

function render(source: string, options: { dir?: string; model?: CourseModel } = {}) {
  const { env, reports } = recordingEnv('fr');
  const html = renderMarkdown(source, env, linksOf(options.model ?? course).resolver(options.dir ?? 'w1', env));
  return { html, doc: parse(html), reports };
}

function link(source: string, dir = 'w1') {
  const { doc, reports } = render(source, { dir });
  return { a: $(doc, 'a'), reports };
}

describe('CourseLinks: links between notebooks', () => {
  it('sends a link to a notebook of the same week to its page, fragment kept', () => {
    const { a, reports } = link('[suite](w1-s2-c1-x.md#partie)');
    expect(a.attribs).toEqual({ href: '/c/item/w1/w1-s2-c1-x#partie' });
    expect(text(a)).toBe('suite');
    expect(reports).toEqual([]);
  });

  it('sends ../w2/y.md to the other week’s page', () => {
    expect(link('[y](../w2/y.md)').a.attribs['href']).toBe('/c/item/w2/y');
    expect(link('[y](./../w2/y.md)').a.attribs['href']).toBe('/c/item/w2/y');
  });

  it('finds x.md when the link says x.ipynb (and the reverse), dropping the query', () => {
    expect(link('[l](w1-s3-c1-legacy.ipynb?v=2#top)').a.attribs['href']).toBe('/c/item/w1/w1-s3-c1-legacy#top');
    expect(link('[d](../w2/w2-s1-c1-deck.md)').a.attribs['href']).toBe('/c/item/w2/w2-s1-c1-deck');
  });

  it('resolves from the folder of the document, not from the course root', () => {
    expect(link('[x](w1/w1-s2-c1-x.md)', '').a.attribs['href']).toBe('/c/item/w1/w1-s2-c1-x');
    const { a, reports } = link('[x](w1/w1-s2-c1-x.md)', 'w2');
    expect(a.attribs['href']).toBe('w1/w1-s2-c1-x.md');
    expect(reports.map((r) => r.code)).toEqual(['render.broken-link']);
  });

  it('sends a link to a quiz to the quiz page (its public form), never to the .quiz file', () => {
    const { a, reports } = link('[le quiz](w1-s4-q1-quiz.quiz)');
    expect(a.attribs['href']).toBe('/c/item/w1/w1-s4-q1-quiz');
    expect(reports).toEqual([]);
  });
});

describe('CourseLinks: files', () => {
  it('makes data/… links download links to the stored file', () => {
    const { a, reports } = link('[l’agenda](data/agenda.txt)');
    expect(a.attribs).toEqual({ href: '/c/file/data/agenda.txt', download: '' });
    expect(reports).toEqual([]);
    expect(link('[a](../data/agenda.txt)').a.attribs).toEqual({ href: '/c/file/data/agenda.txt', download: '' });
  });

  it('resolves media/x.png from a week folder without symlinks, through the static mapping', () => {
    const { doc, reports } = render('![un dessin](media/x.png)');
    expect($(doc, 'img').attribs).toEqual({ src: '/c/file/media/x.png', alt: 'un dessin', loading: 'lazy' });
    expect(reports).toEqual([]);
  });

  it('resolves media/x.png through the week’s symlink too', () => {
    const linked = courseOf({ 'w1/w1-s1-c1-intro.md': myst('# I'), 'media/x.png': PNG }, { 'w1/media': 'media' });
    const { doc, reports } = render('![](media/x.png)', { model: linked });
    expect($(doc, 'img').attribs['src']).toBe('/c/file/media/x.png');
    expect(reports).toEqual([]);
  });

  it('resolves a same-folder image, in markdown and in raw HTML', () => {
    const { doc } = render('![](local.svg) <img src="./local.svg" alt="s">');
    expect($$(doc, 'img').map((i) => i.attribs['src'])).toEqual(['/c/file/w1/local.svg', '/c/file/w1/local.svg']);
  });

  it('links ordinary course modules without download', () => {
    expect(link('[outils](../modules/outils.py)').a.attribs).toEqual({ href: '/c/file/modules/outils.py' });
  });

  it('never links an exercise module (it holds the solutions): warns, href #', () => {
    const { a, reports } = link('[la solution](../modules/corrections/exo_w1.py)');
    expect(a.attribs).toEqual({ href: '#' });
    expect(text(a)).toBe('la solution');
    expect(reports).toEqual([
      {
        code: 'render.private-link',
        message: expect.stringContaining('never served'),
        needle: '../modules/corrections/exo_w1.py',
      },
    ]);
  });

  it('warns about a link or image to nothing and leaves it as written', () => {
    const { doc, reports } = render('[perdu](w1-s9-c1-absent.md) ![](media/absent.png) [haut](../../etc/passwd)');
    expect($$(doc, 'a').map((a) => a.attribs['href'])).toEqual(['w1-s9-c1-absent.md', '../../etc/passwd']);
    expect($(doc, 'img').attribs['src']).toBe('media/absent.png');
    expect(reports.map((r) => [r.code, r.needle])).toEqual([
      ['render.broken-link', 'w1-s9-c1-absent.md'],
      ['render.broken-link', 'media/absent.png'],
      ['render.broken-link', '../../etc/passwd'],
    ]);
    expect(reports[1]!.message).toBe('The image "media/absent.png" points to no file of the course.');
  });

  it('leaves in-page anchors, site paths and mailto alone, without warnings', () => {
    const { doc, reports } = render('[a](#partie) [b](/aide) [c](mailto:equipe@example.org)');
    expect($$(doc, 'a').map((a) => a.attribs)).toEqual([
      { href: '#partie' },
      { href: '/aide' },
      { href: 'mailto:equipe@example.org' },
    ]);
    expect(reports).toEqual([]);
  });

  it('marks external links rel="noopener noreferrer"', () => {
    const { doc } = render('[doc](https://docs.python.org/fr/3/) <a href="http://example.com" rel="opener">x</a>');
    expect($$(doc, 'a').map((a) => a.attribs)).toEqual([
      { href: 'https://docs.python.org/fr/3/', rel: 'noopener noreferrer' },
      { href: 'http://example.com', rel: 'noopener noreferrer' },
    ]);
  });
});

describe('CourseLinks: attachments', () => {
  it('turns attachment: images into data URLs, and warns about missing ones', () => {
    const { env, reports } = recordingEnv();
    const resolve = linksOf(course).resolver('w2', env, {
      'graphe 1.png': { 'image/png': 'iVBORw0K\nGgo=', 'text/plain': 'x' },
      'note.txt': { 'text/plain': 'pas une image' },
      '100%.png': { 'image/png': 'AAAA' },
    });
    const html = renderMarkdown(
      // Markdown percent-encodes `100%.png`; raw HTML keeps a malformed `%`, which must not throw.
      '![g](attachment:graphe%201.png) ![t](attachment:note.txt) ![m](attachment:absente.png) ![c](attachment:100%.png) <img src="attachment:50%.png" alt="h">',
      env,
      resolve,
    );
    expect($$(html, 'img').map((i) => [i.attribs['alt'], i.attribs['src']])).toEqual([
      ['g', 'data:image/png;base64,iVBORw0KGgo='],
      ['t', undefined],
      ['m', undefined],
      ['c', 'data:image/png;base64,AAAA'],
      ['h', undefined],
    ]);
    expect(reports.map((r) => [r.code, r.needle])).toEqual([
      ['render.missing-attachment', 'attachment:note.txt'],
      ['render.missing-attachment', 'attachment:absente.png'],
      ['render.missing-attachment', 'attachment:50%.png'],
    ]);
  });
});
