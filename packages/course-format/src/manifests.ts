import { DiagnosticSink, normaliseText, type Diagnostic } from './diagnostics.ts';
import { isJsonObject, type JsonObject } from './notebook/model.ts';
import { parseYamlFile, type YamlFile } from './yaml.ts';
import { readVideoDeclaration, type VideoDeclaration } from './video/sources.ts';

/**
 * The optional manifests of a course folder (course-folder.md §3): `.nbhosting/nbhosting.yaml`,
 * `myst-toc.yml`, `myst.yml`, and Carnet's own `carnet.yml` for what the others cannot say.
 * Every one is optional; unknown keys are ignored; a key of the wrong shape is reported at its line.
 */

export interface StaticMapping {
  source: string;
  destination: string;
}

/** A track as the manifest declares it: sections of glob patterns, resolved later against the files. */
export interface ManifestTrack {
  id: string;
  name: string;
  description: string;
  sections: { name: string; patterns: string[]; file: string; line: number }[];
}

export interface CourseMeta {
  title: string | null;
  description: string | null;
  language: string | null;
  license: string | null;
  authors: string[];
  keywords: string[];
  /** Python packages the course needs beyond the standard library (carnet.yml `packages`). */
  packages: string[];
  /** Attempts allowed for a quiz's problems or one problem, over the session's default (carnet.yml `attempts`). */
  attempts: AttemptsOverride[];
  /** How many of an exercise's datasets the server keeps to itself (carnet.yml `hidden-checks`). */
  hiddenChecks: HiddenChecksSetting[];
  /** Datasets only the server checks, as Python expressions (carnet.yml `hidden-datasets`). */
  hiddenDatasets: HiddenDatasetsSetting[];
  /** Each sequence's videos (carnet.yml `videos`), by av stem. */
  videos: VideoDeclaration[];
}

/**
 * `hidden-checks: { default: 1/3, <module>: N, <module>.<exercise>: a/b }`: the share (`a/b` of an
 * exercise's datasets when it has three or more) or the count of datasets held back from the browser.
 */
export interface HiddenChecksSetting {
  /** `default`, a module (`corrections.exo_duree`) or one exercise (`corrections.exo_duree.exo_duree`). */
  target: string;
  /** `1/3` or a count (`2`, `0` for none). */
  share: string;
  line: number;
}

/** `hidden-datasets: { <module>.<exercise>: [<Python expression>…] }`, evaluated in the module. */
export interface HiddenDatasetsSetting {
  target: string;
  expressions: { expression: string; line: number }[];
  line: number;
}

/** `attempts: { <quiz path>: N, <quiz path>#<problem id>: N }` in carnet.yml; 0 = unlimited. */
export interface AttemptsOverride {
  quiz: string;
  /** Null: every problem of the quiz. */
  problem: string | null;
  attempts: number;
  line: number;
}

export interface Manifests {
  tracks: ManifestTrack[] | null;
  tracksFrom: 'nbhosting' | 'myst-toc' | null;
  staticMappings: StaticMapping[] | null;
  meta: CourseMeta;
}

type ReadFile = (path: string) => string | null;

export const NBHOSTING_PATHS = ['.nbhosting/nbhosting.yaml', 'nbhosting/nbhosting.yaml', '.nbhosting/nbhosting.yml'];

