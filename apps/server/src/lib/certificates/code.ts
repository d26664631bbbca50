/**
 * Verification codes: 80 random bits as 16 characters of Crockford's base32 (no I, L, O, U: nothing
 * to misread), printed in four groups (`7QK2-M9XD-…`). Look-ups forgive case, spaces, missing
 * hyphens and the usual confusions (O for 0, I and L for 1). Pure.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 16;

/** A new random code, canonical form. */
export function generateCode(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return group(out);
}

function group(chars: string): string {
  return chars.match(/.{4}/g)!.join('-');
}

/** The canonical form of a typed code, or null when it cannot be one. */
export function normalizeCode(input: string): string | null {
  if (input.length > 64) return null;
  const chars = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (chars.length !== CODE_LENGTH) return null;
  for (const c of chars) if (!ALPHABET.includes(c)) return null;
  return group(chars);
}
