import { describe, expect, it } from 'vitest';
import { CourseFileSystem, dirname, normalisePath } from './vfs.ts';

const FILES = [
  'README.md',
  'data/notes.txt',
  'data/sub/deep.json',
  'data/résumé été.txt',
  'data/C#+notes?.txt',
  'media/logo.png',
  'w1/w1-s1-c1-intro.md',
  'w1/local.png',
  'w2/w2-s1-c1-a.md',
  'shared/real/file.txt',
];

describe('normalisePath', () => {
  it('resolves . and .. and repeated slashes', () => {
    expect(normalisePath('w1/./data//notes.txt')).toBe('w1/data/notes.txt');
    expect(normalisePath('w1/../data/notes.txt')).toBe('data/notes.txt');
    expect(normalisePath('w1/sub/../../README.md')).toBe('README.md');
    expect(normalisePath('w1/')).toBe('w1');
    expect(normalisePath('.')).toBe('');
    expect(normalisePath('')).toBe('');
  });

  it('is null for a path that climbs above the root or is absolute', () => {
    expect(normalisePath('..')).toBeNull();
    expect(normalisePath('../etc/passwd')).toBeNull();
    expect(normalisePath('w1/../../etc/passwd')).toBeNull();
    expect(normalisePath('w1/../w2/../../x')).toBeNull();
    expect(normalisePath('/etc/passwd')).toBeNull();
  });
});

describe('dirname', () => {
  it('gives the folder of a course path', () => {
    expect(dirname('w1/w1-s1-c1-intro.md')).toBe('w1');
    expect(dirname('a/b/c.txt')).toBe('a/b');
    expect(dirname('README.md')).toBe('');
  });
});

describe('CourseFileSystem', () => {
  it('resolves paths relative to the folder of the file that writes them', () => {
    const fs = new CourseFileSystem(FILES, new Map(), []);
    expect(fs.resolve('w1', 'local.png')).toBe('w1/local.png');
    expect(fs.resolve('w1', './local.png')).toBe('w1/local.png');
    expect(fs.resolve('w1', '../w2/w2-s1-c1-a.md')).toBe('w2/w2-s1-c1-a.md');
    expect(fs.resolve('', 'data/notes.txt')).toBe('data/notes.txt');
    expect(fs.resolve('w1', 'missing.png')).toBeNull();
    expect(fs.resolve('w1', 'w1-s1-c1-intro.md')).toBe('w1/w1-s1-c1-intro.md');
    // A folder is not a file.
    expect(fs.resolve('', 'data')).toBeNull();
  });

  it('never leaves the course', () => {
    const fs = new CourseFileSystem(FILES, new Map([['w1/data', 'data']]), [{ source: 'data', destination: 'data' }]);
    expect(fs.resolve('w1', '../../etc/passwd')).toBeNull();
    expect(fs.resolve('', '../README.md')).toBeNull();
    expect(fs.resolve('w1', '/etc/passwd')).toBeNull();
    expect(fs.resolve('w1', '%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(fs.resolve('w1', '..%2F..%2FREADME.md')).toBeNull();
    expect(fs.resolve('w1', 'data/../../../README.md')).toBeNull();
  });

  it('follows symlinked folders inside the course (w1/data -> data)', () => {
    const fs = new CourseFileSystem(
      FILES,
      new Map([
        ['w1/data', 'data'],
        ['w1/media', 'media'],
      ]),
      [],
    );
    expect(fs.resolve('w1', 'data/notes.txt')).toBe('data/notes.txt');
    expect(fs.resolve('w1', 'data/sub/deep.json')).toBe('data/sub/deep.json');
    expect(fs.resolve('w1', 'media/logo.png')).toBe('media/logo.png');
    // w2 has no link and no mapping: data/ does not exist there.
    expect(fs.resolve('w2', 'data/notes.txt')).toBeNull();
    // .. after a link is resolved on the path as written, like a URL.
    expect(fs.resolve('w1', 'data/../local.png')).toBe('w1/local.png');
  });

  it('follows a symlinked file and chained links', () => {
    const fs = new CourseFileSystem(
      FILES,
      new Map([
        ['w1/notes.txt', 'data/notes.txt'],
        ['w2/shared', 'w1/shared'],
        ['w1/shared', 'shared/real'],
      ]),
      [],
    );
    expect(fs.resolve('w1', 'notes.txt')).toBe('data/notes.txt');
    expect(fs.resolve('w2', 'shared/file.txt')).toBe('shared/real/file.txt');
  });

  it('gives up on a link loop', () => {
    const fs = new CourseFileSystem(
      FILES,
      new Map([
        ['a', 'b'],
        ['b', 'a'],
      ]),
      [],
    );
    expect(fs.resolve('', 'a/x.txt')).toBeNull();
  });

  it('applies static mappings when no symlink exists (an archive without links)', () => {
    const fs = new CourseFileSystem(FILES, new Map(), [
      { source: 'data', destination: 'data' },
      { source: 'media', destination: 'images' },
    ]);
    expect(fs.resolve('w1', 'data/notes.txt')).toBe('data/notes.txt');
    expect(fs.resolve('w2', './data/sub/deep.json')).toBe('data/sub/deep.json');
    expect(fs.resolve('w1', 'images/logo.png')).toBe('media/logo.png');
    expect(fs.resolve('w1', 'data/missing.txt')).toBeNull();
    // The mapping names a folder, not a prefix of names.
    expect(fs.resolve('w1', 'database/notes.txt')).toBeNull();
    // A file of the notebook's own folder wins over the mapping.
    expect(
      new CourseFileSystem([...FILES, 'w1/data/notes.txt'], new Map(), [
        { source: 'data', destination: 'data' },
      ]).resolve('w1', 'data/notes.txt'),
    ).toBe('w1/data/notes.txt');
  });

  it('decodes percent-encoded paths, reserved characters included', () => {
    const fs = new CourseFileSystem(FILES, new Map([['w1/data', 'data']]), []);
    expect(fs.resolve('w1', 'data/r%C3%A9sum%C3%A9%20%C3%A9t%C3%A9.txt')).toBe('data/résumé été.txt');
    expect(fs.resolve('w1', 'data/résumé été.txt')).toBe('data/résumé été.txt');
    expect(fs.resolve('w1', 'data/C%23%2Bnotes%3F.txt')).toBe('data/C#+notes?.txt');
    // A malformed escape is read as written.
    expect(fs.resolve('w1', 'data/100%.txt')).toBeNull();
    expect(new CourseFileSystem(['data/100%.txt'], new Map(), []).resolve('', 'data/100%.txt')).toBe('data/100%.txt');
  });

  it('says which files exist', () => {
    const fs = new CourseFileSystem(FILES, new Map([['w1/data', 'data']]), []);
    expect(fs.has('data/notes.txt')).toBe(true);
    expect(fs.has('w1/data/notes.txt')).toBe(false);
  });
});
