/** A reference solution as the course module marks it (`# @BEG@ name=… more=…` … `# @END@`). */
export interface Solution {
  /** `null` for the main solution; `bis`, `ter`… for the variants. */
  variant: string | null;
  code: string;
}

const BEGIN = /^\s*#\s*@BEG@(.*)$/;
const END = /^\s*#\s*@END@/;

/**
 * The marked solutions of one exercise (by its `name`) in a module's source, in file order; the
 * marker lines themselves are left out. Pure.
 */
export function extractSolutions(source: string, name: string): Solution[] {
  const solutions: Solution[] = [];
  let current: { variant: string | null; lines: string[] } | null = null;
  for (const line of source.split(/\r?\n/)) {
    const begin = BEGIN.exec(line);
    if (begin) {
      const options = Object.fromEntries(
        begin[1]!
          .trim()
          .split(/\s+/)
          .filter((p) => p.includes('='))
          .map((p) => p.split('=', 2) as [string, string]),
      );
      current = options['name'] === name ? { variant: options['more'] ?? null, lines: [] } : null;
      continue;
    }
    if (END.test(line)) {
      if (current) solutions.push({ variant: current.variant, code: current.lines.join('\n').trim() });
      current = null;
      continue;
    }
    current?.lines.push(line);
  }
  return solutions;
}
