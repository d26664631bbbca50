import { normaliseText, type DiagnosticSink } from './diagnostics.ts';

/** What CONTENTS.md says about the weeks and sequences of a course. */
export interface CourseContents {
  weeks: Map<number, { theme: string | null; level: string | null }>;
  /** Sequence key (`w2-s3`, `w2-s2a`) → title. */
  sequences: Map<string, string>;
}

/**
 * Reads CONTENTS.md: `## Semaine N` blocks with `### Thème: …`, `### Niveau: …` and
 * `* wN-sM: <title>` lines. Sections under any other `##` heading (the drafts at the end of the
 * real file) are ignored. Never fails: odd lines are skipped, with a warning when they look meant.
 */
export function parseContents(text: string, sink: DiagnosticSink): CourseContents {
  const weeks: CourseContents['weeks'] = new Map();
  const sequences = new Map<string, string>();
  let week: number | null = null;
  normaliseText(text)
    .split('\n')
    .forEach((line, i) => {
      const h2 = /^##\s+(.*)$/.exec(line);
      if (h2) {
        const m = /^(?:semaine|week)\s+(\d+)/i.exec(h2[1]!.trim());
        week = m ? Number(m[1]) : null;
        if (week !== null && !weeks.has(week)) weeks.set(week, { theme: null, level: null });
        return;
      }
      if (week === null) return;
      const h3 = /^###\s+(th[èe]me|theme|niveau|level)\s*:\s*(.*)$/i.exec(line);
      if (h3) {
        const entry = weeks.get(week)!;
        const value = h3[2]!.trim() || null;
        if (/^(niveau|level)$/i.test(h3[1]!)) entry.level = value;
        else entry.theme = value;
        return;
      }
      const seq = /^\s*[*-]\s+w(\d+)-s(\d+)([a-z]?)\s*:\s*(.*\S)\s*$/i.exec(line); // a title, not only spaces
      if (seq) {
        if (Number(seq[1]) !== week) {
          sink.warning(
            'contents.week-mismatch',
            `Sequence w${seq[1]}-s${seq[2]} is listed under "Semaine ${week}".`,
            i + 1,
          );
        }
        sequences.set(`w${Number(seq[1])}-s${Number(seq[2])}${seq[3]!.toLowerCase()}`, seq[4]!.trim());
      } else if (/^\s*[*-]\s+w\d+/i.test(line)) {
        sink.warning('contents.sequence-line', 'Expected a sequence line like "* w1-s2: Title".', i + 1);
      }
    });
  return { weeks, sequences };
}
