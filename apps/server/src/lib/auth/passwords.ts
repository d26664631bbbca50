import { hash, verify, type Options } from '@node-rs/argon2';
import type { MessageKey } from '../../i18n/index.ts';

/**
 * argon2id with OWASP's first recommended configuration (19 MiB, 2 passes, 1 lane): about 20 ms on
 * the development machine. Hashes are PHC strings carrying their parameters, so raising these
 * later re-hashes each password at its owner's next login.
 */
export const ARGON2_PARAMS = {
  // Algorithm.Argon2id: the package declares it as a const enum, which isolated modules cannot read.
  algorithm: 2 as NonNullable<Options['algorithm']>,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} satisfies Options;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Hashes a password for storage. */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), ARGON2_PARAMS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown e-mail, account without a
 * password) it still spends the time of a verification, so timing does not tell accounts apart.
 * `rehash` says the stored hash uses weaker parameters than today's.
 */
export async function verifyPassword(
  stored: string | null | undefined,
  password: string,
): Promise<{ ok: boolean; rehash: boolean }> {
  if (!stored) {
    dummyHash ??= hashPassword('not a password of anyone');
    await verify(await dummyHash, password).catch(() => false);
    return { ok: false, rehash: false };
  }
  const ok = await verify(stored, password.normalize('NFC')).catch(() => false);
  return {
    ok,
    rehash:
      ok &&
      !stored.startsWith(
        `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`,
      ),
  };
}

/** Why a new password is refused (a catalogue key), or null when it is acceptable. */
export function passwordProblem(password: string, email: string): MessageKey | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return 'form.password.tooShort';
  if (length > PASSWORD_MAX) return 'form.password.tooLong';
  const lower = password.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (lower === email.toLowerCase() || (local.length >= 4 && lower.includes(local))) return 'form.password.likeEmail';
  if (new Set(lower).size <= 2) return 'form.password.tooSimple';
  return null;
}
