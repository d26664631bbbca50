import { inflateRawSync } from 'node:zlib';

/** Why an uploaded archive was refused; each has a message in the catalogues (`notebooks.zip.*`). */
export type ZipProblem =
  | 'not-zip'
  | 'too-many-entries'
  | 'too-large'
  | 'unsafe-path'
  | 'symlink'
  | 'encrypted'
  | 'unsupported'
  | 'duplicate'
  | 'corrupt';

export class ZipError extends Error {
  constructor(
    readonly problem: ZipProblem,
    /** The entry's name as stored in the archive, when one is at fault. */
    readonly entry?: string,
  ) {
    super(entry ? `${problem}: ${entry}` : problem);
    this.name = 'ZipError';
  }
}

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the decompressed sizes, counted as they are inflated (declared sizes can lie). */
  maxTotalBytes: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * The regular files of a zip archive, by their relative path, read from its central directory:
 * refused (ZipError) when it has too many entries, would inflate past `maxTotalBytes`, holds a
 * symbolic link, a device, an absolute path, a `..`, `.` or empty segment or a backslash (zip-slip),
 * an encrypted or zip64 entry, two entries of one name, or bytes that do not match their CRC.
 * Directories are skipped. Pure: nothing is written anywhere.
 */
export function readZip(data: Buffer, limits: ZipLimits): Map<string, Buffer> {
  const end = findEnd(data);
  const declared = data.readUInt16LE(end + 10);
  const cdSize = data.readUInt32LE(end + 12);
  const cdOffset = data.readUInt32LE(end + 16);
  if (declared === 0xffff || cdOffset === 0xffffffff) throw new ZipError('unsupported');
  if (declared > limits.maxEntries) throw new ZipError('too-many-entries');
  if (cdOffset + cdSize > end) throw new ZipError('corrupt');

  const files = new Map<string, Buffer>();
  let total = 0;
  let at = cdOffset;
  for (let n = 0; at < cdOffset + cdSize; n++) {
    if (n >= limits.maxEntries) throw new ZipError('too-many-entries');
    if (at + 46 > data.length || data.readUInt32LE(at) !== CENTRAL) throw new ZipError('corrupt');
    const madeBy = data.readUInt16LE(at + 4) >> 8;
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    const crc = data.readUInt32LE(at + 16);
    const compressedSize = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    const attributes = data.readUInt32LE(at + 38);
    const localOffset = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;

    // Unix archivers (3) and macOS (19) keep the mode in the high half of the external attributes.
    const mode = madeBy === 3 || madeBy === 19 ? attributes >>> 16 : 0;
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw new ZipError('symlink', name);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) throw new ZipError('unsafe-path', name);
    const directory = name.endsWith('/') || type === S_IFDIR;
    const path = safePath(directory ? name.replace(/\/+$/, '') : name);
    if (path === null) throw new ZipError('unsafe-path', name);
    if (directory) continue;
    if (flags & 1) throw new ZipError('encrypted', name);
    if (method !== 0 && method !== 8) throw new ZipError('unsupported', name);
    if (compressedSize === 0xffffffff || size === 0xffffffff) throw new ZipError('unsupported', name);
    if (files.has(path)) throw new ZipError('duplicate', name);

    if (localOffset + 30 > data.length || data.readUInt32LE(localOffset) !== LOCAL) throw new ZipError('corrupt', name);
    const start = localOffset + 30 + data.readUInt16LE(localOffset + 26) + data.readUInt16LE(localOffset + 28);
    if (start + compressedSize > data.length) throw new ZipError('corrupt', name);
    const raw = data.subarray(start, start + compressedSize);
    const budget = limits.maxTotalBytes - total;
    if (size > budget) throw new ZipError('too-large', name);
    const content = method === 0 ? Buffer.from(raw) : inflate(raw, budget, name);
    if (content.length !== size || crc32(content) !== crc) throw new ZipError('corrupt', name);
    total += content.length;
    files.set(path, content);
  }
  return files;
}

/** Inflates at most `budget` bytes: a bomb stops at the budget, whatever its header declares. */
function inflate(raw: Buffer, budget: number, name: string): Buffer {
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, budget) });
  } catch (error) {
    if (error instanceof RangeError) throw new ZipError('too-large', name);
    throw new ZipError('corrupt', name);
  }
}

/** The end-of-central-directory record's offset, searched back over the longest comment. */
function findEnd(data: Buffer): number {
  const last = Math.max(0, data.length - 22 - 0xffff);
  for (let at = data.length - 22; at >= last; at--) {
    if (data.readUInt32LE(at) === EOCD) return at;
  }
  throw new ZipError('not-zip');
}

/** `name` as a relative path of plain segments, or null (absolute, drive letter, `..`, backslash, NUL). */
export function safePath(name: string): string | null {
  if (name === '' || name.startsWith('/') || /^[A-Za-z]:/.test(name) || /[\\\0]/.test(name)) return null;
  const segments = name.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return name;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309), as zip stores it. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
