import picomatch from 'picomatch';
import type { Diagnostic } from './diagnostics.ts';
import type { ManifestTrack } from './manifests.ts';
import { compareItemPaths } from './naming.ts';

/** A way through the course: the MOOC has `mooc` (everything) and `exos` (exercises only). */
export interface Track {
  id: string;
  name: string;
  description: string;
  sections: Section[];
}

export interface Section {
  /** The manifest's section name; null for a week folder (the UI says "Semaine N"). */
  title: string | null;
  /** The week most of its items belong to, if any. */
  week: number | null;
  /** Course paths of its notebooks and quizzes, in order. */
  items: string[];
}

interface StructureItem {
  path: string;
  week: number | null;
  kind: string;
}

/**
 * Resolves the manifest's tracks against the course's items — or, without a manifest, makes one
 * track with a section per week folder. Quizzes and video pages that no pattern names (nbhosting
 * patterns only list notebooks) join the first track in their week, in course order (a video first
 * in its sequence). Returns the tracks and the course order.
 */
export function buildTracks(
  items: readonly StructureItem[],
  manifestTracks: ManifestTrack[] | null,
  diagnostics: Diagnostic[],
  /** Every file of the course: a table of contents may name documents that are not items (README.md). */
  files: readonly string[] = [],
): { tracks: Track[]; order: string[] } {
  const byPath = new Map(items.map((i) => [i.path, i]));
  const sorted = [...items].sort((a, b) => compareItemPaths(a.path, b.path));
  const tracks = manifestTracks
    ? manifestTracks.map((t) => resolveTrack(t, sorted, byPath, diagnostics, files))
    : [folderTrack(sorted, byPath)];
  if (manifestTracks && tracks[0]) mergeUnlisted(tracks[0], sorted, byPath);

  const order: string[] = [];
  const seen = new Set<string>();
  for (const section of tracks[0]?.sections ?? []) {
    for (const path of section.items) {
      if (!seen.has(path)) {
        order.push(path);
        seen.add(path);
      }
    }
  }
  for (const item of sorted) if (!seen.has(item.path)) order.push(item.path);
  return { tracks, order };
}

function resolveTrack(
  track: ManifestTrack,
  sorted: StructureItem[],
  byPath: Map<string, StructureItem>,
  diagnostics: Diagnostic[],
  files: readonly string[],
): Track {
  const used = new Set<string>();
  const sections: Section[] = [];
  for (const section of track.sections) {
    const paths: string[] = [];
    for (const pattern of section.patterns) {
      const matches = globMatcher(pattern);
      const found = matches ? sorted.filter((item) => matches(item.path)).map((i) => i.path) : [];
      if (found.length === 0 && !(matches && files.some((f) => matches(f)))) {
        diagnostics.push({
          severity: 'warning',
          code: matches ? 'structure.pattern-matches-nothing' : 'structure.bad-pattern',
          message: matches
            ? `The pattern "${pattern}" of section "${section.name}" matches no notebook.`
            : `The pattern "${pattern}" of section "${section.name}" is not a glob pattern such as w1/w1-s*-c*.md.`,
          file: section.file,
          line: section.line,
          column: 1,
        });
      }
      for (const path of found) {
        if (!used.has(path)) {
          paths.push(path);
          used.add(path);
        }
      }
    }
    sections.push({ title: section.name || null, week: majorityWeek(paths, byPath), items: paths });
  }
  return { id: track.id, name: track.name, description: track.description, sections };
}

/** A glob matcher, or null when picomatch refuses the pattern (it throws on an empty one). */
function globMatcher(pattern: string): ((path: string) => boolean) | null {
  try {
    return picomatch(pattern, { dot: false });
  } catch {
    return null;
  }
}

function folderTrack(sorted: StructureItem[], byPath: Map<string, StructureItem>): Track {
  const groups = new Map<string, string[]>();
  for (const item of sorted) {
    const folder = item.path.includes('/') ? item.path.slice(0, item.path.indexOf('/')) : '';
    groups.set(folder, [...(groups.get(folder) ?? []), item.path]);
  }
  const weekOfFolder = (f: string): number | null => (/^w(\d+)$/i.test(f) ? Number(f.slice(1)) : null);
  const folders = [...groups.keys()].sort((a, b) => {
    const rank = (f: string): number => (f === '' ? 0 : weekOfFolder(f) !== null ? 1 : 2);
    return rank(a) - rank(b) || (weekOfFolder(a) ?? 0) - (weekOfFolder(b) ?? 0) || a.localeCompare(b);
  });
  const sections = folders.map((folder) => {
    const paths = groups.get(folder)!;
    const week = weekOfFolder(folder);
    return {
      title: week === null && folder !== '' ? folder : null,
      week: week ?? majorityWeek(paths, byPath),
      items: paths,
    };
  });
  return { id: 'course', name: '', description: '', sections };
}

function mergeUnlisted(track: Track, sorted: StructureItem[], byPath: Map<string, StructureItem>): void {
  const listed = new Set(track.sections.flatMap((s) => s.items));
  let weekless: Section | undefined; // one section for all the quizzes outside the weeks
  for (const quiz of sorted) {
    if ((quiz.kind !== 'quiz' && quiz.kind !== 'video') || listed.has(quiz.path)) continue;
    let section = quiz.week === null ? weekless : track.sections.find((s) => s.week === quiz.week);
    if (!section) {
      section = { title: null, week: quiz.week, items: [] };
      if (quiz.week === null) weekless = section;
      const at = track.sections.findIndex((s) => s.week !== null && quiz.week !== null && s.week > quiz.week);
      track.sections.splice(at === -1 ? track.sections.length : at, 0, section);
    }
    const at = section.items.findIndex((p) => byPath.get(p)?.week === quiz.week && compareItemPaths(p, quiz.path) > 0);
    section.items.splice(at === -1 ? section.items.length : at, 0, quiz.path);
  }
}

function majorityWeek(paths: string[], byPath: Map<string, StructureItem>): number | null {
  const counts = new Map<number, number>();
  for (const p of paths) {
    const w = byPath.get(p)?.week;
    if (w !== null && w !== undefined) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  let best: number | null = null;
  for (const [week, n] of counts) if (best === null || n > counts.get(best)!) best = week;
  return best;
}
