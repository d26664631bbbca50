import { describe, expect, it } from 'vitest';
import { compareVerdicts, type AttemptVerdict } from './browser-check.ts';

const rows = (...verdicts: [string, boolean][]) => verdicts.map(([call, ok]) => ({ call, ok }));

describe('compareVerdicts', () => {
  const server: AttemptVerdict[] = [
    { attempt: 'solution', rows: rows(['f(1)', true], ['f(2)', true]) },
    { attempt: 'f_ko', rows: rows(['f(1)', true], ['f(2)', false]) },
  ];

  it('finds nothing when every row of every attempt agrees', () => {
    expect(compareVerdicts(server, structuredClone(server))).toEqual([]);
  });

  it('names the attempt, the row and both verdicts', () => {
    const browser = [server[0]!, { attempt: 'f_ko', rows: rows(['f(1)', false], ['f(2)', false]) }];
    expect(compareVerdicts(server, browser)).toEqual([
      "the browser's verdict differs from the server's on correction(f_ko), row f(1): browser KO, server OK",
    ]);
  });

  it('says when the rows themselves differ, or an attempt is missing or failed on either side', () => {
    const browser: AttemptVerdict[] = [
      { attempt: 'solution', rows: rows(['f(1)', true], ['f(3)', true]) },
      { attempt: 'f_ko', error: 'NameError("g")' },
      { attempt: 'f_ko2', rows: [] },
    ];
    expect(compareVerdicts(server, browser)).toEqual([
      "the browser's verdict differs from the server's on correction(solution), row 2: browser checks f(3), server f(2)",
      `the browser's verdict differs from the server's on correction(f_ko): the stand-in failed: NameError("g")`,
      'correction(f_ko2): the server gave no verdict',
    ]);
    expect(compareVerdicts([{ attempt: 'solution', error: 'Mismatch()' }, server[1]!], [server[0]!])).toEqual([
      "correction(solution): the server's verdict could not be computed: Mismatch()",
      "the browser's verdict differs from the server's on correction(f_ko): the browser did not find f_ko",
    ]);
    expect(compareVerdicts([server[0]!], [{ attempt: 'solution', rows: rows(['f(1)', true]) }])).toEqual([
      "the browser's verdict differs from the server's on correction(solution): the browser checks 1 row, the server 2 rows that the browser sees",
    ]);
  });
});
