import { describe, expect, it } from 'vitest';
import { generateCode, normalizeCode } from './code.ts';
import { certificateNameProblem, cleanCertificateName } from './name.ts';
import { textWidth, toWinAnsi } from './fonts.ts';

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
  it('encode to WinAnsi and measure Helvetica', () => {
    expect(toWinAnsi('é€œ’ő漢')).toEqual([0xe9, 0x80, 0x9c, 0x92, 0x6f, 0x3f]);
    expect(textWidth('Helvetica', toWinAnsi('Ae'), 10)).toBeCloseTo(12.23, 2);
    expect(textWidth('Helvetica', toWinAnsi('é'), 1000)).toBe(556);
  });
});
