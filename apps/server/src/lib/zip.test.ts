import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipFiles } from './zip.ts';

describe('zipFiles', () => {
  it('makes archives that Python reads back exactly', () => {
    const files = [
      { path: 'outils.py', data: Buffer.from('def double(x):\n    return 2 * x\n') },
      { path: 'géométrie/__init__.py', data: Buffer.from('') },
      { path: 'data.bin', data: Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256)) },
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'carnet-zip-')), 'a.zip');
    writeFileSync(file, zipFiles(files));
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys, zipfile, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor i in z.infolist(): print(i.filename, hashlib.sha256(z.read(i)).hexdigest())',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(listing.trim().split('\n')).toEqual(
      files.map((f) => `${f.path} ${createHash('sha256').update(f.data).digest('hex')}`),
    );
  });

  it('is reproducible', () => {
    const files = [{ path: 'a.py', data: Buffer.from('x = 1\n') }];
    expect(zipFiles(files).equals(zipFiles(files))).toBe(true);
  });
});
