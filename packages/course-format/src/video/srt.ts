import { DiagnosticSink, normaliseText, type Diagnostic, type ParseResult } from '../diagnostics.ts';

/**
 * SubRip subtitles (`wN-sM-av.fr.srt`, course-folder.md §5) → cues, and cues → WebVTT, the form
 * `<track>` reads. Real files carry a UTF-8 BOM or CRLF, lose their cue numbers, write `.` for `,`
 * before the milliseconds, and leave several blank lines between cues: all read. A timestamp that
 * cannot be read, or a cue that ends before it starts, is an error at its line; cues that overlap
 * are a warning (a player shows both; nothing is lost).
 */

export interface Cue {
  /** Milliseconds from the start of the video. */
  start: number;
  end: number;
  /** The cue's lines, markup removed (the transcript's text). */
  text: string;
  /** The cue's lines with the markup WebVTT also knows (`<i>`, `<b>`, `<u>`), the rest escaped. */
  markup: string;
  /** 1-based line of its timing line in the .srt file. */
  line: number;
}

const TIMING =
  /^\s*(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d{1,3}):(\d{1,2}):(\d{1,2})[,.](\d{1,3})(?:\s.*)?$/;
const LOOKS_LIKE_TIMING = /-->/;

/** Parses a .srt file; `file` is its course-relative path (for diagnostics). */
export function parseSrt(text: string, file: string): ParseResult<Cue[]> {
  const sink = new DiagnosticSink(file);
  const lines = normaliseText(text).split('\n');
  const cues: Cue[] = [];
  let i = 0;
  while (i < lines.length) {
    // Blank lines between cues, then an optional cue number, then the timing line.
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    let timingAt = i;
    if (/^\s*\d+\s*$/.test(lines[i]!) && i + 1 < lines.length && LOOKS_LIKE_TIMING.test(lines[i + 1]!))
      timingAt = i + 1;
    const timing = lines[timingAt]!;
    const match = TIMING.exec(timing);
    if (!match) {
      sink.error(
        'srt.timing',
        LOOKS_LIKE_TIMING.test(timing)
          ? `This timing line cannot be read: write "00:01:02,500 --> 00:01:05,000" (hours:minutes:seconds,milliseconds).`
          : `A cue should start with its number and a timing line such as "00:01:02,500 --> 00:01:05,000"; found "${timing.trim().slice(0, 60)}".`,
        timingAt + 1,
      );
      // Skip to the next blank line: the rest of this block belongs to the broken cue.
      i = timingAt + 1;
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    const at = (h: string, m: string, s: string, ms: string): number | null => {
      if (Number(m) > 59 || Number(s) > 59) return null;
      return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms.padEnd(3, '0'));
    };
    const start = at(match[1]!, match[2]!, match[3]!, match[4]!);
    const end = at(match[5]!, match[6]!, match[7]!, match[8]!);
    const body: string[] = [];
    i = timingAt + 1;
    while (i < lines.length && lines[i]!.trim() !== '') body.push(lines[i++]!);
    if (start === null || end === null) {
      sink.error('srt.timing', 'Minutes and seconds in a timestamp go from 00 to 59.', timingAt + 1);
      continue;
    }
    if (end <= start) {
      sink.error(
        'srt.order',
        `This cue ends (${formatTime(end)}) before it starts (${formatTime(start)}).`,
        timingAt + 1,
      );
      continue;
    }
    const previous = cues.at(-1);
    if (previous && start < previous.end) {
      sink.warning(
        'srt.overlap',
        `This cue starts at ${formatTime(start)}, before the previous one (line ${previous.line}) ends at ${formatTime(previous.end)}.`,
        timingAt + 1,
      );
    }
    cues.push({ start, end, text: plainText(body), markup: vttMarkup(body), line: timingAt + 1 });
  }
  if (cues.length === 0 && !sink.hasErrors) sink.warning('srt.empty', 'These subtitles have no cue.');
  return { value: sink.hasErrors ? null : cues, diagnostics: sink.items as Diagnostic[] };
}

/** The cues as a WebVTT file. */
export function toWebVtt(cues: readonly Cue[]): string {
  const parts = ['WEBVTT', ''];
  for (const cue of cues) {
    parts.push(`${formatTime(cue.start, '.')} --> ${formatTime(cue.end, '.')}`, cue.markup, '');
  }
  return parts.join('\n');
}

/** `HH:MM:SS,mmm` (SubRip) or `HH:MM:SS.mmm` (WebVTT). */
export function formatTime(ms: number, separator = ','): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

const TAG = /<\/?([a-zA-Z]+)[^>]*>|\{\\[^}]*\}/g;

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) =>
    name === 'amp'
      ? '&'
      : name === 'lt'
        ? '<'
        : name === 'gt'
          ? '>'
          : name === 'quot'
            ? '"'
            : name === 'nbsp'
              ? ' '
              : "'",
  );
}

/** The text a reader reads: tags (`<i>`, `<font …>`) and SSA overrides (`{\an8}`) removed. */
function plainText(lines: string[]): string {
  return decodeEntities(lines.map((l) => l.replace(TAG, '').trim()).join('\n'));
}

/** WebVTT cue text: `<i>`, `<b>`, `<u>` kept, every other tag dropped, `&` `<` `>` escaped. */
function vttMarkup(lines: string[]): string {
  return (
    lines
      .map((line) => {
        let out = '';
        let last = 0;
        for (const match of line.matchAll(TAG)) {
          out += escapeVtt(decodeEntities(line.slice(last, match.index)));
          const name = match[1]?.toLowerCase();
          if (name === 'i' || name === 'b' || name === 'u')
            out += match[0].startsWith('</') ? `</${name}>` : `<${name}>`;
          last = match.index + match[0].length;
        }
        return (out + escapeVtt(decodeEntities(line.slice(last)))).trim();
      })
      // A blank line would end the cue in WebVTT, and "-->" would read as a timing line.
      .filter((line) => line !== '')
      .map((line) => line.replace(/-->/g, '--&gt;'))
      .join('\n')
  );
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