/** Reads every manifest present; `read` returns a file's text or null when absent. */
export function readManifests(read: ReadFile, diagnostics: Diagnostic[]): Manifests {
  const meta: CourseMeta = {
    title: null,
    description: null,
    language: null,
    license: null,
    authors: [],
    keywords: [],
    packages: [],
    attempts: [],
    hiddenChecks: [],
    hiddenDatasets: [],
    videos: [],
  };
  let tracks: ManifestTrack[] | null = null;
  let tracksFrom: Manifests['tracksFrom'] = null;
  let staticMappings: StaticMapping[] | null = null;

  const sinks: DiagnosticSink[] = [];
  const load = (path: string): { file: YamlFile; sink: DiagnosticSink } | null => {
    const text = read(path);
    if (text === null) return null;
    const sink = new DiagnosticSink(path);
    sinks.push(sink);
    const file = parseYamlFile(normaliseText(text), sink, path);
    return file ? { file, sink } : null;
  };

  const mystYml = load('myst.yml');
  let mystToc: unknown = undefined;
  if (mystYml && isJsonObject(mystYml.file.value)) {
    const project = mystYml.file.value['project'];
    if (isJsonObject(project)) {
      meta.title = stringOrNull(project['title']);
      meta.description = stringOrNull(project['description']);
      meta.license = licenseOf(project['license']);
      meta.authors = listOfNames(project['authors']);
      meta.keywords = listOfNames(project['keywords']);
      meta.language = stringOrNull(project['language']);
      mystToc = project['toc'];
    }
  }

  const carnet = load('carnet.yml') ?? load('carnet.yaml');
  if (carnet) readCarnetManifest(carnet.file, carnet.sink, meta);

  const nbhostingPath = NBHOSTING_PATHS.find((p) => read(p) !== null);
  const nbhosting = nbhostingPath ? load(nbhostingPath) : null;
  if (nbhosting && isJsonObject(nbhosting.file.value)) {
    const value = nbhosting.file.value;
    staticMappings = readStaticMappings(value['static-mappings'], nbhosting.file, nbhosting.sink);
    if (value['tracks'] !== undefined) {
      tracks = usableTracks(readNbhostingTracks(value['tracks'], nbhosting.file, nbhosting.sink));
      if (tracks) tracksFrom = 'nbhosting';
    }
  } else if (nbhosting && nbhosting.file.value !== null) {
    nbhosting.sink.warning(
      'nbhosting.not-mapping',
      'nbhosting.yaml should be a mapping with tracks: and static-mappings:.',
    );
  }

  if (!tracks) {
    const toc = load('myst-toc.yml');
    if (toc && isJsonObject(toc.file.value)) {
      const project = toc.file.value['project'];
      const entries = isJsonObject(project) ? project['toc'] : toc.file.value['toc'];
      const base = isJsonObject(project) ? ['project', 'toc'] : ['toc'];
      tracks = usableTracks(readMystToc(entries, toc.file, toc.sink, base));
    } else if (mystToc !== undefined && mystYml) {
      tracks = usableTracks(readMystToc(mystToc, mystYml.file, mystYml.sink, ['project', 'toc']));
    }
    if (tracks) tracksFrom = 'myst-toc';
  }

  for (const sink of sinks) diagnostics.push(...sink.items);
  return { tracks, tracksFrom, staticMappings, meta };
}

/** The tracks that have sections, or null when none is left: the folders then give the structure. */
function usableTracks(tracks: ManifestTrack[] | null): ManifestTrack[] | null {
  const kept = tracks?.filter((t) => t.sections.length > 0) ?? [];
  return kept.length > 0 ? kept : null;
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

function licenseOf(value: unknown): string | null {
  if (isJsonObject(value)) return stringOrNull(value['content']) ?? stringOrNull(value['code']);
  return stringOrNull(value);
}

function listOfNames(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value
    .map((v) => (isJsonObject(v) ? stringOrNull(v['name']) : stringOrNull(v)))
    .filter((v): v is string => v !== null);
}

function readCarnetManifest(file: YamlFile, sink: DiagnosticSink, meta: CourseMeta): void {
  const value = file.value;
  if (!isJsonObject(value)) {
    if (value !== null)
      sink.warning('carnet.not-mapping', 'carnet.yml should be a mapping (title:, language:, packages:).');
    return;
  }
  meta.title = stringOrNull(value['title']) ?? meta.title;
  meta.description = stringOrNull(value['description']) ?? meta.description;
  const language = value['language'];
  if (language !== undefined) {
    if (typeof language === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]+)?$/.test(language)) meta.language = language;
    else
      sink.warning(
        'carnet.language',
        'language should be a language code such as fr or en.',
        file.lineOf(['language']),
      );
  }
  readAttempts(value['attempts'], file, sink, meta);
  readHiddenChecks(value['hidden-checks'], file, sink, meta);
  readHiddenDatasets(value['hidden-datasets'], file, sink, meta);
  readVideos(value['videos'], file, sink, meta);
  const packages = value['packages'];
  if (packages !== undefined) {
    if (Array.isArray(packages) && packages.every((p) => typeof p === 'string' && /^[A-Za-z0-9_.-]+$/.test(p))) {
      meta.packages = packages as string[];
    } else {
      sink.error(
        'carnet.packages',
        'packages should be a list of Python package names, e.g. [numpy, matplotlib].',
        file.lineOf(['packages']),
      );
    }
  }
}

function readAttempts(value: unknown, file: YamlFile, sink: DiagnosticSink, meta: CourseMeta): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    sink.error(
      'carnet.attempts',
      'attempts should map quiz paths (or path#p2 for one problem) to a number of attempts, e.g. "w1/w1-s3-q1-quiz.quiz: 3".',
      file.lineOf(['attempts']),
    );
    return;
  }
  for (const [key, n] of Object.entries(value)) {
    const line = file.lineOf(['attempts', key]);
    const match = /^([^#]+\.quiz)(?:#(p\d+))?$/.exec(key.trim());
    if (!match || !isSafeRelative(match[1]!)) {
      sink.error(
        'carnet.attempts',
        `"${key}" is not a quiz path: write the .quiz file's path in the course, with #p2 for its second problem.`,
        line,
      );
    } else if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) {
      sink.error(
        'carnet.attempts',
        `The attempts of "${key}" should be a whole number from 0 (unlimited) to 1000.`,
        line,
      );
    } else {
      meta.attempts.push({ quiz: trimSlashes(match[1]!), problem: match[2] ?? null, attempts: n, line });
    }
  }
}

