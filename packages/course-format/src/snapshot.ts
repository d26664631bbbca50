import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Diagnostic } from './diagnostics.ts';

/**
 * A course folder read into memory: the unit that is hashed, parsed and stored. Building it is
 * the only step of the format library that touches the disk; everything after is pure.
 */
export interface CourseSnapshot {
  /** Regular files by course path (POSIX separators, no leading slash). */
  files: Map<string, Uint8Array>;
  /**
   * Video files (`isMediaPath`) by course path, sorted: never read into memory, only hashed as a
   * stream (ADR 040). Absent in snapshots built by hand: no media.
   */
  media?: Map<string, MediaFile>;
  /** Symbolic links that stay inside the course: link path → course path of the target. */
  links: Map<string, string>;
  /** What was left out and why (hidden files, caches, links leaving the course…). */
  skipped: { path: string; reason: string }[];
  diagnostics: Diagnostic[];
}

/** A video file of the course, left on disk. */
export interface MediaFile {
  size: number;
  /** SHA-256 of its bytes, hex. */
  sha256: string;
  /** Absolute path of the file on disk (the link's target for a linked video). */
  source: string;
}

export interface ReadOptions {
  /** Files larger than this are refused with an error (default 64 MiB). */
  maxFileBytes?: number;
  /** Video files larger than this are refused with an error (default 4 GiB). */
  maxMediaBytes?: number;
}

const MEDIA_EXTENSIONS = /\.(webm|mp4|m4v)$/i;

/** Whether a course path is a video file, kept out of memory (`.webm`, `.mp4`, `.m4v`). */
export function isMediaPath(path: string): boolean {
  return MEDIA_EXTENSIONS.test(path);
}

/** Every course path of a snapshot, files and media, sorted. */
export function snapshotPaths(snapshot: CourseSnapshot): string[] {
  return [...snapshot.files.keys(), ...(snapshot.media?.keys() ?? [])].sort(comparePaths);
}

const SKIPPED_DIRS = new Set(['__pycache__', '.ipynb_checkpoints', 'node_modules', '.git', '.hg', '.svn']);
const KEPT_HIDDEN = new Set(['.nbhosting']);

/** Reads a course folder. Symbolic links are never followed outside the folder. */
export async function readCourseFolder(root: string, options: ReadOptions = {}): Promise<CourseSnapshot> {
  const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  const maxMediaBytes = options.maxMediaBytes ?? 4 * 1024 * 1024 * 1024;
  const rootReal = await realpath(root);
  const media = new Map<string, MediaFile>();
  const snapshot: CourseSnapshot = { files: new Map(), media, links: new Map(), skipped: [], diagnostics: [] };

  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const abs = join(dir, entry.name);
        const path = relative(rootReal, abs).split(sep).join('/');
        if (entry.name.startsWith('.') && !KEPT_HIDDEN.has(entry.name)) {
          snapshot.skipped.push({ path, reason: 'hidden' });
          return;
        }
        if (entry.isSymbolicLink()) {
          await readLink(abs, path);
        } else if (entry.isDirectory()) {
          if (SKIPPED_DIRS.has(entry.name)) snapshot.skipped.push({ path, reason: 'cache or tool folder' });
          else await visit(abs);
        } else if (entry.isFile()) {
          if (entry.name.endsWith('.pyc')) {
            snapshot.skipped.push({ path, reason: 'compiled Python' });
            return;
          }
          const size = (await stat(abs)).size;
          const isMedia = isMediaPath(entry.name);
          const limit = isMedia ? maxMediaBytes : maxFileBytes;
          if (size > limit) {
            snapshot.diagnostics.push({
              severity: 'error',
              code: 'course.file-too-large',
              message: isMedia
                ? `This video is ${(size / 1048576).toFixed(1)} MiB; the limit is ${(limit / 1048576).toFixed(0)} MiB. Compress it, split it, or put it on a video host and declare its URL in carnet.yml.`
                : `This file is ${(size / 1048576).toFixed(1)} MiB; the limit is ${(limit / 1048576).toFixed(0)} MiB. Host large data elsewhere and link to it.`,
              file: path,
              line: 1,
              column: 1,
            });
            return;
          }
          if (isMedia) media.set(path, { size, sha256: await streamHash(abs), source: abs });
          else snapshot.files.set(path, await readFile(abs));
        } else {
          snapshot.skipped.push({ path, reason: 'not a regular file' });
        }
      }),
    );
  };

  const readLink = async (abs: string, path: string): Promise<void> => {
    let target: string;
    try {
      target = await realpath(abs);
    } catch {
      snapshot.skipped.push({ path, reason: 'broken symbolic link' });
      snapshot.diagnostics.push(
        linkWarning(path, 'course.broken-link', 'This symbolic link points to nothing; it is ignored.'),
      );
      return;
    }
    const inside = relative(rootReal, target);
    if (inside === '' || inside.startsWith('..') || inside.split(sep)[0] === '..' || target === rootReal) {
      snapshot.skipped.push({ path, reason: 'symbolic link leaving the course' });
      snapshot.diagnostics.push(
        linkWarning(path, 'course.link-outside', 'This symbolic link points outside the course folder; it is ignored.'),
      );
      return;
    }
    const info = await lstat(target);
    if (info.isDirectory() || info.isFile()) snapshot.links.set(path, inside.split(sep).join('/'));
  };

  await visit(rootReal);
  // Directory listing order is the file system's: sort so that hashes and orders are stable.
  snapshot.files = new Map([...snapshot.files].sort(([a], [b]) => comparePaths(a, b)));
  snapshot.media = new Map([...media].sort(([a], [b]) => comparePaths(a, b)));
  snapshot.links = new Map([...snapshot.links].sort(([a], [b]) => comparePaths(a, b)));
  snapshot.skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
  snapshot.diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return snapshot;
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SHA-256 of a file read as a stream (a video's bytes never sit in memory whole). */
async function streamHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function linkWarning(file: string, code: string, message: string): Diagnostic {
  return { severity: 'warning', code, message, file, line: 1, column: 1 };
}

/** SHA-256 of bytes, hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const fileHashes = new WeakMap<Uint8Array, string>();

/** SHA-256 of a file's bytes, computed once per buffer (hashing and storing both need it). */
export function fileHash(data: Uint8Array): string {
  let hash = fileHashes.get(data);
  if (hash === undefined) {
    hash = sha256(data);
    fileHashes.set(data, hash);
  }
  return hash;
}

/**
 * The content address of a snapshot: the same files, media and links give the same hash, whatever the
 * folder is called or when it was read. `salt` lets the caller add what else the result depends
 * on (the renderer's version).
 */
export function snapshotHash(snapshot: CourseSnapshot, salt = ''): string {
  const hash = createHash('sha256').update(`carnet-course\0${salt}\0`);
  for (const [path, data] of snapshot.files) hash.update(`F\0${path}\0${fileHash(data)}\n`);
  for (const [path, file] of snapshot.media ?? []) hash.update(`M\0${path}\0${file.sha256}\n`);
  for (const [path, target] of snapshot.links) hash.update(`L\0${path}\0${target}\n`);
  return hash.digest('hex');
}
