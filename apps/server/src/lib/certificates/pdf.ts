/**
 * A certificate as a one-page PDF (A4 landscape) drawn with pdfkit (ADR 036): DejaVu Sans and
 * DejaVu Sans Bold embedded as subsets (only the glyphs the page uses) with their Unicode map, so
 * text can be selected, copied and extracted as written; laid out by fontkit (kerning, accents
 * raised over capitals); a link on the verification URL. Deterministic: the same certificate
 * gives the same bytes.
 */
import type { Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import { documentFonts, printableText } from './fonts.ts';

export interface CertificatePdfText {
  /** Document title (metadata). */
  title: string;
  /** The language of the labels (the document's /Lang). */
  lang: string;
  heading: string;
  /** "awarded to" */
  awardedTo: string;
  name: string;
  /** "for passing the course" */
  forCourse: string;
  course: string;
  session: string;
  /** e.g. "Grade: 87 %", or null when the session does not print grades. */
  grade: string | null;
  /** e.g. "Issued on 3 March 2026" */
  issued: string;
  /** "Verify at" */
  verifyLabel: string;
  verifyUrl: string;
  /** "Code: XXXX-…" */
  code: string;
  /** Site name, top left. */
  site: string;
}

const WIDTH = 842;
const HEIGHT = 595;
const MARGIN = 70;

type Face = 'regular' | 'bold';
type Rgb = [number, number, number];

/** pdfkit takes colours as 0–255 components. */
const rgb = (r: number, g: number, b: number): Rgb => [r * 255, g * 255, b * 255];
const FRAME = rgb(0.16, 0.29, 0.48);
const MUTED = rgb(0.2, 0.2, 0.2);
const INK = rgb(0, 0, 0);
const LINK = rgb(0.1, 0.25, 0.6);

/** Draws on one page in PDF coordinates (origin bottom left, y = the baseline), as before pdfkit. */
class Page {
  constructor(readonly doc: PDFKit.PDFDocument) {}

  private width(face: Face, size: number, text: string): number {
    return this.doc.font(face).fontSize(size).widthOfString(text);
  }

  private draw(face: Face, size: number, x: number, y: number, text: string, color: Rgb): void {
    this.doc.font(face).fontSize(size).fillColor(color);
    this.doc.text(text, x, HEIGHT - y, { lineBreak: false, baseline: 'alphabetic' });
  }

  /** A line centred on the page; shrunk to fit between the margins. */
  centred(face: Face, size: number, y: number, raw: string, color: Rgb): void {
    const text = printableText(raw);
    const max = WIDTH - 2 * MARGIN;
    let s = size;
    while (s > 8 && this.width(face, s, text) > max) s -= 0.5;
    this.draw(face, s, (WIDTH - this.width(face, s, text)) / 2, y, text, color);
  }

  /** A line from `x`; returns its width. */
  left(face: Face, size: number, x: number, y: number, raw: string, color: Rgb): number {
    const text = printableText(raw);
    this.draw(face, size, x, y, text, color);
    return this.width(face, size, text);
  }

  /** A rectangle's outline, from its bottom-left corner. */
  frame(x: number, y: number, w: number, h: number, lineWidth: number): void {
    this.doc
      .lineWidth(lineWidth)
      .rect(x, HEIGHT - y - h, w, h)
      .stroke(FRAME);
  }
}

/**
 * pdfkit takes a parsed fontkit font wherever it takes font bytes (its types say only bytes or a
 * path): the fonts are then parsed once per process rather than once per certificate.
 */
const source = (font: Font): string => font as unknown as string;

/** The certificate's PDF bytes. `created` is the issue date (metadata). */
export function certificatePdf(text: CertificatePdfText, created: Date): Promise<Buffer> {
  const fonts = documentFonts();
  const doc = new PDFDocument({
    size: [WIDTH, HEIGHT],
    margin: 0,
    pdfVersion: '1.7',
    lang: text.lang,
    displayTitle: true,
    // Our bold face as the default font, or pdfkit would parse Helvetica's metrics for nothing.
    font: source(fonts.bold),
    info: { Title: text.title, Author: text.name, Creator: 'Carnet', Producer: 'Carnet', CreationDate: created },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', source(fonts.regular));
  doc.registerFont('bold', source(fonts.bold));

  const page = new Page(doc);
  // Border: a thick frame and a thin one inside it.
  page.frame(24, 24, 794, 547, 4);
  page.frame(34, 34, 774, 527, 0.8);
  page.left('bold', 12, 50, HEIGHT - 62, text.site, FRAME);
  page.centred('bold', 34, 455, text.heading, FRAME);
  page.centred('regular', 15, 405, text.awardedTo, MUTED);
  page.centred('bold', 30, 360, text.name, INK);
  page.centred('regular', 15, 318, text.forCourse, MUTED);
  page.centred('bold', 22, 282, text.course, INK);
  page.centred('regular', 15, 252, text.session, INK);
  if (text.grade) page.centred('regular', 15, 222, text.grade, INK);
  page.centred('regular', 13, 185, text.issued, INK);
  // Verification, bottom left: label, URL (a link), code.
  const labelWidth = page.left('regular', 10, 50, 70, `${text.verifyLabel} `, MUTED);
  const urlWidth = page.left('regular', 10, 50 + labelWidth, 70, text.verifyUrl, LINK);
  doc.link(50 + labelWidth, HEIGHT - 80, urlWidth, 14, text.verifyUrl);
  page.left('bold', 11, 50, 52, text.code, INK);
  doc.end();
  return done;
}
