/**
 * The certificate's fonts (ADR 036): DejaVu Sans and DejaVu Sans Bold, from the `dejavu-fonts-ttf`
 * npm package (free licence: Bitstream Vera and Arev terms, DejaVu's changes in the public domain),
 * read and parsed once per process. What they print: every letter they have in the scripts that
 * run left to right without joining (Latin with Vietnamese and African letters, Greek, Cyrillic,
 * Armenian, Georgian, Tifinagh, Cherokee, Canadian syllabics), plus the common signs. Other scripts
 * do not: Hebrew, Arabic and N'Ko run right to left (the last two join), CJK and most emoji have
 * no glyph.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, type Font } from 'fontkit';

export interface CertificateFonts {
  regular: Font;
  bold: Font;
}

let loaded: CertificateFonts | null = null;

const bytes = new Map<string, Buffer>();

function load(file: string): Font {
  // Resolved through Node's module resolution: the files ship in node_modules, on any machine.
  let data = bytes.get(file);
  if (!data) {
    data = readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`));
    bytes.set(file, data);
  }
  const font = create(data);
  if (!('layout' in font)) throw new Error(`${file} is a font collection, not a font`);
  return keepMarksInLine(font);
}

/**
 * A combining accent with no precomposed letter (the grave of "ọ̀", the acute of "Ɔ́") is placed
 * by the font's mark positioning, which moves it up over a capital and a little sideways. Text
 * extractors (pdftotext, a viewer's copy) guess spaces from the gaps between glyphs, and a mark
 * moved back over its letter reads as a gap after it: "Tɔ́gbɛ" came out as "Tɔ́ gbɛ". So the
 * layout keeps the vertical offset and drops the horizontal one: the mark is drawn where the pen
 * is, right after its letter, which these fonts' zero-width marks are designed for. Only this
 * process's certificate fonts are patched (pdfkit calls `layout` for every line it draws).
 */
function keepMarksInLine(font: Font): Font {
  const layout = font.layout.bind(font);
  font.layout = (...args: Parameters<Font['layout']>) => {
    const run = layout(...args);
    run.glyphs.forEach((glyph, i) => {
      if (glyph.isMark) run.positions[i]!.xOffset = 0;
    });
    return run;
  };
  return font;
}

/** The two faces, parsed on first use, for the checks of which characters print. */
export function certificateFonts(): CertificateFonts {
  loaded ??= { regular: load('DejaVuSans.ttf'), bold: load('DejaVuSans-Bold.ttf') };
  return loaded;
}

/**
 * The two faces for one PDF, parsed anew from bytes read once: a parsed font shared by several
 * documents carried one document's layout state into the next (a name later extracted as two
 * lines, about three runs in four of the certificates test), so each document gets its own.
 */
export function documentFonts(): CertificateFonts {
  return { regular: load('DejaVuSans.ttf'), bold: load('DejaVuSans-Bold.ttf') };
}

/**
 * Scripts that print correctly by laying glyphs from left to right (positioning marks, no
 * reordering or joining): the fonts' cover of the others would print them wrong, so they count
 * as missing. Common and Inherited are digits, punctuation, spaces and combining accents.
 */
const SIMPLE_SCRIPT =
  /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Georgian}\p{Script=Tifinagh}\p{Script=Cherokee}\p{Script=Canadian_Aboriginal}\p{Script=Common}\p{Script=Inherited}]$/u;

/** Variation selectors only choose between text and emoji styles: not needed to print. */
const VARIATION_SELECTORS = /[\ufe0e\ufe0f]/g;

function prints(fonts: CertificateFonts, text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (!SIMPLE_SCRIPT.test(ch) || !fonts.regular.hasGlyphForCodePoint(code) || !fonts.bold.hasGlyphForCodePoint(code))
      return false;
  }
  return true;
}

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** A user-perceived character (grapheme) as the certificate prints it, or null if it cannot. */
function printedGrapheme(fonts: CertificateFonts, grapheme: string): string | null {
  // NFC only: the fonts have every precomposed Latin, Greek and Cyrillic letter whose parts they have, so
  // decomposing one would print nothing more.
  const plain = grapheme.replace(VARIATION_SELECTORS, '').normalize('NFC');
  return prints(fonts, plain) ? plain : null;
}

/** The distinct characters of `text` that the certificate cannot print, in order of appearance. */
export function unprintableCharacters(text: string): string[] {
  const fonts = certificateFonts();
  const missing = new Set<string>();
  for (const { segment } of segmenter.segment(text)) {
    if (printedGrapheme(fonts, segment) === null) missing.add(segment);
  }
  return [...missing];
}

/** The replacement character, printed where a character cannot be (the fonts have it). */
const REPLACEMENT = '\ufffd';

/** `text` as the certificate prints it: each character it cannot print becomes U+FFFD. */
export function printableText(text: string): string {
  const fonts = certificateFonts();
  let out = '';
  for (const { segment } of segmenter.segment(text)) out += printedGrapheme(fonts, segment) ?? REPLACEMENT;
  return out;
}
