import type { Diagnostic } from './diagnostics.ts';
import { parseContents } from './contents.ts';
import {
  findExerciseDefinitions,
  findExerciseUses,
  findTopLevelNames,
  type ExerciseDefinition,
  type ExerciseUse,
} from './exercises.ts';
import { readManifests, type CourseMeta, type StaticMapping } from './manifests.ts';
import { DiagnosticSink } from './diagnostics.ts';
import { parseItemName, sequenceKey, weekOf, type ItemKind, type ParsedName } from './naming.ts';
import { parseIpynbNotebook } from './notebook/ipynb.ts';
import type { Notebook } from './notebook/model.ts';
import { parseMystNotebook } from './notebook/myst.ts';
import type { Quiz } from './quiz/model.ts';
import { parseQuiz } from './quiz/parse.ts';
import type { CourseSnapshot } from './snapshot.ts';
import { buildTracks, type Track } from './structure.ts';
import { CourseFileSystem } from './vfs.ts';
import { buildVideoSequences, type SequenceVideo, type VideoSequence } from './video/sequences.ts';
import { notebookTitle, guessLanguage, plainText } from './titles.ts';

/** A course folder read and checked: everything the importer and the renderer need. */
export interface CourseModel {
  meta: CourseMeta & { title: string; language: string };
  /** Notebooks, quizzes and video pages, in course order (the first track's order, then the rest). */
  items: CourseItem[];
  tracks: Track[];
  /** Where the tracks came from. */
  tracksFrom: 'nbhosting' | 'myst-toc' | 'folders';
  weeks: { week: number; theme: string | null; level: string | null }[];
  /** Sequence key (`w1-s2`) → title, from CONTENTS.md. */
  sequenceTitles: Record<string, string>;
  files: CourseFile[];
  fs: CourseFileSystem;
  staticMappings: StaticMapping[];
  /** `definitions`: its exercise objects; `names`: every name it defines at top level (helpers too). */
  exerciseModules: { module: string; path: string; definitions: ExerciseDefinition[]; names: string[] }[];
  /** Each sequence's video material and declared videos (issue 12), in course order. */
  videos: VideoSequence[];
  /** Paths left out of the course, with the reason. */
  ignored: { path: string; reason: string }[];
  diagnostics: Diagnostic[];
}

export type CourseItem = NotebookItem | QuizItem | VideoItem;

interface ItemBase {
  /** Course path of the source file. */
  path: string;
  /** The path without its extension: the item's address in the course (`w1/w1-s1-c1-intro`). */
  route: string;
  /** Full title (first heading of a notebook). */
  title: string;
  /** Short label for menus (`nbhosting.title`), else the title. */
  menuTitle: string;
  week: number | null;
  /** Sequence key (`w1-s2`) when the name follows the scheme. */
  sequence: string | null;
  kind: ItemKind;
  name: ParsedName | null;
}

export interface NotebookItem extends ItemBase {
  type: 'notebook';
  notebook: Notebook;
  exercises: ExerciseUse[];
}

export interface QuizItem extends ItemBase {
  type: 'quiz';
  quiz: Quiz;
}

/**
 * A sequence's video page (issue 12): its videos (one, or `a` and `b`), first in the sequence. Its
 * `path` has no extension (`w1/w1-s1-av`, the stem its av files share); the slideshow notebooks it
 * shows are no notebook items of their own.
 */
export interface VideoItem extends ItemBase {
  type: 'video';
  kind: 'video';
  videos: SequenceVideo[];
  /** The slideshow notebooks (`-av.ipynb`), by path. */
  notebooks: Record<string, Notebook>;
  /** The scripts' and the video code's texts, by path. */
  texts: Record<string, string>;
}

export type FileRole = 'notebook' | 'quiz' | 'module' | 'exercise-module' | 'manifest' | 'document' | 'asset';

export interface CourseFile {
  path: string;
  size: number;
  role: FileRole;
  /** Whether learners may download it. Quizzes and exercise modules hold answers: never public. */
  public: boolean;
}

export interface BuildOptions {
  /** Fallback title: usually the folder or repository name. */
  name: string;
}

const MANIFESTS = new Set([
  '.nbhosting/nbhosting.yaml',
  '.nbhosting/nbhosting.yml',
  'nbhosting/nbhosting.yaml',
  'myst.yml',
  'myst-toc.yml',
  'carnet.yml',
  'carnet.yaml',
]);

