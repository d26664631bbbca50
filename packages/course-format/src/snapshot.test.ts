import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  fileHash,
  isMediaPath,
  readCourseFolder,
  sha256,
  snapshotHash,
  snapshotPaths,
  type CourseSnapshot,
} from './snapshot.ts';

let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'carnet-snapshot-'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let counter = 0;

/** Writes a course folder: files by path (string or bytes), then links (path → target as written). */
async function makeCourse(
  files: Record<string, string | Uint8Array>,
  links: Record<string, string> = {},
): Promise<string> {
  const root = join(base, `course-${++counter}`);
  await mkdir(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  for (const [path, target] of Object.entries(links)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await symlink(target, join(root, path));
  }
  return root;
}

const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

const COURSE = {
  'README.md': '# Cours\n',
  'w1/w1-s1-c1-intro.md': '# Intro\n',
  'w1/w1-s1-q1-quiz.quiz': 'quiz\n',
  'data/notes.txt': 'notes\n',
  'modules/corrections/exo_x.py': 'exo_x = 1\n',
  '.nbhosting/nbhosting.yaml': 'tracks: []\n',
};

describe('readCourseFolder', () => {
  it('reads the files of a course by POSIX path, sorted, and leaves out hidden files, caches and compiled Python', async () => {
    const root = await makeCourse({
      ...COURSE,
      '.git/config': '[core]\n',
      '.gitignore': '*.pyc\n',
      'w1/.ipynb_checkpoints/w1-s1-c1-intro-checkpoint.md': 'old\n',
      'modules/__pycache__/x.cpython-312.pyc': 'bytes',
      'modules/stray.pyc': 'bytes',
      'node_modules/x/index.js': '',
      'w1/.hidden.md': 'secret\n',
    });
    const snapshot = await readCourseFolder(root);
    expect([...snapshot.files.keys()]).toEqual([
      '.nbhosting/nbhosting.yaml',
      'README.md',
      'data/notes.txt',
      'modules/corrections/exo_x.py',
      'w1/w1-s1-c1-intro.md',
      'w1/w1-s1-q1-quiz.quiz',
    ]);
    expect(text(snapshot.files.get('w1/w1-s1-c1-intro.md'))).toBe('# Intro\n');
    expect(snapshot.skipped).toEqual([
      { path: '.git', reason: 'hidden' },
      { path: '.gitignore', reason: 'hidden' },
      { path: 'modules/__pycache__', reason: 'cache or tool folder' },
      { path: 'modules/stray.pyc', reason: 'compiled Python' },
      { path: 'node_modules', reason: 'cache or tool folder' },
      { path: 'w1/.hidden.md', reason: 'hidden' },
      { path: 'w1/.ipynb_checkpoints', reason: 'hidden' },
    ]);
    expect(snapshot.links.size).toBe(0);
    expect(snapshot.diagnostics).toEqual([]);
  });

  it('keeps a symlinked folder inside the course as a link, without reading it twice', async () => {
    const root = await makeCourse(COURSE, {
      'w1/data': '../data',
      'w1/media': '../missing-media',
      'w2/notes.txt': '../data/notes.txt',
    });
    const snapshot = await readCourseFolder(root);
    expect([...snapshot.links]).toEqual([
      ['w1/data', 'data'],
      ['w2/notes.txt', 'data/notes.txt'],
    ]);
    expect(snapshot.files.has('w1/data/notes.txt')).toBe(false);
    expect(snapshot.files.has('w2/notes.txt')).toBe(false);
    // The broken link (w1/media → nothing) is left out with a warning.
    expect(snapshot.skipped).toEqual([{ path: 'w1/media', reason: 'broken symbolic link' }]);
    expect(snapshot.diagnostics).toEqual([
      {
        severity: 'warning',
        code: 'course.broken-link',
        message: expect.stringContaining('points to nothing'),
        file: 'w1/media',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('records the final target of chained links', async () => {
    const root = await makeCourse(COURSE, { 'w1/data': '../w2/data', 'w2/data': '../data' });
    expect([...(await readCourseFolder(root)).links]).toEqual([
      ['w1/data', 'data'],
      ['w2/data', 'data'],
    ]);
  });

  it('never reads a file outside the course through a symlink (security)', async () => {
    const outside = await makeCourse({ 'secret.txt': 'root:x:0:0\n', 'dir/also-secret.txt': 'x' });
    const root = await makeCourse(COURSE, {
      'w1/passwd': '/etc/passwd',
      'data/secret.txt': join(outside, 'secret.txt'),
      'data/dir': join(outside, 'dir'),
      'data/relative': '../../' + outside.split('/').at(-1) + '/secret.txt',
      'w1/root': '..',
      'w1/self': '../w1',
    });
    const snapshot = await readCourseFolder(root);
    const read = [...snapshot.files.values()].map(text);
    expect(read.some((t) => t.includes('root:'))).toBe(false);
    expect([...snapshot.files.keys()].filter((p) => !(p in COURSE))).toEqual([]);
    // A link to the course root would make the course contain itself: refused too. Diagnostics
    // come in path order, whatever order the file system lists (and answers for) the links.
    const outsideLinks = ['data/dir', 'data/relative', 'data/secret.txt', 'w1/passwd', 'w1/root'];
    expect(snapshot.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}`)).toEqual(
      outsideLinks.map((p) => `warning course.link-outside ${p}`).sort(),
    );
    expect(snapshot.skipped).toEqual(
      outsideLinks.map((path) => ({ path, reason: 'symbolic link leaving the course' })),
    );
    // A link to a folder of the course (even its own) stays a link.
    expect([...snapshot.links]).toEqual([['w1/self', 'w1']]);
  });

  it('does not follow a link named like a kept folder out of the course', async () => {
    const outside = await makeCourse({ 'nbhosting.yaml': 'tracks: evil\n' });
    const root = await makeCourse({ 'README.md': '#\n' }, { '.nbhosting': outside });
    const snapshot = await readCourseFolder(root);
    expect([...snapshot.files.keys()]).toEqual(['README.md']);
    expect(snapshot.diagnostics.map((d) => d.code)).toEqual(['course.link-outside']);
  });

  it('refuses a file larger than maxFileBytes with an error, and reads the others', async () => {
    const root = await makeCourse({
      'data/big.bin': new Uint8Array(2 * 1048576 + 1),
      'data/small.txt': 'x',
      'data/limit.bin': new Uint8Array(1000),
    });
    const snapshot = await readCourseFolder(root, { maxFileBytes: 1000 });
    expect([...snapshot.files.keys()]).toEqual(['data/limit.bin', 'data/small.txt']);
    expect(snapshot.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'course.file-too-large',
        message: expect.stringMatching(/^This file is 2\.0 MiB; the limit is /),
        file: 'data/big.bin',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('reads binary files byte for byte', async () => {
    const bytes = new Uint8Array([0, 255, 0xef, 0xbb, 0xbf, 10, 13]);
    const root = await makeCourse({ 'media/x.bin': bytes });
    expect([...(await readCourseFolder(root)).files.get('media/x.bin')!]).toEqual([...bytes]);
  });
});

describe('readCourseFolder: videos (ADR 040)', () => {
  it('keeps videos out of memory: path, size, the SHA-256 of their bytes and where they are', async () => {
    // Random bytes, not a real video: only the bytes matter here (3 chunks of the stream and some).
    const video = randomBytes(3 * 1048576 + 17);
    const root = await makeCourse({ ...COURSE, 'media/intro.webm': video, 'media/Clip.MP4': 'mp4', 'media/a.m4v': '' });
    const snapshot = await readCourseFolder(root, { maxFileBytes: 1000 });
    expect([...snapshot.files.keys()].filter((p) => p.startsWith('media/'))).toEqual([]);
    expect([...snapshot.media!.keys()]).toEqual(['media/Clip.MP4', 'media/a.m4v', 'media/intro.webm']);
    expect(snapshot.media!.get('media/intro.webm')).toEqual({
      size: video.byteLength,
      sha256: sha256(video),
      source: join(root, 'media/intro.webm'),
    });
    expect(snapshot.media!.get('media/a.m4v')!.sha256).toBe(sha256(''));
    // The file cap does not apply to videos; theirs does.
    expect(snapshot.diagnostics).toEqual([]);
    expect(snapshotPaths(snapshot)).toEqual(
      [...Object.keys(COURSE), 'media/Clip.MP4', 'media/a.m4v', 'media/intro.webm'].sort(),
    );
  });

  it('refuses a video over maxMediaBytes with an error that says what to do', async () => {
    const root = await makeCourse({ ...COURSE, 'media/long.webm': new Uint8Array(2 * 1048576), 'media/ok.mp4': 'x' });
    const snapshot = await readCourseFolder(root, { maxMediaBytes: 1048576 });
    expect([...snapshot.media!.keys()]).toEqual(['media/ok.mp4']);
    expect(snapshot.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'course.file-too-large',
        message: expect.stringMatching(/^This video is 2\.0 MiB; the limit is 1 MiB\..*URL in carnet\.yml/),
        file: 'media/long.webm',
        line: 1,
        column: 1,
      },
    ]);
  });

  it('keeps a link to a video inside the course as a link to its path, and refuses one leaving it', async () => {
    const outside = await makeCourse({ 'secret.mp4': 'secret' });
    const root = await makeCourse(
      { ...COURSE, 'media/intro.webm': 'video' },
      { 'w1/intro.webm': '../media/intro.webm', 'w1/secret.mp4': join(outside, 'secret.mp4') },
    );
    const snapshot = await readCourseFolder(root);
    expect([...snapshot.media!.keys()]).toEqual(['media/intro.webm']);
    expect([...snapshot.links]).toEqual([['w1/intro.webm', 'media/intro.webm']]);
    expect(snapshot.diagnostics.map((d) => `${d.code} ${d.file}`)).toEqual(['course.link-outside w1/secret.mp4']);
  });

  it("gives a new hash when a video's bytes change, and the same for the same bytes", async () => {
    const root = await makeCourse({ ...COURSE, 'media/intro.webm': new Uint8Array(100_000) });
    const hashNow = async (): Promise<string> => snapshotHash(await readCourseFolder(root));
    const reference = await hashNow();
    const changed = new Uint8Array(100_000);
    changed[99_999] = 1;
    await writeFile(join(root, 'media/intro.webm'), changed);
    expect(await hashNow()).not.toBe(reference);
    await writeFile(join(root, 'media/intro.webm'), new Uint8Array(100_000));
    expect(await hashNow()).toBe(reference);
    await rename(join(root, 'media/intro.webm'), join(root, 'media/intro2.webm'));
    expect(await hashNow()).not.toBe(reference);
  });

  it('tells videos by their extension, whatever its case', () => {
    expect(['a.webm', 'b/c.MP4', 'd.m4v'].map(isMediaPath)).toEqual([true, true, true]);
    expect(['a.webm.txt', 'mp4', 'a.mkv', 'a.srt'].map(isMediaPath)).toEqual([false, false, false, false]);
  });
});

describe('snapshotHash', () => {
  /** An in-memory snapshot: hashing needs no disk. */
  function snapshot(files: Record<string, string>, links: Record<string, string> = {}): CourseSnapshot {
    const encoder = new TextEncoder();
    return {
      files: new Map(Object.entries(files).map(([p, t]) => [p, encoder.encode(t)])),
      links: new Map(Object.entries(links)),
      skipped: [],
      diagnostics: [],
    };
  }

  it('is the same for the same content read from two different folders', async () => {
    const a = await makeCourse(COURSE, { 'w1/data': '../data' });
    const b = await makeCourse(COURSE);
    // b's link is absolute: what counts is the course path it reaches, not how it is written.
    await symlink(join(b, 'data'), join(b, 'w1/data'));
    expect(snapshotHash(await readCourseFolder(a))).toBe(snapshotHash(await readCourseFolder(b)));
  });

  it('changes with any byte, a rename, a link, a link target, a removed file, and the salt', async () => {
    const root = await makeCourse(COURSE, { 'w1/data': '../data' });
    const hashes = new Set<string>();
    const hashNow = async (): Promise<string> => snapshotHash(await readCourseFolder(root));
    const reference = await hashNow();
    hashes.add(reference);
    // Reading twice gives the same hash.
    expect(await hashNow()).toBe(reference);

    await writeFile(join(root, 'data/notes.txt'), 'notez\n');
    hashes.add(await hashNow());
    await writeFile(join(root, 'data/notes.txt'), 'notes\n');
    expect(await hashNow()).toBe(reference);

    await rename(join(root, 'data/notes.txt'), join(root, 'data/notes2.txt'));
    hashes.add(await hashNow());
    await rename(join(root, 'data/notes2.txt'), join(root, 'data/notes.txt'));

    await unlink(join(root, 'w1/data'));
    hashes.add(await hashNow());
    await symlink('../modules', join(root, 'w1/data'));
    hashes.add(await hashNow());
    await unlink(join(root, 'w1/data'));
    await symlink('../data', join(root, 'w1/data'));
    expect(await hashNow()).toBe(reference);

    await unlink(join(root, 'README.md'));
    hashes.add(await hashNow());

    expect(hashes.size).toBe(6);
  });

  it('depends on the salt, file paths, contents and link targets, each on its own', () => {
    const hashes = [
      snapshotHash(snapshot({ a: 'x' })),
      snapshotHash(snapshot({ a: 'x' }), 'renderer-2'),
      snapshotHash(snapshot({ b: 'x' })),
      snapshotHash(snapshot({ a: 'y' })),
      snapshotHash(snapshot({ a: 'x' }, { l: 'a' })),
      snapshotHash(snapshot({ a: 'x' }, { l: 'b' })),
      snapshotHash(snapshot({ a: 'x' }, { m: 'a' })),
      snapshotHash(snapshot({ a: 'x', b: '' })),
      snapshotHash(snapshot({})),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(snapshotHash(snapshot({ a: 'x' }), 'renderer-2')).toBe(hashes[1]);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not mistake a file for a link of the same name', () => {
    expect(snapshotHash(snapshot({ a: 'x' }, { l: 'a' }))).not.toBe(snapshotHash(snapshot({ a: 'x', l: 'a' })));
  });
});

describe('sha256 and fileHash', () => {
  it('hash bytes as hex SHA-256', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const data = new TextEncoder().encode('abc');
    expect(fileHash(data)).toBe(sha256('abc'));
    expect(fileHash(data)).toBe(fileHash(new TextEncoder().encode('abc')));
  });
});
