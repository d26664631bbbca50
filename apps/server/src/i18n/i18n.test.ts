import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { fr } from './fr.ts';
import { localizeFragment, negotiateLanguage, translator } from './index.ts';

const RENDER_SRC = join(import.meta.dirname, '../../../../packages/render/src');

describe('UI strings', () => {
  it('has every key in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(fr).sort());
    for (const catalogue of [fr, en]) for (const text of Object.values(catalogue)) expect(text.trim()).not.toBe('');
  });

  it('has a catalogue entry for every UI-string marker the renderer writes into stored pages', () => {
    const keys = new Set<string>();
    for (const file of readdirSync(RENDER_SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      for (const m of readFileSync(join(RENDER_SRC, file), 'utf8').matchAll(/\bui\('([\w.-]+)'\)/g)) keys.add(m[1]!);
    }
    expect(keys.size).toBeGreaterThan(5);
    for (const key of keys) expect(fr).toHaveProperty([key]);
  });

  it('fills markers in the reader’s language and leaves unknown ones visible to tests', () => {
    const html = '<summary>\uE000notebook.showCode\uE001</summary>';
    expect(localizeFragment(html, translator('fr'))).toBe('<summary>Afficher le code</summary>');
    expect(localizeFragment(html, translator('en'))).toBe('<summary>Show the code</summary>');
  });

  it('interpolates parameters', () => {
    expect(translator('en')('course.week', { n: 3 })).toBe('Week 3');
  });
});

describe('language negotiation', () => {
  it.each([
    [undefined, undefined, 'fr'],
    [undefined, 'en-US,en;q=0.9', 'en'],
    [undefined, 'de-DE,en;q=0.8,fr;q=0.9', 'fr'],
    [undefined, 'de, es', 'fr'],
    [undefined, 'en;q=0, fr;q=0.1', 'fr'],
    ['en', 'fr', 'en'],
    ['xx', 'en', 'en'],
  ])('cookie %s, Accept-Language %s → %s', (cookie, accept, expected) => {
    expect(negotiateLanguage(cookie, accept)).toBe(expected);
  });
});
