import type { VideoItem } from '@carnet/course-format';
import { embedUrl } from '@carnet/render';
import { PAGE_CSP } from '../../http/security.ts';

/** What the server keeps of each video of a video page (course_items.meta.videos). */
export interface VideoFacts {
  /** The av stem: `w1-s1`, `w2-s3a`. */
  key: string;
  /** A course file (same origin), a direct URL (a CDN), a platform's player, or none declared. */
  source: 'file' | 'url' | 'embed' | null;
  /** Origins the page must allow: a CDN's for `media-src`, a platform's for `frame-src`. */
  origins: string[];
}

export function videoFacts(item: VideoItem): VideoFacts[] {
  return item.videos.map((video) => {
    const source = video.source;
    if (!source) return { key: video.key, source: null, origins: [] };
    if (source.kind === 'embed')
      return { key: video.key, source: 'embed', origins: [new URL(embedUrl(source)).origin] };
    const urls = source.renditions.flatMap((r) => (r.kind === 'url' ? [new URL(r.url).origin] : []));
    return { key: video.key, source: urls.length > 0 ? 'url' : 'file', origins: [...new Set(urls)] };
  });
}

/**
 * A video page's policy (ADR 041). Its code cells want cross-origin isolation (SharedArrayBuffer:
 * `input()`, interrupting Python), which forbids embedding what does not opt in:
 * - course files only: isolated as notebook pages are (`require-corp`; our files are same-origin);
 * - a CDN's video: `credentialless`, so that the CDN's no-cors video loads without CORP headers
 *   (sent without cookies), and `media-src` widened to that CDN only;
 * - a platform's player (YouTube, Vimeo, PeerTube): not isolated (`unsafe-none`), since their
 *   iframes send no COEP and `<iframe credentialless>` is Chromium's alone; code still runs there,
 *   without `input()` and interrupt, and `frame-src` names the declared players only.
 */
export function videoPageHeaders(videos: readonly VideoFacts[]): Record<string, string> {
  const frames = [...new Set(videos.filter((v) => v.source === 'embed').flatMap((v) => v.origins))];
  const media = [...new Set(videos.filter((v) => v.source === 'url').flatMap((v) => v.origins))];
  const csp = [
    PAGE_CSP,
    ...(media.length > 0 ? [`media-src 'self' ${media.join(' ')}`] : []),
    ...(frames.length > 0 ? [`frame-src ${frames.join(' ')}`] : []),
  ].join('; ');
  const embedder = frames.length > 0 ? 'unsafe-none' : media.length > 0 ? 'credentialless' : 'require-corp';
  return { 'Content-Security-Policy': csp, 'Cross-Origin-Embedder-Policy': embedder };
}
