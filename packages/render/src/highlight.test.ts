import { describe, expect, it } from 'vitest';
import { codeBlock, highlight, languageOf } from './highlight.ts';
import { renderMarkdown } from './markdown.ts';
import { $, $$, parse, recordingEnv, text } from './testing.ts';

/** [token text, classes] for every highlighted span of a block. */
function tokens(root: Parameters<typeof $$>[0]): [string, string][] {
  return $$(root, 'span').map((s) => [text(s), s.attribs['class'] ?? '']);
}

function fence(info: string, code: string): string {
  const { env } = recordingEnv();
  return renderMarkdown(`\`\`\`${info}\n${code}\n\`\`\``, env, () => null);
}

describe('languageOf', () => {
  it('maps fence names and aliases to the grammars it has, case-insensitively', () => {
    expect(
      ['python', 'ipython3', 'py', 'pycon', 'C', 'c++', 'bash', 'sh', 'console', 'toml', 'json', 'yml', 'JS'].map(
        languageOf,
      ),
    ).toEqual([
      'python',
      'python',
      'python',
      'python',
      'c',
      'cpp',
      'shell',
      'shell',
      'shell',
      'toml',
      'json',
      'yaml',
      'javascript',
    ]);
  });

  it('reads the first word of the info string only, and knows no others', () => {
    expect(languageOf('python title="x.py"')).toBe('python');
    expect(languageOf('brainfuck')).toBeNull();
    expect(languageOf('')).toBeNull();
    expect(languageOf('__proto__')).toBeNull();
  });
});

describe('highlight', () => {
  it('gives python tokens the tok-* classes CodeMirror uses', () => {
    const html = highlight('def carre(x):\n    return x ** 2  # le carré\nprint("ok", True, None)', 'python');
    expect(tokens(html)).toEqual([
      ['def', 'tok-keyword'],
      ['carre', 'tok-variableName tok-definition'],
      ['(', 'tok-punctuation'],
      ['x', 'tok-variableName'],
      [')', 'tok-punctuation'],
      ['return', 'tok-keyword'],
      ['x', 'tok-variableName'],
      ['**', 'tok-operator'],
      ['2', 'tok-number'],
      ['# le carré', 'tok-comment'],
      ['print', 'tok-variableName'],
      ['(', 'tok-punctuation'],
      ['"ok"', 'tok-string'],
      [',', 'tok-punctuation'],
      ['True', 'tok-bool'],
      [',', 'tok-punctuation'],
      ['None', 'tok-keyword'],
      [')', 'tok-punctuation'],
    ]);
    // The text is unchanged, line breaks included.
    expect(text(parse(html))).toBe('def carre(x):\n    return x ** 2  # le carré\nprint("ok", True, None)');
  });

  it('escapes code text: a <script> in code is shown, never run', () => {
    const html = highlight('s = "<script>alert(1)</script>"  # <b>&amp;', 'python');
    expect(html).not.toMatch(/<script|<b>/);
    expect(text(parse(html))).toBe('s = "<script>alert(1)</script>"  # <b>&amp;');
  });

  it('escapes only, with no spans, for unknown languages', () => {
    expect(highlight('<script>x</script> & "q"', null)).toBe('&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;');
  });
});

describe('fenced code in markdown', () => {
  it('highlights ```ipython3 as python, IPython magics kept as text', () => {
    const html = fence('ipython3', '%timeit sum(range(10))');
    const pre = $(html, 'pre.code');
    expect(pre.attribs['data-lang']).toBe('python');
    expect(text(pre)).toBe('%timeit sum(range(10))');
    expect($$(pre, '.tok-number').map(text)).toEqual(['10']);
  });

  it('highlights ```C', () => {
    const pre = $(fence('C', 'int main(void) { return 0; }'), 'pre.code');
    expect(pre.attribs['data-lang']).toBe('c');
    expect(tokens(pre)).toEqual(
      expect.arrayContaining([
        ['int', 'tok-typeName'],
        ['return', 'tok-keyword'],
        ['0', 'tok-number'],
      ]),
    );
  });

  it('highlights ```bash', () => {
    const pre = $(fence('bash', 'echo "bonjour" | wc -c  # compte'), 'pre.code');
    expect(pre.attribs['data-lang']).toBe('shell');
    expect(tokens(pre)).toEqual(
      expect.arrayContaining([
        ['"bonjour"', 'tok-string'],
        ['# compte', 'tok-comment'],
      ]),
    );
  });

  it('highlights ```toml', () => {
    const pre = $(fence('toml', '[project]\nname = "carnet"\nversion = 1'), 'pre.code');
    expect(pre.attribs['data-lang']).toBe('toml');
    expect(tokens(pre)).toEqual(
      expect.arrayContaining([
        ['name', 'tok-propertyName'],
        ['"carnet"', 'tok-string'],
      ]),
    );
  });

  it('highlights ```json', () => {
    const pre = $(fence('json', '{"a": [1, true, null]}'), 'pre.code');
    expect(pre.attribs['data-lang']).toBe('json');
    expect(tokens(pre)).toEqual(
      expect.arrayContaining([
        ['"a"', 'tok-propertyName'],
        ['1', 'tok-number'],
        ['true', 'tok-bool'],
        ['null', 'tok-keyword'],
      ]),
    );
  });

  it('escapes an unknown language and labels the block with its name', () => {
    const html = fence('brainfuck', '<script>++</script>');
    const pre = $(html, 'pre.code');
    expect(pre.attribs['data-lang']).toBe('brainfuck');
    expect($$(pre, 'span')).toHaveLength(0);
    expect(text(pre)).toBe('<script>++</script>');
    expect(html).not.toContain('<script');
  });

  it('escapes a hostile info string in the data-lang label', () => {
    const pre = $(codeBlock('x', '"><script>alert(1)</script>'), 'pre');
    expect(pre.attribs['data-lang']).toBe('"><script>alert(1)</script>');
    expect($$(pre, 'script')).toHaveLength(0);
  });

  it('escapes indented code blocks', () => {
    const { env } = recordingEnv();
    const html = renderMarkdown('Texte\n\n    <script>alert(1)</script>', env, () => null);
    expect(text($(html, 'pre.code'))).toBe('<script>alert(1)</script>');
    expect(html).not.toContain('<script');
  });
});