const TARGET = /^corrections(\.[A-Za-z_]\w*)+$/;

function readHiddenChecks(value: unknown, file: YamlFile, sink: DiagnosticSink, meta: CourseMeta): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    sink.error(
      'carnet.hidden-checks',
      'hidden-checks should map "default", a module or module.exercise to a share such as 1/3 or a count, e.g. "corrections.exo_duree: 2".',
      file.lineOf(['hidden-checks']),
    );
    return;
  }
  for (const [key, share] of Object.entries(value)) {
    const line = file.lineOf(['hidden-checks', key]);
    const text = typeof share === 'number' ? String(share) : typeof share === 'string' ? share.trim() : '';
    const fraction = /^(\d{1,3})\/(\d{1,3})$/.exec(text);
    if (key !== 'default' && !TARGET.test(key)) {
      sink.error(
        'carnet.hidden-checks',
        `"${key}" is not an exercise module: write "default", a module such as corrections.exo_duree, or module.exercise.`,
        line,
      );
    } else if (!(
      /^\d{1,3}$/.test(text) ||
      (fraction && Number(fraction[2]) > 0 && Number(fraction[1]) <= Number(fraction[2]))
    )) {
      sink.error(
        'carnet.hidden-checks',
        `The hidden checks of "${key}" should be a share such as 1/3 or a whole number of datasets (0 for none).`,
        line,
      );
    } else {
      meta.hiddenChecks.push({ target: key, share: text, line });
    }
  }
}

function readHiddenDatasets(value: unknown, file: YamlFile, sink: DiagnosticSink, meta: CourseMeta): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    sink.error(
      'carnet.hidden-datasets',
      'hidden-datasets should map module.exercise to a list of datasets, e.g. "corrections.exo_duree.exo_duree: [Args(7322)]".',
      file.lineOf(['hidden-datasets']),
    );
    return;
  }
  for (const [key, list] of Object.entries(value)) {
    const line = file.lineOf(['hidden-datasets', key]);
    if (!TARGET.test(key) || key.split('.').length < 3) {
      sink.error('carnet.hidden-datasets', `"${key}" should name one exercise: module.exercise.`, line);
    } else if (!Array.isArray(list) || list.length === 0 || !list.every((e) => typeof e === 'string' && e.trim())) {
      sink.error(
        'carnet.hidden-datasets',
        `The hidden datasets of "${key}" should be a list of Python expressions such as Args(7322).`,
        line,
      );
    } else {
      const expressions = (list as string[]).map((expression, i) => ({
        expression: expression.trim(),
        line: file.lineOf(['hidden-datasets', key, i]),
      }));
      meta.hiddenDatasets.push({ target: key, expressions, line });
    }
  }
}

function readVideos(value: unknown, file: YamlFile, sink: DiagnosticSink, meta: CourseMeta): void {
  if (value === undefined) return;
  if (!isJsonObject(value)) {
    sink.error(
      'carnet.videos',
      'videos should map each sequence (w1-s2) to its video, e.g. "w1-s2: { file: media/w1-s2.webm }".',
      file.lineOf(['videos']),
    );
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    const result = readVideoDeclaration(key, entry, file.lineOf(['videos', key]));
    if ('value' in result) meta.videos.push(result.value);
    else
      for (const problem of result.problems)
        sink.error('carnet.videos', problem.message, file.lineOf(['videos', key, ...problem.path]));
  }
}

function readStaticMappings(value: unknown, file: YamlFile, sink: DiagnosticSink): StaticMapping[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) {
    sink.warning(
      'nbhosting.static-mappings',
      'static-mappings should be a list of {source, destination}.',
      file.lineOf(['static-mappings']),
    );
    return null;
  }
  const result: StaticMapping[] = [];
  value.forEach((entry, i) => {
    const source = isJsonObject(entry) ? stringOrNull(entry['source']) : null;
    const destination = isJsonObject(entry) ? stringOrNull(entry['destination']) : null;
    if (source && destination && isSafeRelative(source) && isSafeRelative(destination)) {
      result.push({ source: trimSlashes(source), destination: trimSlashes(destination) });
    } else {
      sink.warning(
        'nbhosting.static-mapping',
        'Each static mapping needs a source and a destination, both relative paths inside the course.',
        file.lineOf(['static-mappings', i]),
      );
    }
  });
  return result;
}

