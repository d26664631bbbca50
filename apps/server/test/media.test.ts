import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { mediaFilePath } from '../src/lib/media.ts';
import { selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { makeCourse, notebook } from './fixtures.ts';

// Random bytes, not a real WebM: serving does not look inside. 3 MiB and a bit, so that a stream
// takes several reads.
const VIDEO = randomBytes(3 * 1048576 + 12345);
const SIZE = VIDEO.byteLength;
const SHA = createHash('sha256').update(VIDEO).digest('hex');

/** A small course with a video (and a quiz, which is private, to compare). */
function videoCourse(extra: Record<string, string> = {}) {
  const course = makeCourse({
    'README.md': '# Vidéos\n',
    'w1/w1-s1-c1-intro.md': notebook('Intro'),
    'w1/w1-s1-q1-quiz.quiz': 'Titre\n=====\n\n(x) un\n( ) deux\n',
    ...extra,
  });
  mkdirSync(join(course.dir, 'media'), { recursive: true });
  writeFileSync(join(course.dir, 'media/intro.webm'), VIDEO);
  return course;
}

async function mediaRows(t: TestDb): Promise<{ version_id: number; path: string; sha256: string; size: number }[]> {
  const rows = await t.db.kysely
    .selectFrom('course_media')
    .select(['version_id', 'path', 'sha256', 'size'])
    .orderBy('version_id')
    .execute();
  return rows.map((r) => ({ ...r, size: Number(r.size) }));
}

describe.each(DIALECTS)('course videos on %s (ADR 040)', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let tag: string;
  const course = videoCourse();
  beforeAll(async () => {
    t = await createTestDb(dialect);
    const summary = await importCourse(t.db, { source: course.dir, slug: 'videos', dataDir: t.dataDir });
    expect(summary.errors).toEqual([]);
    tag = summary.tag;
    app = await buildApp({ config: loadConfig({}, { dataDir: t.dataDir }), db: t.db, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
    course.cleanup();
  });

  const url = () => `/files/videos/${tag}/media/intro.webm`;
  const get = (headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
    app.inject({ method, url: url(), headers });

  it('copies the video to DATA_DIR/media under its hash and names it in course_media', async () => {
    const stored = mediaFilePath(t.dataDir, SHA, 'media/intro.webm');
    expect(stored).toBe(join(t.dataDir, 'media', `${SHA}.webm`));
    expect(readFileSync(stored).equals(VIDEO)).toBe(true);
    const live = await selectOptionalLiveVersionBySlug(t.db.kysely, 'videos');
    expect(await mediaRows(t)).toEqual([{ version_id: live!.id, path: 'media/intro.webm', sha256: SHA, size: SIZE }]);
    // Nothing of it went to the database's blobs, nor stays half-written.
    const blobs = await t.db.kysely.selectFrom('blobs').select('size').execute();
    expect(blobs.every((b) => b.size < 10_000)).toBe(true);
    expect(readdirSync(join(t.dataDir, 'media'))).toEqual([`${SHA}.webm`]);
  });

  it('serves the whole video with its type, length, ETag, ranges advertised and immutable caching', async () => {
    const res = await get();
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(VIDEO)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'video/webm',
      'content-length': String(SIZE),
      'accept-ranges': 'bytes',
      etag: `"${SHA}"`,
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('answers byte ranges with 206 and exactly those bytes: first, middle, open-ended, suffix, past the end', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-1023', 0, 1023],
      ['bytes=1048576-2097151', 1048576, 2097151],
      ['bytes=3000000-', 3000000, SIZE - 1],
      ['bytes=-500', SIZE - 500, SIZE - 1],
      ['bytes=-99999999', 0, SIZE - 1],
      [`bytes=${SIZE - 10}-${SIZE + 1000}`, SIZE - 10, SIZE - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get({ range });
      expect(res.statusCode, range).toBe(206);
      expect(res.headers['content-range'], range).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(res.headers['content-length'], range).toBe(String(end - start + 1));
      expect(res.rawPayload.equals(VIDEO.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers a range past the end with 416 and the size', async () => {
    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-${SIZE + 10}`, 'bytes=-0']) {
      const res = await get({ range });
      expect(res.statusCode, range).toBe(416);
      expect(res.headers['content-range']).toBe(`bytes */${SIZE}`);
      expect(res.rawPayload.byteLength).toBe(0);
    }
  });

  it('sends the whole file for several ranges, a range it cannot read, or an If-Range of another version', async () => {
    for (const headers of [
      { range: 'bytes=0-10,20-30' } as Record<string, string>,
      { range: 'bytes=10-5' },
      { range: 'items=0-5' },
      { range: 'bytes=0-10', 'if-range': '"0000"' },
      { range: 'bytes=0-10', 'if-range': 'Wed, 21 Oct 2015 07:28:00 GMT' },
    ]) {
      const res = await get(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
      expect(res.rawPayload.byteLength).toBe(SIZE);
    }
    const same = await get({ range: 'bytes=0-10', 'if-range': `"${SHA}"` });
    expect(same.statusCode).toBe(206);
    expect(same.rawPayload.equals(VIDEO.subarray(0, 11))).toBe(true);
  });

  it('answers 304 to a matching If-None-Match, and HEAD with the headers only', async () => {
    const notModified = await get({ 'if-none-match': `"${SHA}"` });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.byteLength).toBe(0);
    expect((await get({ 'if-none-match': '"other", W/"' + SHA + '"' })).statusCode).toBe(304);
    const head = await get({}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(SIZE));
    expect(head.headers['accept-ranges']).toBe('bytes');
    expect(head.rawPayload.byteLength).toBe(0);
    const headRange = await get({ range: 'bytes=10-19' }, 'HEAD');
    expect(headRange.statusCode).toBe(206);
    expect(headRange.headers['content-length']).toBe('10');
  });

  it('serves ranges of ordinary course files too, and still never a quiz', async () => {
    const readme = `/files/videos/${tag}/README.md`;
    const part = await app.inject({ method: 'GET', url: readme, headers: { range: 'bytes=2-4' } });
    expect(part.statusCode).toBe(206);
    expect(part.body).toBe('Vid');
    expect(part.headers['content-range']).toBe(`bytes 2-4/${Buffer.byteLength('# Vidéos\n')}`);
    expect((await app.inject({ method: 'GET', url: readme })).headers['accept-ranges']).toBe('bytes');
    const quiz = await app.inject({ method: 'GET', url: `/files/videos/${tag}/w1/w1-s1-q1-quiz.quiz` });
    expect(quiz.statusCode).toBe(404);
  });

  it('finds a video only in its own version and course', async () => {
    for (const path of [
      `/files/videos/${'0'.repeat(16)}/media/intro.webm`,
      `/files/other/${tag}/media/intro.webm`,
      `/files/videos/${tag}/media/INTRO.webm`,
      `/files/videos/${tag}/intro.webm`,
    ]) {
      expect((await app.inject({ method: 'GET', url: path })).statusCode, path).toBe(404);
    }
  });

  it('copies nothing again on an unchanged import, nor in check mode', async () => {
    const stored = mediaFilePath(t.dataDir, SHA, 'media/intro.webm');
    const before = statSync(stored).mtimeMs;
    const again = await importCourse(t.db, { source: course.dir, slug: 'videos', dataDir: t.dataDir });
    expect(again.status).toBe('unchanged');
    const other = videoCourse({ 'w1/w1-s1-c2-autre.md': notebook('Autre') });
    try {
      writeFileSync(join(other.dir, 'media/intro.webm'), randomBytes(1000));
      const checked = await importCourse(t.db, { source: other.dir, slug: 'videos', dataDir: t.dataDir, check: true });
      expect(checked.status).toBe('checked');
      expect(readdirSync(join(t.dataDir, 'media'))).toEqual([`${SHA}.webm`]);
      expect(statSync(stored).mtimeMs).toBe(before);
      expect(await mediaRows(t)).toHaveLength(1);
    } finally {
      other.cleanup();
    }
  });

  it('makes a new version when the video changes; the old one still serves its own bytes', async () => {
    const changed = videoCourse();
    try {
      const bytes = Buffer.from(VIDEO);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(join(changed.dir, 'media/intro.webm'), bytes);
      const summary = await importCourse(t.db, { source: changed.dir, slug: 'videos', dataDir: t.dataDir });
      expect(summary.status).toBe('imported');
      expect(summary.tag).not.toBe(tag);
      const fresh = await app.inject({ method: 'GET', url: `/files/videos/${summary.tag}/media/intro.webm` });
      expect(fresh.rawPayload.equals(bytes)).toBe(true);
      expect((await get()).rawPayload.equals(VIDEO)).toBe(true);
      expect(readdirSync(join(t.dataDir, 'media'))).toHaveLength(2);
    } finally {
      changed.cleanup();
    }
  });

  it('refuses a video over the cap with an error for the author, writing nothing', async () => {
    const big = videoCourse();
    try {
      const before = await mediaRows(t);
      const summary = await importCourse(t.db, {
        source: big.dir,
        slug: 'capped',
        dataDir: t.dataDir,
        maxMediaBytes: 1048576,
      });
      expect(summary.status).toBe('failed');
      expect(summary.errors).toEqual([
        expect.objectContaining({ code: 'course.file-too-large', file: 'media/intro.webm' }),
      ]);
      expect(await mediaRows(t)).toEqual(before);
    } finally {
      big.cleanup();
    }
  });

  it('writes no course_media row for a failed import: a broken quiz, or a failure inside the transaction', async () => {
    const before = await mediaRows(t);
    const broken = videoCourse({ 'w1/w1-s1-q2-casse.quiz': 'Titre\n=====\n\n(x) un\n(x) deux\n' });
    try {
      writeFileSync(join(broken.dir, 'media/intro.webm'), randomBytes(2000));
      const summary = await importCourse(t.db, { source: broken.dir, slug: 'videos', dataDir: t.dataDir });
      expect(summary.status).toBe('failed');
      expect(await mediaRows(t)).toEqual(before);
      expect(readdirSync(join(t.dataDir, 'media'))).toHaveLength(2);

      // The database refuses the version's video rows (a real trigger, no mock): the file copied
      // before the transaction stays, unreferenced; no version names it; the live one is unchanged.
      writeFileSync(join(broken.dir, 'w1/w1-s1-q2-casse.quiz'), 'Titre\n=====\n\n(x) un\n( ) deux\n');
      const live = await selectOptionalLiveVersionBySlug(t.db.kysely, 'videos');
      await refuseMediaRows(t, true);
      try {
        await expect(importCourse(t.db, { source: broken.dir, slug: 'videos', dataDir: t.dataDir })).rejects.toThrow();
      } finally {
        await refuseMediaRows(t, false);
      }
      expect(await mediaRows(t)).toEqual(before);
      expect((await selectOptionalLiveVersionBySlug(t.db.kysely, 'videos'))!.id).toBe(live!.id);
      expect(readdirSync(join(t.dataDir, 'media'))).toHaveLength(3);
      // The next import of the same folder succeeds and reuses the copied file.
      const retry = await importCourse(t.db, { source: broken.dir, slug: 'videos', dataDir: t.dataDir });
      expect(retry.status).toBe('imported');
      expect(readdirSync(join(t.dataDir, 'media'))).toHaveLength(3);
    } finally {
      broken.cleanup();
    }
  });

  it('answers a video missing from DATA_DIR/media with the generic error page, never its path', async () => {
    const lost = makeCourse({ 'README.md': '# Perdue\n' });
    const bytes = randomBytes(5000);
    writeFileSync(join(lost.dir, 'lost.m4v'), bytes);
    const summary = await importCourse(t.db, { source: lost.dir, slug: 'lost', dataDir: t.dataDir });
    lost.cleanup();
    rmSync(mediaFilePath(t.dataDir, createHash('sha256').update(bytes).digest('hex'), 'lost.m4v'));
    const res = await app.inject({ method: 'GET', url: `/files/lost/${summary.tag}/lost.m4v` });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(t.dataDir);
  });

  it('closes the file when a client goes away in the middle of a video', async () => {
    // Larger than what the sockets' buffers hold, so that the server's stream has to wait.
    const long = makeCourse({ 'README.md': '# Long\n' });
    const bytes = Buffer.alloc(64 * 1048576, 7);
    writeFileSync(join(long.dir, 'long.mp4'), bytes);
    const summary = await importCourse(t.db, { source: long.dir, slug: 'long', dataDir: t.dataDir });
    long.cleanup();
    const stored = mediaFilePath(t.dataDir, createHash('sha256').update(bytes).digest('hex'), 'long.mp4');
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const openCount = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === stored;
        } catch {
          return false;
        }
      }).length;
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const request = http.get(`${address}/files/long/${summary.tag}/long.mp4`, (res) => {
          expect(res.headers['content-type']).toBe('video/mp4');
          res.once('data', () => {
            // Read no more: the server's stream waits with its file open (else this proves nothing).
            res.pause();
            setTimeout(() => {
              expect(openCount()).toBe(1);
              request.destroy();
              resolve();
            }, 100);
          });
        });
        request.on('error', (error) =>
          (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(error),
        );
      });
      // The server notices the closed socket within a few turns of the event loop.
      for (let k = 0; k < 50 && openCount() > 0; k++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(openCount()).toBe(0);
    }
  });
});

/** Installs (or removes) a trigger that makes every insert into course_media fail. */
async function refuseMediaRows(t: TestDb, on: boolean): Promise<void> {
  if (t.db.dialect === 'sqlite') {
    if (on) {
      await sql`create trigger refuse_media before insert on course_media begin select raise(abort, 'refused'); end`.execute(
        t.db.kysely,
      );
    } else await sql`drop trigger refuse_media`.execute(t.db.kysely);
    return;
  }
  if (on) {
    await sql`create function refuse_media() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(
      t.db.kysely,
    );
    await sql`create trigger refuse_media before insert on course_media for each row execute function refuse_media()`.execute(
      t.db.kysely,
    );
  } else {
    await sql`drop trigger refuse_media on course_media`.execute(t.db.kysely);
    await sql`drop function refuse_media()`.execute(t.db.kysely);
  }
}