/** Builds the course model from a snapshot. Pure and total: problems become diagnostics. */
export function buildCourse(snapshot: CourseSnapshot, options: BuildOptions): CourseModel {
  const diagnostics: Diagnostic[] = [...snapshot.diagnostics];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const textCache = new Map<string, string>();
  const read = (path: string): string | null => {
    const data = snapshot.files.get(path);
    if (!data) return null;
    let text = textCache.get(path);
    if (text === undefined) {
      text = decoder.decode(data);
      textCache.set(path, text);
    }
    return text;
  };

  const manifests = readManifests(read, diagnostics);
  const contentsSink = new DiagnosticSink('CONTENTS.md');
  const contents = read('CONTENTS.md') !== null ? parseContents(read('CONTENTS.md')!, contentsSink) : null;
  diagnostics.push(...contentsSink.items);

  const files: CourseFile[] = [];
  const items: CourseItem[] = [];
  const exerciseModules: CourseModel['exerciseModules'] = [];
  const routes = new Map<string, string>();

  for (const [path, data] of snapshot.files) {
    const role = roleOf(path, read);
    files.push({ path, size: data.byteLength, role, public: role !== 'quiz' && role !== 'exercise-module' });
    if (role === 'notebook') {
      const route = path.replace(/\.(md|ipynb)$/i, '');
      const other = routes.get(route);
      if (other !== undefined) {
        // A jupytext pair (x.md + x.ipynb): the MyST text is the source of truth.
        const [keep, drop] = path.endsWith('.md') ? [path, other] : [other, path];
        diagnostics.push(
          warning(drop, 'course.paired-notebook', `${drop} is a copy of ${keep} (same name); only ${keep} is used.`),
        );
        if (keep === other) continue;
        const index = items.findIndex((i) => i.path === other);
        if (index !== -1) items.splice(index, 1);
      }
      routes.set(route, path);
      const result = path.endsWith('.ipynb')
        ? parseIpynbNotebook(read(path)!, path)
        : parseMystNotebook(read(path)!, path);
      diagnostics.push(...result.diagnostics);
      if (result.value) items.push(notebookItem(path, route, result.value));
    } else if (role === 'quiz') {
      const result = parseQuiz(read(path)!, path);
      diagnostics.push(...result.diagnostics);
      if (result.value) items.push(quizItem(path, result.value));
    } else if (role === 'exercise-module') {
      const module = path
        .replace(/^modules\//, '')
        .replace(/(\/__init__)?\.py$/, '')
        .replace(/\//g, '.');
      const source = read(path)!;
      exerciseModules.push({
        module,
        path,
        definitions: findExerciseDefinitions(module, source),
        names: findTopLevelNames(source),
      });
    }
  }

  checkExerciseUses(items, exerciseModules, diagnostics);
  checkExerciseSettings(manifests.meta, exerciseModules, diagnostics);
  applyAttempts(items, manifests.meta.attempts, diagnostics);

  const notebookPaths = new Set(items.filter((i) => i.type === 'notebook').map((i) => i.path));
  const videos = buildVideoSequences(
    [...snapshot.files.keys(), ...(snapshot.media?.keys() ?? [])],
    manifests.meta.videos,
    read,
    (path) => notebookPaths.has(path),
    diagnostics,
  );
  const language = manifests.meta.language ?? guessLanguage(items);
  const sequenceTitles: Record<string, string> = Object.fromEntries(contents?.sequences ?? []);
  for (const sequence of videos) {
    const item = videoItem(sequence, items, read, sequenceTitles, language);
    // Its slideshow notebooks are shown by the video page, not as pages of their own.
    for (let i = items.length - 1; i >= 0; i--) if (item.notebooks[items[i]!.path]) items.splice(i, 1);
    items.push(item);
  }

  const mappings = manifests.staticMappings ?? defaultMappings(snapshot);
  const fs = new CourseFileSystem(snapshot.files.keys(), snapshot.links, mappings);
  const { tracks, order } = buildTracks(items, manifests.tracks, diagnostics, [...snapshot.files.keys()]);
  const rank = new Map(order.map((path, i) => [path, i]));
  items.sort((a, b) => (rank.get(a.path) ?? Infinity) - (rank.get(b.path) ?? Infinity));

  const weeks = [...(contents?.weeks ?? new Map())]
    .map(([week, info]) => ({ week, ...info }))
    .sort((a, b) => a.week - b.week);
  // Plain text, as notebook titles: `# *Python* pour tous` is titled "Python pour tous".
  const readmeTitle = plainText(/^#[ \t]+(.+)$/m.exec(read('README.md') ?? '')?.[1] ?? '') || null;

  return {
    meta: { ...manifests.meta, title: manifests.meta.title ?? readmeTitle ?? options.name, language },
    items,
    tracks,
    tracksFrom: manifests.tracksFrom ?? 'folders',
    weeks,
    sequenceTitles,
    files,
    fs,
    staticMappings: mappings,
    exerciseModules,
    videos,
    ignored: snapshot.skipped,
    diagnostics: diagnostics.sort(compareDiagnostics),
  };
}

const VIDEO_TITLE: Record<string, (n: number) => string> = {
  fr: (n) => `Vidéo de la séquence ${n}`,
  en: (n) => `Video of sequence ${n}`,
};

/** A sequence's video page: in the folder of its av files (else of its sequence's items, else wN/). */
function videoItem(
  sequence: VideoSequence,
  items: readonly CourseItem[],
  read: (path: string) => string | null,
  sequenceTitles: Record<string, string>,
  language: string,
): VideoItem {
  const material = sequence.videos.flatMap((v) => [
    ...v.subtitles.map((s) => s.path),
    ...v.scripts,
    ...v.slides.map((s) => s.path),
    ...v.code,
  ]);
  const sibling = items.find((i) => i.name?.week === sequence.week && i.name.sequence === sequence.sequence)?.path;
  const near = material[0] ?? sibling;
  const folder = near ? (near.includes('/') ? near.slice(0, near.lastIndexOf('/')) : '') : `w${sequence.week}`;
  const path = `${folder ? `${folder}/` : ''}${sequence.key}-av`;
  const notebooks: Record<string, Notebook> = {};
  const texts: Record<string, string> = {};
  for (const video of sequence.videos) {
    for (const slide of video.slides) {
      const notebook = items.find((i): i is NotebookItem => i.type === 'notebook' && i.path === slide.path);
      if (notebook) notebooks[slide.path] = notebook.notebook;
    }
    for (const file of [...video.scripts, ...video.code]) texts[file] = read(file) ?? '';
  }
  const declared = sequence.videos[0]?.title;
  const title =
    sequenceTitles[sequence.key] ?? declared ?? (VIDEO_TITLE[language] ?? VIDEO_TITLE['en']!)(sequence.sequence);
  return {
    type: 'video',
    path,
    route: path,
    title,
    menuTitle: title,
    week: sequence.week,
    sequence: sequence.key,
    kind: 'video',
    name: parseItemName(path),
    videos: sequence.videos,
    notebooks,
    texts,
  };
}

function roleOf(path: string, read: (path: string) => string | null): FileRole {
  if (MANIFESTS.has(path)) return 'manifest';
  if (/\.ipynb$/i.test(path)) return 'notebook';
  if (/\.quiz$/i.test(path)) return 'quiz';
  if (/^modules\/corrections\/.*\.py$/.test(path)) return 'exercise-module';
  if (/^modules\/.*\.py$/.test(path)) return 'module';
  if (/\.md$/i.test(path)) return isMystNotebook(read(path) ?? '') ? 'notebook' : 'document';
  return 'asset';
}

/** A markdown file is a notebook when its front matter says jupytext/kernelspec, or it has code cells. */
function isMystNotebook(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '');
  if (/^---\r?\n/.test(head)) {
    const end = head.search(/\n(---|\.\.\.)\s*(\r?\n|$)/);
    const front = end === -1 ? head : head.slice(0, end);
    if (/^(jupytext|kernelspec)\s*:/m.test(front)) return true;
  }
  return /^(`{3,}|~{3,})\s*\{(code|raw)-cell\}/m.test(head);
}

function notebookItem(path: string, route: string, notebook: Notebook): NotebookItem {
  const name = parseItemName(path);
  const exercises = findExerciseUses(notebook);
  const { title, menuTitle } = notebookTitle(notebook, path);
  let kind: ItemKind = name?.kind ?? 'other';
  if (kind !== 'exercise' && exercises.some((e) => e.corrected)) kind = 'exercise';
  return {
    type: 'notebook',
    path,
    route,
    title,
    menuTitle,
    week: weekOf(path),
    sequence: sequenceKey(path),
    kind,
    name,
    notebook,
    exercises,
  };
}

/** carnet.yml's hidden checks and datasets must name exercise modules (and exercises) of the course. */
function checkExerciseSettings(
  meta: CourseMeta,
  modules: CourseModel['exerciseModules'],
  diagnostics: Diagnostic[],
): void {
  const known = new Set(modules.map((m) => m.module));
  const exercises = new Set(modules.flatMap((m) => m.definitions.map((d) => `${m.module}.${d.name}`)));
  const settings = [
    ...meta.hiddenChecks.map((s) => ({ ...s, code: 'carnet.hidden-checks' })),
    ...meta.hiddenDatasets.map((s) => ({ ...s, code: 'carnet.hidden-datasets' })),
  ];
  for (const setting of settings) {
    if (setting.target === 'default' || known.has(setting.target) || exercises.has(setting.target)) continue;
    const module = setting.target.split('.').slice(0, -1).join('.');
    diagnostics.push({
      severity: 'error',
      code: setting.code,
      message: known.has(module)
        ? `${module} defines no exercise ${setting.target.slice(module.length + 1)}.`
        : `${setting.target} is not an exercise module of this course (modules/${setting.target.replace(/\./g, '/')}.py).`,
      file: 'carnet.yml',
      line: setting.line,
      column: 1,
    });
  }
}

/** carnet.yml's attempts on the quizzes they name: a problem's own number wins over its quiz's. */
function applyAttempts(items: CourseItem[], overrides: CourseMeta['attempts'], diagnostics: Diagnostic[]): void {
  const quizzes = new Map(items.filter((i): i is QuizItem => i.type === 'quiz').map((i) => [i.path, i.quiz]));
  const ordered = [...overrides].sort((a, b) => Number(a.problem !== null) - Number(b.problem !== null));
  for (const o of ordered) {
    const quiz = quizzes.get(o.quiz);
    const problems = quiz?.problems.filter((p) => o.problem === null || p.id === o.problem) ?? [];
    if (!quiz || problems.length === 0) {
      diagnostics.push({
        severity: 'error',
        code: 'carnet.attempts',
        message: quiz
          ? `${o.quiz} has no problem ${o.problem} (its problems are p1 to p${quiz.problems.length}, in file order).`
          : `attempts names ${o.quiz}, which is not a quiz of this course.`,
        file: 'carnet.yml',
        line: o.line,
        column: 1,
      });
      continue;
    }
    for (const problem of problems) problem.attempts = o.attempts;
  }
}

function quizItem(path: string, quiz: Quiz): QuizItem {
  const name = parseItemName(path);
  const label = name?.label || path.slice(path.lastIndexOf('/') + 1).replace(/\.quiz$/i, '');
  const human = label.replace(/[-_]+/g, ' ').trim();
  const title = human.charAt(0).toUpperCase() + human.slice(1);
  return {
    type: 'quiz',
    path,
    route: path.replace(/\.quiz$/i, ''),
    title,
    menuTitle: title,
    week: weekOf(path),
    sequence: sequenceKey(path),
    kind: 'quiz',
    name,
    quiz,
  };
}

function checkExerciseUses(
  items: CourseItem[],
  modules: CourseModel['exerciseModules'],
  diagnostics: Diagnostic[],
): void {
  const byModule = new Map(modules.map((m) => [m.module, m]));
  for (const item of items) {
    if (item.type !== 'notebook') continue;
    for (const use of item.exercises) {
      const module = byModule.get(use.module);
      // `from corrections import exo_x` imports the submodule corrections/exo_x.py.
      if (byModule.has(`${use.module}.${use.name}`)) continue;
      if (!module) {
        diagnostics.push(
          warning(
            item.path,
            'exercise.module-missing',
            `This notebook imports ${use.module}, but modules/${use.module.replace(/\./g, '/')}.py does not exist.`,
            use.line,
          ),
        );
      } else if (!module.names.includes(use.name)) {
        diagnostics.push(
          warning(
            item.path,
            'exercise.name-missing',
            `This notebook imports ${use.name} from ${use.module}, which defines nothing of that name.`,
            use.line,
          ),
        );
      }
    }
  }
}

/** Without a manifest, `data` and `media` are visible from every folder, as the MOOC's symlinks make them. */
function defaultMappings(snapshot: CourseSnapshot): StaticMapping[] {
  const roots = new Set([...snapshot.files.keys()].map((p) => p.split('/')[0]));
  return ['data', 'media'].filter((d) => roots.has(d)).map((d) => ({ source: d, destination: d }));
}

function warning(file: string, code: string, message: string, line = 1): Diagnostic {
  return { severity: 'warning', code, message, file, line, column: 1 };
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}
