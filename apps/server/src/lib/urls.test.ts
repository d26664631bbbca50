import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeLocalPath } from './urls.ts';

describe('safeLocalPath', () => {
  it('keeps paths of this site and encodes letters of other scripts', () => {
    expect(safeLocalPath('/courses/demo/w1/w1-s1-c1-nombres?x=1&y=%2F#top')).toBe(
      '/courses/demo/w1/w1-s1-c1-nombres?x=1&y=%2F#top',
    );
    expect(safeLocalPath('/cours/été')).toBe('/cours/%C3%A9t%C3%A9');
    expect(safeLocalPath('/./x')).toBe('/./x');
  });

  it('sends anything else home', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'x',
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      '/a\0b',
      '/a\u000bb',
      '/a\u2028b',
      '/a\u3000b',
      '/a\u200db',
      '/a b',
      '/a%',
      '/a%4',
      '/a\ud800b',
      `/${'a'.repeat(2001)}`,
    ])
      expect(safeLocalPath(bad)).toBe('/');
  });

  it('always gives a same-site path that is a valid Location header (any string)', () => {
    const base = 'http://carnet.invalid';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary' }).map((s) => `/${s}`),
          fc.string({ unit: fc.constantFrom('/', '\\', '.', '%', '2', 'f', 'a', ':', '@', '?', '#', ' ', '\t') }),
        ),
        (next) => {
          const path = safeLocalPath(next);
          expect(path).toMatch(/^\/[\x21-\x7e]*$/);
          expect(path.startsWith('//')).toBe(false);
          expect(new URL(path, base).origin).toBe(base);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
