/** The name printed on certificates: what a learner may choose. */
import type { MessageKey } from '../../i18n/index.ts';
import { unprintableCharacters } from './fonts.ts';

export const CERTIFICATE_NAME_MAX = 100;

/**
 * Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide
 * text (bidirectional overrides and isolates, zero-width joiners at the edges are trimmed anyway):
 * a printed name must read as it is stored.
 */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/u;

/** The name as stored: NFC, trimmed, inner runs of spaces collapsed. */
export function cleanCertificateName(input: string): string {
  return input.normalize('NFC').trim().replace(/\s+/g, ' ');
}

/**
 * Why a (cleaned) name cannot be printed, or null. A name with characters the certificate's fonts
 * cannot print (ADR 036) is refused rather than printed approximately: its holder chooses how it
 * is written in the scripts the PDF prints (`unprintableCharacters` says which characters).
 */
export function certificateNameProblem(name: string): MessageKey | null {
  if (name.length === 0) return 'certificates.name.required';
  if ([...name].length > CERTIFICATE_NAME_MAX || FORBIDDEN.test(name)) return 'certificates.name.invalid';
  if (unprintableCharacters(name).length > 0) return 'certificates.name.unprintable';
  return null;
}
