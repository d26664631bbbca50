/**
 * The MOOC's naming scheme `wN-sM-<kind>K-<label>.<ext>` (course-folder.md §2), irregular
 * spellings included: `s01`, `s2a`/`s2b`, `s0`, `x1b`, `-av.fr.srt`, and free-form names.
 */

export type ItemKind = 'complement' | 'exercise' | 'quiz' | 'video' | 'other';

export interface ParsedName {
  week: number;
  sequence: number;
  /** `a`/`b` for sequences with two videos, else ''. */
  sequenceSuffix: string;
  kind: ItemKind;
  index: number;
  /** `b` in `x1b`, else ''. */
  indexSuffix: string;
  label: string;
}

const KINDS: Record<string, ItemKind> = { c: 'complement', x: 'exercise', q: 'quiz', av: 'video' };
const NAME = /^w(\d+)-s(\d+)([a-z]?)-(av|c|x|q)(\d*)([a-z]?)(?:-(.*))?$/i;

/** Reads the scheme from a file name (any folder, any extension); null when it does not follow it. */
export function parseItemName(fileName: string): ParsedName | null {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const stem = base.includes('.') ? base.slice(0, base.indexOf('.')) : base;
  const m = NAME.exec(stem);
  if (!m) return null;
  return {
    week: Number(m[1]),
    sequence: Number(m[2]),
    sequenceSuffix: (m[3] ?? '').toLowerCase(),
    kind: KINDS[m[4]!.toLowerCase()]!,
    index: m[5] ? Number(m[5]) : 0,
    indexSuffix: (m[6] ?? '').toLowerCase(),
    label: m[7] ?? '',
  };
}

/** The week of a file: from its name, else from a `wN` folder it sits in; null when neither says. */
export function weekOf(path: string): number | null {
  const parsed = parseItemName(path);
  if (parsed) return parsed.week;
  const folder = /(?:^|\/)w(\d+)\//i.exec(path);
  if (folder) return Number(folder[1]);
  const free = /(?:^|\/)w(\d+)-[^/]*$/i.exec(path);
  return free ? Number(free[1]) : null;
}

const KIND_ORDER: Record<ItemKind, number> = { video: 0, complement: 1, exercise: 2, quiz: 3, other: 4 };

/**
 * Course order: week, sequence, kind (complements, then exercises, then the quiz that checks them),
 * index; names outside the scheme come after, alphabetically.
 */
export function compareItemPaths(a: string, b: string): number {
  const pa = parseItemName(a);
  const pb = parseItemName(b);
  if (pa && pb) {
    return (
      pa.week - pb.week ||
      pa.sequence - pb.sequence ||
      pa.sequenceSuffix.localeCompare(pb.sequenceSuffix) ||
      KIND_ORDER[pa.kind] - KIND_ORDER[pb.kind] ||
      pa.index - pb.index ||
      pa.indexSuffix.localeCompare(pb.indexSuffix) ||
      a.localeCompare(b)
    );
  }
  if (pa) return -1;
  if (pb) return 1;
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The sequence key `w2-s3` (with its suffix, `w2-s2a`) used by CONTENTS.md, or null. */
export function sequenceKey(path: string): string | null {
  const p = parseItemName(path);
  return p ? `w${p.week}-s${p.sequence}${p.sequenceSuffix}` : null;
}
