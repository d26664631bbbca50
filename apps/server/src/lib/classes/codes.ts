import { randomInt } from 'node:crypto';
import { PASSWORD_WORDS } from './words.ts';

/**
 * The random parts of classes (pure): join codes, pupil identifiers and first-time passwords.
 * Every draw comes from the system's CSPRNG.
 */

/** Join-code characters: capitals and digits without 0/O and 1/I, read aloud or copied from a board. */
export const JOIN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;

/** Identifier suffix characters: lower case without 0/o, 1/i/l. */
const SUFFIX_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const SUFFIX_LENGTH = 4;

function draw(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A fresh join code (32⁶ ≈ 10⁹ codes). */
export function randomJoinCode(): string {
  return draw(JOIN_ALPHABET, JOIN_CODE_LENGTH);
}

/**
 * A typed or linked code as stored: spaces and dashes dropped, upper case. Null when it cannot be
 * a code (wrong length, a character outside the alphabet): no look-up, and no attempt counted.
 */
export function normaliseJoinCode(input: string): string | null {
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const c of code) if (!JOIN_ALPHABET.includes(c)) return null;
  return code;
}

/**
 * The readable start of a pupil's identifier, from the name the teacher pasted: accents dropped,
 * letters and digits only, lower case, 12 characters at most; 'eleve' when nothing is left.
 */
export function identifierStem(name: string): string {
  const stem = name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 12);
  return stem || 'eleve';
}

/**
 * A pupil's login identifier: `ada.k7q3`. It never holds an '@', so it can never be an e-mail
 * address: the two share users.email_key (ADR 048).
 */
export function randomIdentifier(stem: string): string {
  return `${stem}.${draw(SUFFIX_ALPHABET, SUFFIX_LENGTH)}`;
}

/** Whether a login name is a pupil identifier rather than an e-mail address. */
export function isPupilIdentifier(login: string): boolean {
  return !login.includes('@');
}

/** A first-time password: three words and two digits, `lapin-phare-tulipe-42` (≈ 31 bits). */
export function firstPassword(): string {
  const words = [0, 1, 2].map(() => PASSWORD_WORDS[randomInt(PASSWORD_WORDS.length)]!);
  return `${words.join('-')}-${String(randomInt(100)).padStart(2, '0')}`;
}
