import { describe, expect, it } from 'vitest';
import { readVideoDeclaration } from './sources.ts';

const ok = (key: string, value: unknown) => {
  const result = readVideoDeclaration(key, value, 3);
  if (!('value' in result)) throw new Error(JSON.stringify(result.problems));
  return result.value;
};
const problems = (key: string, value: unknown) => {
  const result = readVideoDeclaration(key, value, 3);
  if ('value' in result) throw new Error('expected problems');
  return result.problems;
};

describe('video declarations (carnet.yml videos:)', () => {
  it('reads a course file with a poster, and a URL with renditions', () => {
    expect(ok('w1-s2', { file: './media/w1-s2.webm', poster: 'media/w1-s2.jpg', title: ' Intro ' })).toEqual({
      key: 'w1-s2',
      week: 1,
      sequence: 2,
      part: null,
      title: 'Intro',
      line: 3,
      source: {
        kind: 'media',
        renditions: [{ kind: 'file', path: 'media/w1-s2.webm', type: 'video/webm', label: null }],
        poster: { kind: 'file', path: 'media/w1-s2.jpg' },
      },
    });
    const hls = ok('w2-s3a', {
      url: 'https://cdn.example.org/v/w2-s3a.m3u8',
      label: 'auto',
      renditions: [
        { url: 'https://cdn.example.org/v/w2-s3a-360.mp4', label: '360p' },
        { url: 'https://cdn.example.org/v/stream?id=4', type: 'webm', label: '720p' },
      ],
    });
    expect(hls).toMatchObject({ week: 2, sequence: 3, part: 'a' });
    expect(hls.source).toMatchObject({
      kind: 'media',
      renditions: [
        { kind: 'url', type: 'application/vnd.apple.mpegurl', label: 'auto' },
        { kind: 'url', type: 'video/mp4', label: '360p' },
        { kind: 'url', type: 'video/webm', label: '720p' },
      ],
    });
  });

  it('reads platform embeds from an id or their usual URLs', () => {
    for (const youtube of [
      'dQw4w9WgXcQ',
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=4',
      'https://youtu.be/dQw4w9WgXcQ',
      'https://www.youtube.com/embed/dQw4w9WgXcQ',
    ]) {
      expect(ok('w1-s1', { youtube }).source).toEqual({
        kind: 'embed',
        platform: 'youtube',
        id: 'dQw4w9WgXcQ',
        host: 'www.youtube-nocookie.com',
        poster: null,
      });
    }
    for (const vimeo of [
      76979871,
      '76979871',
      'https://vimeo.com/76979871',
      'https://player.vimeo.com/video/76979871',
    ]) {
      expect(ok('w1-s1', { vimeo }).source).toMatchObject({
        platform: 'vimeo',
        id: '76979871',
        host: 'player.vimeo.com',
      });
    }
    expect(ok('w1-s1', { peertube: 'https://tube.example.org/w/kkGMgK9ZtnKfYAgnEtQxbv' }).source).toMatchObject({
      platform: 'peertube',
      id: 'kkGMgK9ZtnKfYAgnEtQxbv',
      host: 'tube.example.org',
    });
  });

  it('says what is wrong: key, missing or several sources, paths, URLs, ids', () => {
    expect(problems('week1', { file: 'a.webm' })[0]!.message).toContain('av stem');
    expect(problems('w1-s1', 'video.mp4')[0]!.message).toContain('mapping');
    expect(problems('w1-s1', {})[0]!.message).toContain('needs one source');
    expect(problems('w1-s1', { file: 'a.webm', youtube: 'dQw4w9WgXcQ' })[0]!.message).toContain('several sources');
    expect(problems('w1-s1', { file: '../outside.webm' })).toMatchObject([{ path: ['file'] }]);
    expect(problems('w1-s1', { file: 'media/a.avi' })[0]!.message).toContain('not a WebM or MP4');
    expect(problems('w1-s1', { url: 'javascript:alert(1)//.mp4' })[0]!.message).toContain('http(s)');
    expect(problems('w1-s1', { url: 'ftp://example.org/a.mp4' })[0]!.message).toContain('http(s)');
    expect(problems('w1-s1', { url: 'https://example.org/stream' })[0]!.message).toContain('type: mp4');
    expect(problems('w1-s1', { youtube: 'too-short' })).toMatchObject([{ path: ['youtube'] }]);
    expect(problems('w1-s1', { youtube: 'https://evil.example/watch?v=dQw4w9WgXcQ' })[0]!.message).toContain('YouTube');
    expect(problems('w1-s1', { vimeo: 'abc' })[0]!.message).toContain('Vimeo');
    expect(problems('w1-s1', { peertube: 'https://tube.example.org/about' })[0]!.message).toContain('PeerTube');
    expect(problems('w1-s1', { file: 'a.webm', poster: 'data:image/png;base64,xx' })).toMatchObject([
      { path: ['poster'] },
    ]);
    expect(problems('w1-s1', { file: 'a.webm', renditions: [{ label: '360p' }] })).toMatchObject([
      { path: ['renditions', 0] },
    ]);
  });
});
