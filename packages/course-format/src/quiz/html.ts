/**
 * The inline HTML of `.quiz` files: repair of the authors' usual slips, and the wrapping of text
 * paragraphs. The output is still unsanitised author HTML; the renderer sanitises it.
 */

import type { DiagnosticSink } from '../diagnostics.ts';

/** Tags that authors write on purpose; any other `<` is text (raw Python such as `if a<b:`). */
const KNOWN_TAGS =
  'code|b|i|em|strong|u|s|sub|sup|span|br|p|a|pre|h[1-6]|ul|ol|li|div|img|hr|table|thead|tbody|tr|th|td|blockquote|small|kbd';

/** A `<` that does not open a known tag (opening, closing or self-closing, with attributes). */
const STRAY_LESS_THAN = new RegExp(`<(?!/?(?:${KNOWN_TAGS})(?=[\\s/>])[^<>]*>)`, 'gi');

/** Paragraphs starting with one of these are already blocks and are not wrapped in `<p>`. */
const BLOCK_START = /^<(?:p|pre|h[1-6]|div|ul|ol|table|blockquote|hr)(?=[\s/>])/i;

/** `<\code>`: a closing tag typed with a backslash, a slip found in real files. */
const MALFORMED_CLOSING_TAG = /<\\([A-Za-z][A-Za-z0-9]*)\s*>/g;

/**
 * Rewrites `<\name>` as `</name>` in one physical line, warning at each repair. The rewrite keeps
 * the line's length up to the tag, so later columns on the line stay those of the author's file.
 */
export function repairClosingTags(text: string, line: number, sink: DiagnosticSink): string {
  return text.replace(MALFORMED_CLOSING_TAG, (written: string, name: string, offset: number) => {
    sink.warning(
      'quiz.malformed-closing-tag',
      `The closing tag ${written} is written with a backslash; it is read as </${name}>. ` +
        `Closing tags are written with a slash: </${name}>.`,
      line,
      offset + 1,
    );
    return `</${name}>`;
  });
}

/** Escapes every `<` that does not begin a known tag; entities such as `&lt;` are kept as written. */
export function escapeStrayLessThan(html: string): string {
  return html.replace(STRAY_LESS_THAN, '&lt;');
}

/** Inline HTML of a one-line construct (title, option, label, hint, feedback). */
export function inlineHtml(text: string): string {
  return escapeStrayLessThan(text.trim());
}

/** One paragraph of text lines as HTML: wrapped in `<p>` unless it already starts with a block tag. */
export function paragraphHtml(lines: readonly string[]): string {
  const html = escapeStrayLessThan(lines.join('\n').trim());
  return BLOCK_START.test(html) ? html : `<p>${html}</p>`;
}

/** Free text (an explanation) as HTML paragraphs split at blank lines; null when it is empty. */
export function textHtml(lines: readonly string[]): string | null {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, '']) {
    if (line.trim() !== '') {
      current.push(line);
    } else if (current.length > 0) {
      paragraphs.push(paragraphHtml(current));
      current = [];
    }
  }
  return paragraphs.length > 0 ? paragraphs.join('\n') : null;
}
