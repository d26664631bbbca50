/**
 * Text for PDF's standard Type 1 fonts (Helvetica, Helvetica-Bold), which every PDF reader has:
 * WinAnsiEncoding (Windows-1252: French accents, œ, €, typographic quotes) and advance widths, to
 * centre lines and shrink long ones. Pure.
 */

/** Unicode → WinAnsi for the code points 0x80–0x9F that differ from Latin-1. */
const WIN_ANSI_EXTRA: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};

/**
 * A string as WinAnsi bytes. A character the encoding lacks is replaced by its base letter when it
 * has one (ő → o), else by "?": the standard fonts cannot show other scripts (the HTML page can).
 */
export function toWinAnsi(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) out.push(code);
    else if (WIN_ANSI_EXTRA[ch] !== undefined) out.push(WIN_ANSI_EXTRA[ch]);
    else if (code < 0x20 || code === 0x7f) continue;
    else {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      const b = base.codePointAt(0);
      out.push(base.length === 1 && b !== undefined && b >= 0x20 && b <= 0xff && b !== 0x7f ? b : 0x3f);
    }
  }
  return out;
}

// Advance widths (1/1000 em) of the printable ASCII characters 0x20–0x7E.
// prettier-ignore
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// prettier-ignore
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
  975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
  333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
  611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

export type FontName = 'Helvetica' | 'Helvetica-Bold';

/** Width of a WinAnsi byte: accented letters are as wide as their base letter in these fonts. */
function byteWidth(widths: number[], byte: number): number {
  if (byte >= 0x20 && byte <= 0x7e) return widths[byte - 0x20]!;
  if (byte >= 0xc0) {
    if (byte >= 0xec && byte <= 0xef) return 278; // ì í î ï: a dotless i
    if (byte === 0xd0) return 722; // Ð
    if (byte === 0xde) return 667; // Þ
    if (byte === 0xd7 || byte === 0xf7) return 584; // × ÷
    if (byte === 0xf0 || byte === 0xfe) return widths === HELVETICA ? 556 : 611; // ð þ
    const base = String.fromCharCode(byte).normalize('NFD')[0]!.charCodeAt(0);
    if (base >= 0x20 && base <= 0x7e) return widths[base - 0x20]!;
    if (byte === 0xc6) return 1000; // Æ
    if (byte === 0xe6) return 889; // æ
    if (byte === 0xdf) return 611; // ß
    if (byte === 0xd8) return 778; // Ø
    if (byte === 0xf8) return 611; // ø
  }
  if (byte === 0x8c || byte === 0x9c) return byte === 0x8c ? 1000 : 944; // Œ œ
  if (byte === 0x80 || byte === 0x95) return 556;
  if (byte === 0x85 || byte === 0x89 || byte === 0x97 || byte === 0x99) return 1000;
  return 556;
}

/** The width of `bytes` at `size` points. */
export function textWidth(font: FontName, bytes: number[], size: number): number {
  const widths = font === 'Helvetica' ? HELVETICA : HELVETICA_BOLD;
  return (bytes.reduce((sum, b) => sum + byteWidth(widths, b), 0) * size) / 1000;
}
