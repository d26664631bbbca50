/**
 * A certificate as a one-page PDF 1.4 (A4 landscape), written directly (ADR 031): the two standard
 * Helvetica fonts in WinAnsiEncoding (no font file embedded), an uncompressed content stream, a
 * link on the verification URL, and a cross-reference table. Pure and deterministic: the same
 * certificate gives the same bytes.
 */
import { textWidth, toWinAnsi, type FontName } from './fonts.ts';

export interface CertificatePdfText {
  /** Document title (metadata). */
  title: string;
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

/** A PDF literal string of WinAnsi bytes: ASCII as is, the rest and the delimiters escaped. */
function literal(bytes: number[]): string {
  let out = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + ')';
}

/** A PDF text string for metadata: UTF-16BE with a byte-order mark, in hex (any Unicode). */
function utf16Hex(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return `<${hex}>`;
}

const num = (n: number): string => (Math.round(n * 100) / 100).toString();

class Page {
  readonly ops: string[] = [];
  /** A line centred on the page; shrunk to fit between the margins. */
  centred(font: FontName, size: number, y: number, text: string): void {
    const bytes = toWinAnsi(text);
    let s = size;
    const max = WIDTH - 2 * MARGIN;
    while (s > 8 && textWidth(font, bytes, s) > max) s -= 0.5;
    const x = (WIDTH - textWidth(font, bytes, s)) / 2;
    this.ops.push(
      `BT /${font === 'Helvetica' ? 'F1' : 'F2'} ${num(s)} Tf ${num(x)} ${num(y)} Td ${literal(bytes)} Tj ET`,
    );
  }
  left(font: FontName, size: number, x: number, y: number, text: string): number {
    const bytes = toWinAnsi(text);
    this.ops.push(
      `BT /${font === 'Helvetica' ? 'F1' : 'F2'} ${num(size)} Tf ${num(x)} ${num(y)} Td ${literal(bytes)} Tj ET`,
    );
    return textWidth(font, bytes, size);
  }
}

/** The certificate's PDF bytes. `created` is the issue date (metadata). */
export function certificatePdf(text: CertificatePdfText, created: Date): Buffer {
  const page = new Page();
  // Border: a thick frame and a thin one inside it.
  page.ops.push('0.16 0.29 0.48 RG 4 w 24 24 794 547 re S 0.8 w 34 34 774 527 re S 0 0 0 RG');
  page.ops.push('0.16 0.29 0.48 rg');
  page.left('Helvetica-Bold', 12, 50, HEIGHT - 62, text.site);
  page.centred('Helvetica-Bold', 34, 455, text.heading);
  page.ops.push('0.2 0.2 0.2 rg');
  page.centred('Helvetica', 15, 405, text.awardedTo);
  page.ops.push('0 0 0 rg');
  page.centred('Helvetica-Bold', 30, 360, text.name);
  page.ops.push('0.2 0.2 0.2 rg');
  page.centred('Helvetica', 15, 318, text.forCourse);
  page.ops.push('0 0 0 rg');
  page.centred('Helvetica-Bold', 22, 282, text.course);
  page.centred('Helvetica', 15, 252, text.session);
  if (text.grade) page.centred('Helvetica', 15, 222, text.grade);
  page.centred('Helvetica', 13, 185, text.issued);
  // Verification, bottom left: label, URL (a link), code.
  page.ops.push('0.2 0.2 0.2 rg');
  const labelWidth = page.left('Helvetica', 10, 50, 70, `${text.verifyLabel} `);
  page.ops.push('0.1 0.25 0.6 rg');
  const urlWidth = page.left('Helvetica', 10, 50 + labelWidth, 70, text.verifyUrl);
  page.ops.push('0 0 0 rg');
  page.left('Helvetica-Bold', 11, 50, 52, text.code);
  const linkRect = [50 + labelWidth, 66, 50 + labelWidth + urlWidth, 80].map(num).join(' ');

  const content = page.ops.join('\n') + '\n';
  const date = `D:${created.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${WIDTH} ${HEIGHT}] ` +
      '/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R /Annots [8 0 R] >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`,
    `<< /Title ${utf16Hex(text.title)} /Author ${utf16Hex(text.name)} /Producer (Carnet) /CreationDate (${date}) >>`,
    `<< /Type /Annot /Subtype /Link /Rect [${linkRect}] /Border [0 0 0] ` +
      `/A << /S /URI /URI ${literal(toWinAnsi(text.verifyUrl))} >> >>`,
  ];
  // A binary comment after the header tells transfer tools the file is binary.
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
