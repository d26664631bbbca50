import type { Diagnostic } from '../diagnostics.ts';
import { parseItemName } from '../naming.ts';
import type { VideoDeclaration, VideoSource } from './sources.ts';
import { parseSrt, type Cue } from './srt.ts';

/**
 * A sequence's video material (issue 12), gathered from the `av` files of its week folder
 * (course-folder.md §2, §5) and carnet.yml's `videos:`: the videos (one, or `a` and `b`), each with
 * its subtitles per language, and what goes with them — the spoken script, slide decks, the code
 * typed in the video. Pure: the files' contents come from `read`.
 */
export interface VideoSequence {
  /** `w1-s2`: the sequence, whatever the number of videos. */
  key: string;
  week: number;
  sequence: number;
  /** Its videos in order (`a` before `b`); a video without a declared source has `source: null`. */
  videos: SequenceVideo[];
}

export interface SequenceVideo {
  /** The av stem: `w1-s2`, `w2-s3a`. */
  key: string;
  part: string | null;
  title: string | null;
  source: VideoSource | null;
  /** One per `.LANG.srt` file, cues read (WebVTT is written from them). */
  subtitles: { language: string; path: string; cues: Cue[] }[];
  /** The spoken script (`-av.txt`, or a `-av.md` that is not a notebook). */
  scripts: string[];
  /** Slide decks: a slideshow notebook (`-av.ipynb`, `-av-slides.md`), `.pptx` or `.pdf` to download. */
  slides: { path: string; notebook: boolean }[];
  /** Code typed in the video (`-av-exoK.py`, `-av-code.html`). */
  code: string[];
}

/** Builds the sequences; `isNotebook` says whether a path was read as a notebook item. */
export function buildVideoSequences(
  paths: Iterable<string>,
  declarations: readonly VideoDeclaration[],
  read: (path: string) => string | null,
  isNotebook: (path: string) => boolean,
  diagnostics: Diagnostic[],
): VideoSequence[] {
  const videos = new Map<string, SequenceVideo & { week: number; sequence: number }>();
  const video = (
    week: number,
    sequence: number,
    part: string | null,
  ): SequenceVideo & { week: number; sequence: number } => {
    const key = `w${week}-s${sequence}${part ?? ''}`;
    let found = videos.get(key);
    if (!found) {
      found = {
        key,
        part,
        title: null,
        source: null,
        subtitles: [],
        scripts: [],
        slides: [],
        code: [],
        week,
        sequence,
      };
      videos.set(key, found);
    }
    return found;
  };
  const present = new Set<string>();
  for (const path of paths) {
    present.add(path);
    const name = parseItemName(path);
    if (!name || name.kind !== 'video') continue;
    const target = video(name.week, name.sequence, name.sequenceSuffix || null);
    const base = path.slice(path.lastIndexOf('/') + 1);
    const rest = base.slice(base.search(/-av/i) + 3).toLowerCase();
    const srt = /^\.([a-z]{2,3}(?:-[a-z0-9]+)?)\.srt$/i.exec(rest) ?? (rest === '.srt' ? ['', 'fr'] : null);
    if (srt) {
      const result = parseSrt(read(path) ?? '', path);
      diagnostics.push(...result.diagnostics);
      if (result.value) target.subtitles.push({ language: srt[1]!.toLowerCase(), path, cues: result.value });
    } else if (rest === '.txt' || (rest === '.md' && !isNotebook(path))) target.scripts.push(path);
    else if (
      /\.(pptx|pdf)$/.test(rest) ||
      /^-slide/.test(rest) ||
      ((rest === '.ipynb' || rest === '.md') && isNotebook(path))
    ) {
      target.slides.push({ path, notebook: isNotebook(path) });
    } else if (/^-exo\d*\.py$/.test(rest) || rest === '-code.html') target.code.push(path);
  }
  for (const declaration of declarations) {
    const target = video(declaration.week, declaration.sequence, declaration.part);
    target.source = declaration.source;
    target.title = declaration.title;
    const files = [
      ...(declaration.source.kind === 'media'
        ? declaration.source.renditions.flatMap((r) => (r.kind === 'file' ? [r.path] : []))
        : []),
      ...(declaration.source.poster?.kind === 'file' ? [declaration.source.poster.path] : []),
    ];
    for (const file of files) {
      if (!present.has(file)) {
        diagnostics.push({
          severity: 'error',
          code: 'carnet.videos',
          message: `The video of ${declaration.key} names ${file}, which is not in the course folder.`,
          file: 'carnet.yml',
          line: declaration.line,
          column: 1,
        });
      }
    }
  }
  const sequences = new Map<string, VideoSequence>();
  for (const v of [...videos.values()].sort(
    (a, b) => a.week - b.week || a.sequence - b.sequence || (a.part ?? '').localeCompare(b.part ?? ''),
  )) {
    if (!v.source) {
      const first = v.subtitles[0]?.path ?? v.scripts[0] ?? v.slides[0]?.path ?? v.code[0];
      diagnostics.push({
        severity: 'warning',
        code: 'video.undeclared',
        message: `Sequence ${v.key} has video material but no video: declare it in carnet.yml under videos: ${v.key} (file:, url:, youtube:, vimeo: or peertube:).`,
        file: first ?? 'carnet.yml',
        line: 1,
        column: 1,
      });
    }
    const key = `w${v.week}-s${v.sequence}`;
    let sequence = sequences.get(key);
    if (!sequence) {
      sequence = { key, week: v.week, sequence: v.sequence, videos: [] };
      sequences.set(key, sequence);
    }
    const { week: _week, sequence: _sequence, ...rest } = v;
    sequence.videos.push(rest);
  }
  return [...sequences.values()];
}
