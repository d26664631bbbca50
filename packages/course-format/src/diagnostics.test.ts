import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CourseFormatError,
  DiagnosticSink,
  formatDiagnostic,
  normaliseText,
  positionAt,
  positionLocator,
} from './diagnostics.ts';

describe('DiagnosticSink', () => {
  it('collects errors and warnings for its file, at line 1 column 1 unless told', () => {
    const sink = new DiagnosticSink('w1/x.md');
    expect(sink.hasErrors).toBe(false);
    sink.warning('a.b', 'Careful.', 3, 4);
    expect(sink.hasErrors).toBe(false);
    sink.error('c.d', 'Wrong.');
    expect(sink.hasErrors).toBe(true);
    expect(sink.items).toEqual([
      { severity: 'warning', code: 'a.b', message: 'Careful.', file: 'w1/x.md', line: 3, column: 4 },
      { severity: 'error', code: 'c.d', message: 'Wrong.', file: 'w1/x.md', line: 1, column: 1 },
    ]);
  });
});

describe('formatDiagnostic and CourseFormatError', () => {
  it('formats diagnostics as editors link them', () => {
    const d = {
      severity: 'error' as const,
      code: 'myst.unclosed-cell',
      message: 'Never closed.',
      file: 'w1/x.md',
      line: 12,
      column: 3,
    };
    expect(formatDiagnostic(d)).toBe('w1/x.md:12:3: error: Never closed. [myst.unclosed-cell]');
    const error = new CourseFormatError([d, { ...d, line: 13 }]);
    expect(error.name).toBe('CourseFormatError');
    expect(error.message).toBe(
      'w1/x.md:12:3: error: Never closed. [myst.unclosed-cell]\nw1/x.md:13:3: error: Never closed. [myst.unclosed-cell]',
    );
    expect(error.diagnostics).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('positionAt and positionLocator', () => {
  it('give 1-based lines and columns', () => {
    const text = 'ab\ncd\n\nef';
    expect(positionAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(text, 2)).toEqual({ line: 1, column: 3 });
    expect(positionAt(text, 3)).toEqual({ line: 2, column: 1 });
    expect(positionAt(text, 7)).toEqual({ line: 4, column: 1 });
    expect(positionAt(text, 99)).toEqual({ line: 4, column: 3 });
    expect(positionAt(text, -5)).toEqual({ line: 1, column: 1 });
    const locate = positionLocator(text);
    for (const offset of [-5, 0, 2, 3, 6, 7, 9, 99]) expect(locate(offset)).toEqual(positionAt(text, offset));
  });

  it('agree on every offset of any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é', ' '), maxLength: 60 }),
        fc.integer({ min: -2, max: 70 }),
        (text, offset) => {
          expect(positionLocator(text)(offset)).toEqual(positionAt(text, offset));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('normaliseText', () => {
  it('strips a BOM and turns CRLF and CR into LF', () => {
    expect(normaliseText('\uFEFFa\r\nb\rc\n')).toBe('a\nb\nc\n');
    expect(normaliseText('a\uFEFF')).toBe('a\uFEFF');
    expect(normaliseText('plain\n')).toBe('plain\n');
  });
});
