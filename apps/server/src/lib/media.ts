import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MediaFile } from '@carnet/course-format';

/**
 * Course videos on disk (ADR 040): `DATA_DIR/media/<sha256>.<ext>`, content-addressed, written
 * once and never changed, shared by every version and course that has the same bytes.
 */

/** The folder of the stored videos. */
export function mediaFolder(dataDir: string): string {
  return join(dataDir, 'media');
}

/** Where the video of `path` (a course path: its extension is kept) with these bytes is stored. */
export function mediaFilePath(dataDir: string, sha256: string, path: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
  return join(mediaFolder(dataDir), `${sha256}.${extensionOf(path)}`);
}

/** The Content-Type of a video file: WebM, else MP4 (`.mp4`, `.m4v`). */
export function mediaContentType(path: string): string {
  return extensionOf(path) === 'webm' ? 'video/webm' : 'video/mp4';
}

function extensionOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (!/^[a-z0-9]{1,8}$/.test(ext)) throw new Error(`a video path without a usable extension: ${path}`);
  return ext;
}

/** A video that changed on disk between its snapshot and its copy. */
export class MediaChangedError extends Error {
  constructor(readonly path: string) {
    super(`${path} changed while the course was being imported: import again once it is written.`);
    this.name = 'MediaChangedError';
  }
}

/**
 * Copies the snapshot's videos into the media folder, streamed, each under a temporary name then
 * renamed (a reader never sees half a file). A video already stored with its size is not copied
 * again. The bytes copied are hashed on the way: if they are not those the snapshot hashed, the
 * copy is removed and `MediaChangedError` thrown. Returns how many files were written.
 */
export async function storeMediaFiles(dataDir: string, media: ReadonlyMap<string, MediaFile>): Promise<number> {
  if (media.size === 0) return 0;
  await mkdir(mediaFolder(dataDir), { recursive: true });
  const targets = new Map<string, { path: string; file: MediaFile }>();
  for (const [path, file] of media) targets.set(mediaFilePath(dataDir, file.sha256, path), { path, file });
  let written = 0;
  // One at a time: these are large sequential copies; running them together only shares the disk.
  for (const [target, { path, file }] of targets) {
    const existing = await stat(target).catch(() => null);
    if (existing?.isFile() && existing.size === file.size) continue;
    const temporary = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        createReadStream(file.source, { highWaterMark: 1024 * 1024 }),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(temporary, { flags: 'wx' }),
      );
      if (size !== file.size || hash.digest('hex') !== file.sha256) throw new MediaChangedError(path);
      await rename(temporary, target);
      written++;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
  return written;
}
