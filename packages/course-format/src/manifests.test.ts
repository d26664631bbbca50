import { describe, expect, it } from 'vitest';
import type { Diagnostic } from './diagnostics.ts';
import { readManifests, slugify, type Manifests } from './manifests.ts';

function read(files: Record<string, string>): { manifests: Manifests; diagnostics: string[]; raw: Diagnostic[] } {
  const raw: Diagnostic[] = [];
  const manifests = readManifests((path) => files[path] ?? null, raw);
  return { manifests, raw, diagnostics: raw.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}:${d.column}`) };
}

const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

const NBHOSTING = yaml(
  'static-mappings:', // 1
  '  - source: data',
  '    destination: data',
  '  - source: ./media/',
  '    destination: media',
  'tracks:', // 6
  '  - name: Le cours',
  '    id: mooc',
  '    description: Tout le cours',
  '    sections:', // 10
  '      - name: Semaine 1', // 11
  '        notebooks:',
  '          - "w1/w1-s*-[cx]*.md"',
  '      - name: Semaine 2', // 14
  '        notebooks: "w2/w2-s*-[cx]*.md"',
  '  - name: Exercices', // 16
  '    description: Seulement les exercices',
  '    sections:',
  '      - name: Tous',
  '        notebooks: ["w*/w*-x*.md", "w*/w*-x*.ipynb"]',
  'builds:',
  '  - id: handouts',
  '    name: stale',
  '    script: make handouts',
);

describe('readManifests: nbhosting.yaml', () => {
  it('reads tracks, sections, patterns and static mappings; ignores builds', () => {
    const { manifests, diagnostics } = read({ '.nbhosting/nbhosting.yaml': NBHOSTING });
    expect(diagnostics).toEqual([]);
    expect(manifests.tracksFrom).toBe('nbhosting');
    expect(manifests.staticMappings).toEqual([
      { source: 'data', destination: 'data' },
      { source: 'media', destination: 'media' },
    ]);
    const file = '.nbhosting/nbhosting.yaml';
    expect(manifests.tracks).toEqual([
      {
        id: 'mooc',
        name: 'Le cours',
        description: 'Tout le cours',
        sections: [
          { name: 'Semaine 1', patterns: ['w1/w1-s*-[cx]*.md'], file, line: 11 },
          { name: 'Semaine 2', patterns: ['w2/w2-s*-[cx]*.md'], file, line: 14 },
        ],
      },
      {
        // No id: made from the name.
        id: 'exercices',
        name: 'Exercices',
        description: 'Seulement les exercices',
        sections: [{ name: 'Tous', patterns: ['w*/w*-x*.md', 'w*/w*-x*.ipynb'], file, line: 19 }],
      },
    ]);
  });

  it('finds nbhosting.yaml in its other places', () => {
    for (const path of ['nbhosting/nbhosting.yaml', '.nbhosting/nbhosting.yml']) {
      const { manifests, raw } = read({ [path]: NBHOSTING });
      expect(manifests.tracks?.map((t) => t.id)).toEqual(['mooc', 'exercices']);
      expect(manifests.tracks?.[0]?.sections[0]?.file).toBe(path);
      expect(raw).toEqual([]);
    }
  });

  it('reports sections, tracks and mappings of the wrong shape at their line, keeping the rest', () => {
    const { manifests, diagnostics } = read({
      '.nbhosting/nbhosting.yaml': yaml(
        'static-mappings:',
        '  - {source: data, destination: data}',
        '  - {source: ../outside, destination: data}', // 3
        '  - just-a-string', // 4
        '  - {source: /etc, destination: etc}', // 5
        'tracks:',
        '  - name: Good',
        '    sections:',
        '      - name: S1',
        '        notebooks: [w1/*.md]',
        '      - name: Bad notebooks', // 11
        '        notebooks: 3',
        '      - not a section', // 13
        '      - name: Mixed', // 14
        '        notebooks: [w1/*.md, 7]',
        '  - name: No sections', // 16
        '  - 5', // 17
        '  - id: Only Id', // 18
        '    sections: []',
      ),
    });
    expect(diagnostics).toEqual([
      'warning nbhosting.static-mapping .nbhosting/nbhosting.yaml:3:1',
      'warning nbhosting.static-mapping .nbhosting/nbhosting.yaml:4:1',
      'warning nbhosting.static-mapping .nbhosting/nbhosting.yaml:5:1',
      'error nbhosting.notebooks .nbhosting/nbhosting.yaml:11:1',
      'error nbhosting.section .nbhosting/nbhosting.yaml:13:1',
      'error nbhosting.notebooks .nbhosting/nbhosting.yaml:14:1',
      'error nbhosting.sections .nbhosting/nbhosting.yaml:16:1',
      'error nbhosting.track .nbhosting/nbhosting.yaml:17:1',
    ]);
    expect(manifests.staticMappings).toEqual([{ source: 'data', destination: 'data' }]);
    // The track with no section left is dropped; the good one keeps its good section.
    expect(manifests.tracks).toEqual([
      {
        id: 'good',
        name: 'Good',
        description: '',
        sections: [{ name: 'S1', patterns: ['w1/*.md'], file: '.nbhosting/nbhosting.yaml', line: 9 }],
      },
    ]);
    expect(manifests.tracksFrom).toBe('nbhosting');
  });

  it('names unnamed sections and tracks', () => {
    const { manifests } = read({
      '.nbhosting/nbhosting.yaml': yaml('tracks:', '  - sections:', '      - notebooks: [a.md]'),
    });
    expect(manifests.tracks?.[0]).toMatchObject({ id: 'track-1', name: 'Track 1', sections: [{ name: 'Section 1' }] });
  });

  it('falls back to the folders when tracks is not a list: no tracks, and not said to come from nbhosting', () => {
    const { manifests, diagnostics } = read({
      '.nbhosting/nbhosting.yaml': yaml('tracks:', '  name: mooc', '  sections: []'),
    });
    expect(diagnostics).toEqual(['error nbhosting.tracks .nbhosting/nbhosting.yaml:2:1']);
    expect(manifests.tracks).toBeNull();
    expect(manifests.tracksFrom).toBeNull();
  });

  it('falls back to myst-toc.yml when no nbhosting track is usable', () => {
    const { manifests } = read({
      '.nbhosting/nbhosting.yaml': yaml('tracks: []'),
      'myst-toc.yml': yaml('toc:', '  - file: w1/a.md'),
    });
    expect(manifests.tracksFrom).toBe('myst-toc');
    expect(manifests.tracks?.[0]?.sections.map((s) => s.patterns)).toEqual([['w1/a.md']]);
  });

  it('reads static mappings without tracks', () => {
    const { manifests } = read({
      '.nbhosting/nbhosting.yaml': yaml('static-mappings:', '  - {source: data, destination: data}'),
    });
    expect(manifests.tracks).toBeNull();
    expect(manifests.tracksFrom).toBeNull();
    expect(manifests.staticMappings).toEqual([{ source: 'data', destination: 'data' }]);
  });

  it('warns when static-mappings is not a list, or the file is not a mapping', () => {
    expect(read({ '.nbhosting/nbhosting.yaml': yaml('# comment', 'static-mappings: data') }).diagnostics).toEqual([
      'warning nbhosting.static-mappings .nbhosting/nbhosting.yaml:2:1',
    ]);
    expect(read({ '.nbhosting/nbhosting.yaml': yaml('- a') }).diagnostics).toEqual([
      'warning nbhosting.not-mapping .nbhosting/nbhosting.yaml:1:1',
    ]);
    expect(read({ '.nbhosting/nbhosting.yaml': '' }).diagnostics).toEqual([]);
  });

  it('reports a YAML syntax error at its line and reads no track', () => {
    const { manifests, diagnostics } = read({
      '.nbhosting/nbhosting.yaml': yaml('tracks:', '  - name: a', '    sections: ['),
    });
    expect(diagnostics).toEqual(['error yaml.syntax .nbhosting/nbhosting.yaml:4:1']);
    expect(manifests.tracks).toBeNull();
  });

  it('reports an alias used inside its own value instead of looping forever', () => {
    const { manifests, diagnostics } = read({
      '.nbhosting/nbhosting.yaml': yaml('tracks: &t', '  - name: a', '    sections: *t'),
    });
    expect(diagnostics).toEqual(['error yaml.value .nbhosting/nbhosting.yaml:3:15']);
    expect(manifests.tracks).toBeNull();
  });
});

describe('readManifests: myst-toc.yml', () => {
  it('makes one section per titled entry with children, and gathers loose entries between them', () => {
    const { manifests, diagnostics } = read({
      'myst-toc.yml': yaml(
        'version: 1',
        'project:',
        '  toc:',
        '    - file: README.md', // 4
        '    - title: "Semaine 1 : premiers pas"', // 5
        '      children:',
        '        - pattern: "w1/w1-s*-[cx]*.md"',
        '    - title: Semaine 2', // 8
        '      file: w2/index.md',
        '      children:',
        '        - file: ./w2/w2-s1-c1-listes.md',
        '        - title: Nested',
        '          children:',
        '            - file: "w2/w2-s2-c1-dict(1).ipynb"',
        '    - file: annexe.md', // 15
        '    - pattern: annexes/*.md',
        '    - url: https://example.org',
      ),
    });
    expect(diagnostics).toEqual([]);
    expect(manifests.tracksFrom).toBe('myst-toc');
    const file = 'myst-toc.yml';
    expect(manifests.tracks).toEqual([
      {
        id: 'toc',
        name: '',
        description: '',
        sections: [
          { name: '', patterns: ['README.md'], file, line: 4 },
          { name: 'Semaine 1 : premiers pas', patterns: ['w1/w1-s*-[cx]*.md'], file, line: 5 },
          // File names are escaped: their ( ) are not glob syntax.
          {
            name: 'Semaine 2',
            patterns: ['w2/index.md', 'w2/w2-s1-c1-listes.md', 'w2/w2-s2-c1-dict\\(1\\).ipynb'],
            file,
            line: 8,
          },
          { name: '', patterns: ['annexe.md', 'annexes/*.md'], file, line: 15 },
        ],
      },
    ]);
  });

  it('reads a top-level toc, and warns about entries that are not mappings', () => {
    const { manifests, diagnostics } = read({
      'myst-toc.yml': yaml('toc:', '  - file: a.md', '  - 42', '  - title: T', '    children:', '      - b.md'),
    });
    expect(diagnostics).toEqual(['warning myst-toc.entry myst-toc.yml:3:1', 'warning myst-toc.entry myst-toc.yml:6:1']);
    expect(manifests.tracks?.[0]?.sections.map((s) => [s.name, s.patterns])).toEqual([
      ['', ['a.md']],
      ['T', []],
    ]);
  });

  it('warns when toc is not a list', () => {
    const { manifests, diagnostics } = read({ 'myst-toc.yml': yaml('project:', '  toc: w1') });
    expect(diagnostics).toEqual(['warning myst-toc.toc myst-toc.yml:2:1']);
    expect(manifests.tracks).toBeNull();
    expect(manifests.tracksFrom).toBeNull();
  });

  it('reads the toc from myst.yml when there is no myst-toc.yml', () => {
    const { manifests } = read({ 'myst.yml': yaml('project:', '  title: T', '  toc:', '    - file: a.md') });
    expect(manifests.tracksFrom).toBe('myst-toc');
    expect(manifests.tracks?.[0]?.sections).toEqual([{ name: '', patterns: ['a.md'], file: 'myst.yml', line: 4 }]);
  });

  it('prefers nbhosting tracks to the toc', () => {
    const { manifests } = read({
      '.nbhosting/nbhosting.yaml': NBHOSTING,
      'myst-toc.yml': yaml('toc:', '  - file: a.md'),
    });
    expect(manifests.tracksFrom).toBe('nbhosting');
  });

  it('falls back to the folders when the toc is empty', () => {
    const { manifests } = read({ 'myst-toc.yml': yaml('toc: []') });
    expect(manifests.tracks).toBeNull();
    expect(manifests.tracksFrom).toBeNull();
  });

  it('survives a toc entry whose children contain the entry itself', () => {
    const { manifests, diagnostics } = read({
      'myst-toc.yml': yaml('toc: &toc', '  - title: A', '    children: *toc'),
    });
    expect(diagnostics).toEqual(['error yaml.value myst-toc.yml:3:15']);
    expect(manifests.tracks).toBeNull();
  });
});

describe('readManifests: myst.yml and carnet.yml metadata', () => {
  it('reads title, description, license, authors and keywords from myst.yml', () => {
    const { manifests, diagnostics } = read({
      'myst.yml': yaml(
        'version: 1',
        'extends:',
        '  - myst-toc.yml',
        'project:',
        '  title: "  Python pas à pas  "',
        '  description: >-',
        '    Un cours',
        '    en trois semaines.',
        '  license: CC-BY-SA-4.0',
        '  authors:',
        '    - Alice',
        '    - name: Bob',
        '    - name: {given: Carl, family: Doe}',
        '    - 42',
        '  keywords: [python, MOOC]',
        '  date: 2026-01-15',
        '  language: fr',
      ),
    });
    expect(diagnostics).toEqual([]);
    expect(manifests.meta).toEqual({
      title: 'Python pas à pas',
      description: 'Un cours en trois semaines.',
      language: 'fr',
      license: 'CC-BY-SA-4.0',
      authors: ['Alice', 'Bob', '42'],
      keywords: ['python', 'MOOC'],
      packages: [],
      attempts: [],
      hiddenChecks: [],
      hiddenDatasets: [],
      videos: [],
    });
  });

  it('reads a license given as an object (content, else code), and a single author string', () => {
    const meta = (license: string, authors = 'Alice'): Manifests['meta'] =>
      read({ 'myst.yml': yaml('project:', `  license: ${license}`, `  authors: ${authors}`) }).manifests.meta;
    expect(meta('{content: CC-BY-4.0, code: MIT}').license).toBe('CC-BY-4.0');
    expect(meta('{code: MIT}').license).toBe('MIT');
    expect(meta('[MIT]').license).toBeNull();
    expect(meta('MIT').authors).toEqual(['Alice']);
  });

  it('has empty metadata without manifests', () => {
    const { manifests, diagnostics } = read({});
    expect(manifests).toEqual({
      tracks: null,
      tracksFrom: null,
      staticMappings: null,
      meta: {
        title: null,
        description: null,
        language: null,
        license: null,
        authors: [],
        keywords: [],
        packages: [],
        attempts: [],
        hiddenChecks: [],
        hiddenDatasets: [],
        videos: [],
      },
    });
    expect(diagnostics).toEqual([]);
  });

  it('reads carnet.yml videos, and names the line of each wrong one', () => {
    const { manifests, diagnostics } = read({
      'carnet.yml': yaml(
        'videos:',
        '  w1-s1: { file: media/w1-s1.webm }',
        '  w1-s2:',
        '    youtube: not-an-id',
        '  w2-s3a: { vimeo: 76979871 }',
        '  intro: { file: media/intro.webm }',
      ),
    });
    expect(manifests.meta.videos.map((v) => [v.key, v.line])).toEqual([
      ['w1-s1', 2],
      ['w2-s3a', 5],
    ]);
    expect(diagnostics).toEqual(['error carnet.videos carnet.yml:4:1', 'error carnet.videos carnet.yml:6:1']);
    expect(read({ 'carnet.yml': yaml('videos: [a, b]') }).diagnostics).toEqual(['error carnet.videos carnet.yml:1:1']);
  });

  it('lets carnet.yml say the title, language and packages, over myst.yml', () => {
    const { manifests, diagnostics } = read({
      'myst.yml': yaml('project:', '  title: From MyST', '  description: D', '  language: en'),
      'carnet.yml': yaml(
        'title: From Carnet',
        'language: fr-FR',
        'packages: [numpy, matplotlib, scikit-learn, ruamel.yaml]',
      ),
    });
    expect(diagnostics).toEqual([]);
    expect(manifests.meta).toMatchObject({
      title: 'From Carnet',
      description: 'D',
      language: 'fr-FR',
      packages: ['numpy', 'matplotlib', 'scikit-learn', 'ruamel.yaml'],
    });
  });

  it('reads carnet.yaml too', () => {
    expect(read({ 'carnet.yaml': yaml('title: T') }).manifests.meta.title).toBe('T');
  });

  it('refuses bad packages with an error at their line, and a bad language with a warning', () => {
    const { manifests, diagnostics } = read({
      'carnet.yml': yaml('title: T', 'language: French', 'packages:', '  - numpy', '  - "pandas; import os"'),
    });
    expect(diagnostics).toEqual(['warning carnet.language carnet.yml:2:1', 'error carnet.packages carnet.yml:4:1']);
    expect(manifests.meta.packages).toEqual([]);
    expect(manifests.meta.language).toBeNull();
    expect(read({ 'carnet.yml': yaml('packages: numpy') }).diagnostics).toEqual([
      'error carnet.packages carnet.yml:1:1',
    ]);
  });

  it('warns when carnet.yml is not a mapping', () => {
    expect(read({ 'carnet.yml': yaml('- numpy') }).diagnostics).toEqual(['warning carnet.not-mapping carnet.yml:1:1']);
  });

  it('reports YAML errors of every manifest at their own file and line', () => {
    const { diagnostics } = read({ 'myst.yml': yaml('project:', '  title: a: b'), 'carnet.yml': yaml('a: 1', 'b: [') });
    expect(diagnostics).toEqual(['error yaml.syntax myst.yml:2:10', 'error yaml.syntax carnet.yml:3:1']);
  });
});

describe('slugify', () => {
  it('makes lower-case ASCII ids', () => {
    expect(slugify('Semaine 1 — Bases')).toBe('semaine-1-bases');
    expect(slugify('  Élève à l’école  ')).toBe('eleve-a-l-ecole');
    expect(slugify('---')).toBe('');
  });

  it('reports lists nested thousands deep, or nested by a chain of aliases, at their line', () => {
    const deep = read({
      '.nbhosting/nbhosting.yaml': yaml(
        'tracks:',
        '  - name: a',
        `    sections: ${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      ),
    });
    expect(deep.diagnostics).toEqual(['error yaml.too-deep .nbhosting/nbhosting.yaml:3:76']);
    expect(deep.manifests.tracks).toBeNull();
    const chain = ['a0: &a0 [1]', ...Array.from({ length: 5_000 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}]`)];
    const aliased = read({ 'myst.yml': yaml(...chain) });
    expect(aliased.diagnostics).toEqual(['error yaml.too-deep myst.yml:65:12']);
    expect(aliased.raw[0]!.message).toContain('through its aliases');
  });
});
