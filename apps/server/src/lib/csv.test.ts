import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from './csv.ts';

/** Reads one CSV line back as RFC 4180 says (what a spreadsheet's import does before typing cells). */
function parseLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      for (i++; ; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          field += '"';
          i++;
        } else if (line[i] === '"') break;
        else field += line[i];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ',' && !(line[i] === '\r' && line[i + 1] === '\n')) field += line[i++];
    }
    fields.push(field);
    if (line[i] === ',') i++;
    else return fields;
  }
}

describe('CSV writer', () => {
  it('quotes what needs quoting, doubles quotes, ends lines with CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('')).toBe('');
    expect(csvField(null)).toBe('');
    expect(csvField(0.3333)).toBe('0.3333');
    expect(csvLine(['a', null, 'b', 2])).toBe('a,,b,2\r\n');
  });

  it('neutralises text a spreadsheet would run as a formula, numeric-looking or behind whitespace', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r', '\0'])
      expect(csvField(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('=SUM(A1:A2)')).toBe("'=SUM(A1:A2)");
    expect(csvField('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
    // The payloads that went through the quiz statistics' looser rule.
    expect(csvField("-1+cmd|' /C calc'!A0")).toBe("'-1+cmd|' /C calc'!A0");
    expect(csvField('+1+HYPERLINK("https://evil.example","x")')).toBe(
      '"\'+1+HYPERLINK(""https://evil.example"",""x"")"',
    );
    expect(csvField('\0=1+1')).toBe("'\0=1+1");
    expect(csvField('  =1+1')).toBe("'  =1+1");
    expect(csvField('\u3000@SUM(A1)')).toBe("'\u3000@SUM(A1)");
    expect(csvField('\n=1+1')).toBe('"\'\n=1+1"');
    // A learner typing -3 is text here (the number column would be a number, not a string).
    expect(csvField('-3')).toBe("'-3");
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(' plain')).toBe(' plain');
  });

  it('reads back as the text, with at most an apostrophe before it, never a formula (any string)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'grapheme' }),
            fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\0', ' ', '"', ',', 'a', '1') }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (values) => {
          const line = csvLine(values);
          expect(line.endsWith('\r\n')).toBe(true);
          const read = parseLine(line);
          expect(read).toHaveLength(values.length);
          read.forEach((cell, i) => {
            expect([values[i], `'${values[i]}`]).toContain(cell);
            expect(cell).not.toMatch(/^[\s\0]*[=+\-@\t\r\0]/);
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
