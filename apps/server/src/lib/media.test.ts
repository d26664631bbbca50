import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaChangedError, mediaContentType, mediaFilePath, storeMediaFiles } from './media.ts';

const dir = mkdtempSync(join(tmpdir(), 'carnet-media-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (data: string) => createHash('sha256').update(data).digest('hex');

describe('storeMediaFiles', () => {
  it('copies each video once under its hash, and refuses one whose bytes changed since the snapshot', async () => {
    const source = join(dir, 'a.webm');
    writeFileSync(source, 'video bytes');
    const dataDir = join(dir, 'data');
    const media = new Map([['w1/a.webm', { size: 11, sha256: sha('video bytes'), source }]]);
    expect(await storeMediaFiles(dataDir, media)).toBe(1);
    const stored = mediaFilePath(dataDir, sha('video bytes'), 'w1/a.webm');
    const written = statSync(stored).mtimeMs;
    expect(await storeMediaFiles(dataDir, media)).toBe(0);
    expect(statSync(stored).mtimeMs).toBe(written);

    writeFileSync(source, 'video bytez');
    const stale = new Map([['w1/b.WEBM', { size: 11, sha256: sha('other'), source }]]);
    await expect(storeMediaFiles(dataDir, stale)).rejects.toThrow(MediaChangedError);
    // No half-written or temporary file is left behind.
    expect(readdirSync(join(dataDir, 'media'))).toEqual([`${sha('video bytes')}.webm`]);
  });

  it('names types and refuses a hash that is not one', () => {
    expect(mediaContentType('a/b.WebM')).toBe('video/webm');
    expect(mediaContentType('a/b.m4v')).toBe('video/mp4');
    expect(() => mediaFilePath(dir, '../../etc/passwd', 'a.mp4')).toThrow();
  });
});
