/**
 * Byte ranges (RFC 9110 §14) of an immutable file with a strong ETag: what a `Range` request asks
 * for, once `If-Range` is taken into account. Pure.
 */

/** The whole file (no range, one that cannot be read, several, or an `If-Range` that differs), a part, or nothing. */
export type RangeAnswer =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * What to send of a file of `size` bytes. One range only: a request for several is answered with
 * the whole file (a video player asks for one; multipart/byteranges is not worth its code).
 * Syntax the RFC says to ignore is ignored (full); `end` is inclusive.
 */
export function requestedRange(
  range: string | undefined,
  ifRange: string | undefined,
  etag: string,
  size: number,
): RangeAnswer {
  if (range === undefined) return { kind: 'full' };
  // A date never matches: these files have no Last-Modified, only their ETag.
  if (ifRange !== undefined && ifRange.trim() !== etag) return { kind: 'full' };
  const match = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i.exec(range.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'full' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (!Number.isSafeInteger(start) || (last !== '' && !Number.isSafeInteger(end))) return { kind: 'full' };
  if (end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

/** Whether an `If-None-Match` header names this ETag (weakly compared, as the RFC says), or is `*`. */
export function matchesNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}
