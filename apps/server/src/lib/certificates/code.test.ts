import { describe, expect, it } from 'vitest';
import { generateCode, normalizeCode } from './code.ts';
import { printableText, unprintableCharacters } from './fonts.ts';
import { certificateNameProblem, cleanCertificateName } from './name.ts';

describe('certificate codes', () => {
  it('are 16 Crockford characters in four groups, all different', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => generateCode()));
    expect(codes.size).toBe(1000);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(generateCode(() => Buffer.alloc(10, 0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
  });
  it('forgive case, spaces, hyphens and look-alike letters', () => {
    expect(normalizeCode(' 7qk2 m9xd-4tb8zc1r ')).toBe('7QK2-M9XD-4TB8-ZC1R');
    expect(normalizeCode('oiL0-0000-0000-0000')).toBe('0110-0000-0000-0000');
    expect(normalizeCode('7QK2-M9XD-4TB8-ZC1')).toBeNull();
    expect(normalizeCode('7QK2-M9XD-4TB8-ZC1U')).toBeNull();
    expect(normalizeCode('x'.repeat(100))).toBeNull();
  });
});

describe('printed names and text', () => {
  it('are trimmed and refuse control and bidi characters', () => {
    expect(cleanCertificateName('  Zoé \t Durand ')).toBe('Zoé Durand');
    expect(certificateNameProblem('')).toBe('certificates.name.required');
    expect(certificateNameProblem('a\u0000b')).toBe('certificates.name.invalid');
    expect(certificateNameProblem('a\u202eb')).toBe('certificates.name.invalid');
    expect(certificateNameProblem('x'.repeat(101))).toBe('certificates.name.invalid');
    expect(certificateNameProblem('Éloïse Ça')).toBeNull();
  });
  it('print every letter of the Latin, Greek and Cyrillic scripts the fonts have, and refuse the rest', () => {
    for (const name of [
      'Nguyễn Thị Ngọc Ánh',
      'Ɔbɛnɛ Kwaku Ŋkansa',
      'Françoise Lévesque-Bérubé',
      'Ọlábísí Adébáyọ̀'.normalize('NFC'),
      'Ɗanƙwai Ƴusuf Ɓello',
      'Αλέξανδρος Παπαδόπουλος',
      'Ёлкина Дарья',
      'ᐊᐃᑉᐱᓕᒃ', // Inuktitut (Nunavik, Québec), in syllabics
      'ⵜⴰⵙⵏⵉⵎ', // Tifinagh (Tamazight)
    ]) {
      expect(unprintableCharacters(name), name).toEqual([]);
      expect(certificateNameProblem(name), name).toBeNull();
      expect(printableText(name)).toBe(name);
    }
    // No glyph (CJK, most emoji), or glyphs that would print in the wrong order (right to left).
    expect(unprintableCharacters('Wang 王芳 王')).toEqual(['王', '芳']);
    expect(unprintableCharacters('Zoé 🎓 👩‍💻')).toEqual(['🎓', '👩‍💻']);
    expect(unprintableCharacters('דוד כהן')).toEqual(['ד', 'ו', 'כ', 'ה', 'ן']);
    expect(unprintableCharacters('محمد')).toEqual(['م', 'ح', 'د']);
    for (const name of ['王芳', 'Zoé 🎓', 'דוד', 'محمد'])
      expect(certificateNameProblem(name), name).toBe('certificates.name.unprintable');
    // Already stored (a display name, a course title): one replacement character per character.
    expect(printableText('Li 王芳 — Zoé 👩‍💻')).toBe('Li \ufffd\ufffd — Zoé \ufffd');
    // A variation selector only asks for the emoji style: the text style prints.
    expect(printableText('☺\ufe0f')).toBe('☺');
  });
});
