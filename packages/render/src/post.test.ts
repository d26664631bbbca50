import { describe, expect, it } from 'vitest';
import { $, $$, attributeNames, parse, tagNames, text } from './testing.ts';
import { renderPost } from './post.ts';

describe('renderPost', () => {
  it('renders markdown, highlighted code and math', () => {
    const html = renderPost(
      '# Titre\n\nUn **mot**, `x = 1`, $x^2$ et https://docs.python.org.\n\n```python\ndef f():\n    return 1\n```\n',
    );
    const doc = parse(html);
    expect(text($(doc, 'h3'))).toBe('Titre');
    expect(text($(doc, 'strong'))).toBe('mot');
    expect($$(doc, '.tok-keyword').map(text)).toContain('def');
    expect($$(doc, '.katex')).not.toHaveLength(0);
    expect($(doc, 'p a').attribs).toEqual({
      href: 'https://docs.python.org',
      rel: 'nofollow ugc noopener noreferrer',
    });
  });

  it('shows raw HTML as text and keeps no script, handler, style, class or id of the author', () => {
    const attacks = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[x](javascript:alert(1))',
      '[x](data:text/html,<script>alert(1)</script>)',
      '<a href="#" class="button" id="login" style="position:fixed">Se connecter</a>',
      '![pixel](https://tracker.example.org/p.gif)',
      '```python\n</code></pre><script>alert(1)</script>\n```',
      '$\\href{javascript:alert(1)}{x}$',
      '\uE002forged:0\uE003 &#xE002;k:0&#xE003;',
    ];
    for (const attack of attacks) {
      const html = renderPost(attack);
      expect(tagNames(html).filter((t) => ['script', 'img', 'iframe', 'style'].includes(t))).toEqual([]);
      // KaTeX's own output positions glyphs with style attributes; the author's never survive.
      expect(attributeNames(html).filter((a) => a.startsWith('on') || a === 'id')).toEqual([]);
      expect(html).not.toMatch(/(href|src)="?\s*(javascript|data):/i);
      expect(html).not.toMatch(/[\uE000-\uE005]/);
    }
    // The author's classes are gone; only ours (highlighting, math) remain.
    expect(tagNames(renderPost('<a class="button">x</a>'))).toEqual(['p']);
    // A picture is a link to it, never loaded.
    const doc = parse(renderPost('![pixel](https://tracker.example.org/p.gif)'));
    expect($(doc, 'a').attribs['href']).toBe('https://tracker.example.org/p.gif');
    expect(text($(doc, 'a'))).toBe('pixel');
  });
});
