import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics.ts';
import { buildVideoSequences } from './sequences.ts';
import { readVideoDeclaration, type VideoDeclaration } from './sources.ts';

const SRT = '1\n00:00:01,000 --> 00:00:02,000\nBonjour\n';

function declare(key: string, value: unknown, line = 2): VideoDeclaration {
  const result = readVideoDeclaration(key, value, line);
  if (!('value' in result)) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

function build(files: Record<string, string>, declarations: VideoDeclaration[], notebooks: string[] = []) {
  const diagnostics: Diagnostic[] = [];
  const sequences = buildVideoSequences(
    Object.keys(files),
    declarations,
    (path) => files[path] ?? null,
    (path) => notebooks.includes(path),
    diagnostics,
  );
  return { sequences, diagnostics };
}

describe('video sequences', () => {
  it('gathers a sequence’s subtitles, script, slides and code, with its declared video', () => {
    const { sequences, diagnostics } = build(
      {
        'w1/w1-s2-av.fr.srt': SRT,
        'w1/w1-s2-av.en.srt': SRT,
        'w1/w1-s2-av.txt': 'script',
        'w1/w1-s2-av.ipynb': '{}',
        'w1/w1-s2-av-slide1.pptx': '',
        'w1/w1-s2-av-exo1.py': 'print(1)',
        'w1/w1-s2-c1-intro.md': '',
        'media/w1-s2.webm': '',
      },
      [declare('w1-s2', { file: 'media/w1-s2.webm' })],
      ['w1/w1-s2-av.ipynb'],
    );
    expect(diagnostics).toEqual([]);
    expect(sequences).toHaveLength(1);
    const [video] = sequences[0]!.videos;
    expect(sequences[0]).toMatchObject({ key: 'w1-s2', week: 1, sequence: 2 });
    expect(video).toMatchObject({
      key: 'w1-s2',
      part: null,
      source: { kind: 'media' },
      scripts: ['w1/w1-s2-av.txt'],
      slides: [
        { path: 'w1/w1-s2-av.ipynb', notebook: true },
        { path: 'w1/w1-s2-av-slide1.pptx', notebook: false },
      ],
      code: ['w1/w1-s2-av-exo1.py'],
    });
    expect(video!.subtitles.map((s) => s.language).sort()).toEqual(['en', 'fr']);
    expect(video!.subtitles[0]!.cues[0]).toMatchObject({ start: 1000, text: 'Bonjour' });
  });

  it('puts a sequence’s two videos on one sequence, in order; warns of material without a video', () => {
    const { sequences, diagnostics } = build(
      { 'w2/w2-s3b-av.fr.srt': SRT, 'w2/w2-s3a-av.fr.srt': SRT, 'w3/w3-s1-av.txt': 'script' },
      [declare('w2-s3b', { youtube: 'dQw4w9WgXcQ' }), declare('w2-s3a', { url: 'https://cdn.example.org/a.mp4' })],
    );
    expect(sequences.map((s) => [s.key, s.videos.map((v) => v.key)])).toEqual([
      ['w2-s3', ['w2-s3a', 'w2-s3b']],
      ['w3-s1', ['w3-s1']],
    ]);
    expect(diagnostics).toMatchObject([{ file: 'w3/w3-s1-av.txt', code: 'video.undeclared', severity: 'warning' }]);
  });

  it('refuses a declared file that is not in the course, and passes on subtitle errors with their line', () => {
    const { diagnostics } = build({ 'w1/w1-s1-av.fr.srt': '1\n00:00:05,000 --> 00:00:01,000\nx\n' }, [
      declare('w1-s1', { file: 'media/missing.webm', poster: 'media/missing.jpg' }, 7),
    ]);
    expect(diagnostics.map((d) => [d.file, d.line, d.code, d.severity])).toEqual([
      ['w1/w1-s1-av.fr.srt', 2, 'srt.order', 'error'],
      ['carnet.yml', 7, 'carnet.videos', 'error'],
      ['carnet.yml', 7, 'carnet.videos', 'error'],
    ]);
    expect(diagnostics[1]!.message).toContain('media/missing.webm');
  });
});