function readNbhostingTracks(value: unknown, file: YamlFile, sink: DiagnosticSink): ManifestTrack[] | null {
  if (!Array.isArray(value)) {
    sink.error(
      'nbhosting.tracks',
      'tracks should be a list of tracks, each with a name, an id and sections.',
      file.lineOf(['tracks']),
    );
    return null;
  }
  const tracks: ManifestTrack[] = [];
  value.forEach((raw, t) => {
    if (!isJsonObject(raw)) {
      sink.error(
        'nbhosting.track',
        'A track should be a mapping with name, id, description and sections.',
        file.lineOf(['tracks', t]),
      );
      return;
    }
    const name = stringOrNull(raw['name']) ?? stringOrNull(raw['id']) ?? `Track ${t + 1}`;
    const id = slugify(stringOrNull(raw['id']) ?? name) || `track-${t + 1}`;
    const sections: ManifestTrack['sections'] = [];
    const rawSections = raw['sections'];
    if (!Array.isArray(rawSections)) {
      sink.error('nbhosting.sections', `Track "${name}" needs a list of sections.`, file.lineOf(['tracks', t]));
      return;
    }
    rawSections.forEach((section, s) => {
      const where = file.lineOf(['tracks', t, 'sections', s]);
      if (!isJsonObject(section)) {
        sink.error('nbhosting.section', 'A section should be a mapping with a name and notebooks.', where);
        return;
      }
      const notebooks = section['notebooks'];
      const patterns = typeof notebooks === 'string' ? [notebooks] : notebooks;
      if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) {
        sink.error(
          'nbhosting.notebooks',
          'A section needs notebooks: a list of glob patterns such as w1/w1-s*-c*.md.',
          where,
        );
        return;
      }
      sections.push({
        name: stringOrNull(section['name']) ?? `Section ${s + 1}`,
        patterns: patterns as string[],
        file: sink.file,
        line: where,
      });
    });
    tracks.push({ id, name, description: stringOrNull(raw['description']) ?? '', sections });
  });
  return tracks;
}

/**
 * A MyST table of contents becomes one track: each top-level entry with a title and children is a
 * section; loose top-level files and patterns are gathered into untitled sections between them.
 */
function readMystToc(
  value: unknown,
  file: YamlFile,
  sink: DiagnosticSink,
  base: (string | number)[],
): ManifestTrack[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) {
    sink.warning(
      'myst-toc.toc',
      'toc should be a list of entries (file:, pattern:, or title: with children:).',
      file.lineOf(base),
    );
    return null;
  }
  const sections: ManifestTrack['sections'] = [];
  let loose: string[] = [];
  let looseLine = 1;
  const flushLoose = (): void => {
    if (loose.length > 0) sections.push({ name: '', patterns: loose, file: sink.file, line: looseLine });
    loose = [];
  };
  const collect = (entries: unknown[], path: (string | number)[], into: string[]): void => {
    entries.forEach((entry, i) => {
      if (!isJsonObject(entry)) {
        sink.warning(
          'myst-toc.entry',
          'A toc entry should be a mapping with file:, pattern: or title:.',
          file.lineOf([...path, i]),
        );
        return;
      }
      const fileEntry = stringOrNull(entry['file']);
      const pattern = stringOrNull(entry['pattern']);
      if (fileEntry) into.push(globEscape(trimSlashes(fileEntry)));
      if (pattern) into.push(trimSlashes(pattern));
      if (Array.isArray(entry['children'])) collect(entry['children'], [...path, i, 'children'], into);
    });
  };
  value.forEach((entry, i) => {
    if (isJsonObject(entry) && typeof entry['title'] === 'string' && Array.isArray(entry['children'])) {
      flushLoose();
      const patterns: string[] = [];
      const own = stringOrNull(entry['file']);
      if (own) patterns.push(globEscape(trimSlashes(own)));
      collect(entry['children'], [...base, i, 'children'], patterns);
      sections.push({ name: entry['title'], patterns, file: sink.file, line: file.lineOf([...base, i]) });
    } else {
      if (loose.length === 0) looseLine = file.lineOf([...base, i]);
      collect([entry], [...base, i], loose);
    }
  });
  flushLoose();
  return [{ id: 'toc', name: '', description: '', sections }];
}

function isSafeRelative(path: string): boolean {
  return !path.startsWith('/') && !path.split('/').includes('..');
}

function trimSlashes(path: string): string {
  return path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

function globEscape(path: string): string {
  return path.replace(/[*?[\]{}()!]/g, (c) => `\\${c}`);
}

/** Lower-case ASCII words joined by dashes: `Semaine 1 — Bases` → `semaine-1-bases`. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export type { JsonObject };
