import { describe, expect, it } from 'vitest';
import { parseSrt, toWebVtt } from './srt.ts';

const FILE = 'w1/w1-s1-av.fr.srt';

describe('SubRip subtitles', () => {
  it('reads cues with a BOM and CRLF, numbered or not, with "." before milliseconds', () => {
    const text =
      '\uFEFF1\r\n00:00:01,000 --> 00:00:03,500\r\nBonjour à tous,\r\n<i>bienvenue</i> !\r\n\r\n\r\n' +
      '00:00:04.2 --> 00:00:06,000 X1:10 X2:20\r\nDeuxième <font color="red">phrase</font> & fin\r\n';
    const { value, diagnostics } = parseSrt(text, FILE);
    expect(diagnostics).toEqual([]);
    expect(value).toEqual([
      {
        start: 1000,
        end: 3500,
        text: 'Bonjour à tous,\nbienvenue !',
        markup: 'Bonjour à tous,\n<i>bienvenue</i> !',
        line: 2,
      },
      { start: 4200, end: 6000, text: 'Deuxième phrase & fin', markup: 'Deuxième phrase &amp; fin', line: 7 },
    ]);
  });

  it('writes WebVTT that escapes what would be read as markup or timing', () => {
    const { value } = parseSrt(
      '1\n00:00:00,000 --> 00:00:01,000\na < b --> c\n\n2\n01:02:03,004 --> 01:02:04,000\n<b>x</b>\n',
      FILE,
    );
    expect(toWebVtt(value!)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na &lt; b --&gt; c\n\n01:02:03.004 --> 01:02:04.000\n<b>x</b>\n',
    );
  });

  it('names the file and line of a timestamp it cannot read, or of a cue ending before it starts', () => {
    const text = [
      '1',
      '00:00:01,000 --> 00:00:02,000',
      'ok',
      '',
      '2',
      '00:00:03 --> 00:00:04,000',
      'no milliseconds',
      '',
      '3',
      '00:00:09,000 --> 00:00:05,000',
      'backwards',
      '',
      '4',
      '00:61:00,000 --> 00:62:00,000',
      'sixty-one minutes',
    ].join('\n');
    const { value, diagnostics } = parseSrt(text, FILE);
    expect(value).toBeNull();
    expect(diagnostics.map((d) => [d.file, d.line, d.code, d.severity])).toEqual([
      [FILE, 6, 'srt.timing', 'error'],
      [FILE, 10, 'srt.order', 'error'],
      [FILE, 14, 'srt.timing', 'error'],
    ]);
    expect(diagnostics[1]!.message).toContain('00:00:05,000');
  });

  it('warns of overlapping cues and keeps both; says when there is no cue at all', () => {
    const { value, diagnostics } = parseSrt(
      '1\n00:00:01,000 --> 00:00:05,000\na\n\n2\n00:00:04,000 --> 00:00:06,000\nb\n',
      FILE,
    );
    expect(value).toHaveLength(2);
    expect(diagnostics).toMatchObject([{ line: 6, code: 'srt.overlap', severity: 'warning' }]);
    expect(diagnostics[0]!.message).toContain('line 2');
    expect(parseSrt('\n\n', FILE).diagnostics).toMatchObject([{ code: 'srt.empty', severity: 'warning' }]);
  });

  it('reports a block that is not a cue, and goes on with the next', () => {
    const { diagnostics } = parseSrt('hello\nworld\n\n1\n00:00:01,000 --> 00:00:02,000\nok\n', FILE);
    expect(diagnostics).toMatchObject([{ line: 1, code: 'srt.timing' }]);
    expect(diagnostics[0]!.message).toContain('"hello"');
  });
});
