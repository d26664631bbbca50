import { describe, expect, it } from 'vitest';
import { covered, isWatched, mergeSegments } from './watched.ts';
import { videoPageHeaders } from './facts.ts';

describe('played segments', () => {
  it('merges overlapping and touching segments, sorted, clipped to the duration', () => {
    expect(
      mergeSegments(
        [
          [10, 20],
          [0, 5],
          [5.1, 8],
          [15, 30],
          [-3, 1],
          [95, 1e6],
          [50, 50],
        ],
        100,
      ),
    ).toEqual([
      [0, 8],
      [10, 30],
      [95, 100],
    ]);
  });

  it('counts played time, not where the seek bar stands', () => {
    // Jumping to the end: two seconds played of a hundred.
    const jumped = mergeSegments(
      [
        [0, 1],
        [99, 100],
      ],
      100,
    );
    expect(covered(jumped)).toBe(2);
    expect(isWatched(jumped, 100)).toBe(false);
    // Watching the same minute ten times is one minute.
    const again = mergeSegments(
      Array.from({ length: 10 }, (): [number, number] => [0, 60]),
      100,
    );
    expect(isWatched(again, 100)).toBe(false);
    // Across visits, 90 % is watched.
    expect(
      isWatched(
        mergeSegments(
          [
            [0, 45],
            [45, 90],
          ],
          100,
        ),
        100,
      ),
    ).toBe(true);
    expect(isWatched([], 0)).toBe(false);
  });
});

describe('a video page policy', () => {
  it('keeps course-file pages isolated, CDN pages credentialless with media-src, embeds not isolated with frame-src', () => {
    expect(videoPageHeaders([{ key: 'w1-s1', source: 'file', origins: [] }])).toMatchObject({
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    expect(videoPageHeaders([{ key: 'w1-s1', source: 'file', origins: [] }])['Content-Security-Policy']).not.toMatch(
      /frame-src|media-src/,
    );
    const cdn = videoPageHeaders([{ key: 'w1-s1', source: 'url', origins: ['https://cdn.example.org'] }]);
    expect(cdn['Cross-Origin-Embedder-Policy']).toBe('credentialless');
    expect(cdn['Content-Security-Policy']).toContain("media-src 'self' https://cdn.example.org");
    const embed = videoPageHeaders([
      { key: 'w1-s1a', source: 'url', origins: ['https://cdn.example.org'] },
      { key: 'w1-s1b', source: 'embed', origins: ['https://player.vimeo.com'] },
    ]);
    expect(embed['Cross-Origin-Embedder-Policy']).toBe('unsafe-none');
    expect(embed['Content-Security-Policy']).toContain('frame-src https://player.vimeo.com');
    expect(embed['Content-Security-Policy']).toContain("frame-ancestors 'none'");
  });
});
