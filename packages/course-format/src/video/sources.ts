/**
 * Where a sequence's videos come from (issue 12), as `carnet.yml` declares them under `videos:`,
 * keyed by the sequence's `av` stem (`w1-s2`, or `w2-s3a` and `w2-s3b` for a sequence with two):
 *
 *   videos:
 *     w1-s2: { file: media/w1-s2.webm, poster: media/w1-s2.jpg }
 *     w2-s3a:
 *       url: https://cdn.example.org/w2-s3a.m3u8
 *       renditions: [{ url: https://cdn.example.org/w2-s3a-360.mp4, label: 360p }]
 *     w2-s3b: { youtube: dQw4w9WgXcQ }      # or vimeo: 76979871, peertube: https://host/w/<id>
 *
 * Pure: what a file path points to is checked against the course's files later.
 */

export type VideoType = 'video/webm' | 'video/mp4' | 'application/vnd.apple.mpegurl';

/** One playable rendition: a course file or a direct URL. */
export type VideoMedia =
  | { kind: 'file'; path: string; type: VideoType; label: string | null }
  | { kind: 'url'; url: string; type: VideoType; label: string | null };

export type VideoPlatform = 'youtube' | 'vimeo' | 'peertube';

export type VideoSource =
  | { kind: 'media'; renditions: VideoMedia[]; poster: VideoPoster | null }
  | { kind: 'embed'; platform: VideoPlatform; id: string; host: string; poster: VideoPoster | null };

export type VideoPoster = { kind: 'file'; path: string } | { kind: 'url'; url: string };

export interface VideoDeclaration {
  /** The `av` stem: `w1-s2`, `w2-s3a`. */
  key: string;
  week: number;
  sequence: number;
  /** `a`, `b`… for a sequence with several videos, else null. */
  part: string | null;
  title: string | null;
  source: VideoSource;
  line: number;
}

/** A problem with a declaration: its message for the author, and which nested key it is at. */
export interface VideoProblem {
  message: string;
  path: (string | number)[];
}

export const VIDEO_KEY = /^w(\d{1,2})-s(\d{1,2})([a-z])?$/;

const TYPES: Record<string, VideoType> = {
  webm: 'video/webm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m3u8: 'application/vnd.apple.mpegurl',
};

/** Reads one `videos:` entry; either a declaration or the problems found (with where they are). */
export function readVideoDeclaration(
  key: string,
  value: unknown,
  line: number,
): { value: VideoDeclaration } | { problems: VideoProblem[] } {
  const match = VIDEO_KEY.exec(key);
  if (!match) {
    return {
      problems: [
        {
          message: `"${key}" is not a sequence: write its av stem, such as w1-s2 (w2-s3a, w2-s3b for two videos).`,
          path: [],
        },
      ],
    };
  }
  if (!isObject(value)) {
    return {
      problems: [
        { message: `The video of ${key} should be a mapping: file:, url:, youtube:, vimeo: or peertube:.`, path: [] },
      ],
    };
  }
  const problems: VideoProblem[] = [];
  const given = ['file', 'url', 'youtube', 'vimeo', 'peertube'].filter((k) => value[k] !== undefined);
  if (given.length !== 1) {
    problems.push({
      message:
        given.length === 0
          ? `The video of ${key} needs one source: file: (in the course), url: (MP4, WebM or HLS), youtube:, vimeo: or peertube:.`
          : `The video of ${key} has several sources (${given.join(', ')}): keep one; other renditions go under renditions:.`,
      path: [],
    });
    return { problems };
  }
  const poster = value['poster'] === undefined ? null : readPoster(value['poster'], problems);
  const title = typeof value['title'] === 'string' && value['title'].trim() ? value['title'].trim() : null;
  let source: VideoSource | null = null;
  const kind = given[0]!;
  if (kind === 'youtube' || kind === 'vimeo' || kind === 'peertube') {
    const embed = readEmbed(kind, value[kind]);
    if (typeof embed === 'string') problems.push({ message: embed, path: [kind] });
    else source = { kind: 'embed', ...embed, poster };
  } else {
    const renditions: VideoMedia[] = [];
    const first = readMedia(
      kind,
      value[kind],
      typeof value['label'] === 'string' ? value['label'] : null,
      value['type'],
    );
    if (typeof first === 'string') problems.push({ message: first, path: [kind] });
    else renditions.push(first);
    const more = value['renditions'];
    if (more !== undefined) {
      if (!Array.isArray(more)) {
        problems.push({
          message: 'renditions should be a list of { file: or url:, label: 360p }.',
          path: ['renditions'],
        });
      } else {
        more.forEach((entry, i) => {
          const sub = isObject(entry) ? (['file', 'url'] as const).filter((k) => entry[k] !== undefined) : [];
          if (!isObject(entry) || sub.length !== 1) {
            problems.push({
              message: 'Each rendition needs one file: or url:, and a label such as 360p.',
              path: ['renditions', i],
            });
            return;
          }
          const media = readMedia(
            sub[0]!,
            entry[sub[0]!],
            typeof entry['label'] === 'string' ? entry['label'] : null,
            entry['type'],
          );
          if (typeof media === 'string') problems.push({ message: media, path: ['renditions', i, sub[0]!] });
          else renditions.push(media);
        });
      }
    }
    source = { kind: 'media', renditions, poster };
  }
  if (problems.length > 0 || !source) return { problems };
  return {
    value: {
      key,
      week: Number(match[1]),
      sequence: Number(match[2]),
      part: match[3] ?? null,
      title,
      source,
      line,
    },
  };
}

function readMedia(kind: string, raw: unknown, label: string | null, typeOverride: unknown): VideoMedia | string {
  if (typeof raw !== 'string' || !raw.trim())
    return `${kind}: should be ${kind === 'file' ? 'a path in the course' : 'a URL'}.`;
  const text = raw.trim();
  const override = typeof typeOverride === 'string' ? TYPES[typeOverride.toLowerCase()] : undefined;
  if (typeOverride !== undefined && !override) return 'type: should be webm, mp4 or m3u8.';
  if (kind === 'file') {
    if (!isSafeRelative(text)) return `"${text}" should be a path inside the course folder, such as media/w1-s2.webm.`;
    const type = override ?? TYPES[extension(text)];
    if (!type || type === 'application/vnd.apple.mpegurl')
      return `"${text}" is not a WebM or MP4 file (.webm, .mp4): browsers play those from a course folder.`;
    return { kind: 'file', path: text.replace(/^\.\//, ''), type, label };
  }
  const url = httpUrl(text);
  if (!url) return `"${text.slice(0, 100)}" is not an http(s) URL.`;
  const type = override ?? TYPES[extension(url.pathname)];
  if (!type)
    return `"${text.slice(0, 100)}" does not end in .mp4, .webm or .m3u8: say which with type: mp4 (or webm, m3u8).`;
  return { kind: 'url', url: url.toString(), type, label };
}

function readPoster(raw: unknown, problems: VideoProblem[]): VideoPoster | null {
  if (typeof raw === 'string' && raw.trim()) {
    const text = raw.trim();
    if (/^[a-z][a-z0-9+.-]*:/i.test(text)) {
      const url = httpUrl(text);
      if (url) return { kind: 'url', url: url.toString() };
      problems.push({ message: `The poster "${text.slice(0, 100)}" is not an http(s) URL.`, path: ['poster'] });
      return null;
    }
    if (isSafeRelative(text) && /\.(png|jpe?g|webp|gif|svg)$/i.test(text))
      return { kind: 'file', path: text.replace(/^\.\//, '') };
  }
  problems.push({
    message: 'poster: should be an image of the course (.png, .jpg, .webp) or an http(s) URL.',
    path: ['poster'],
  });
  return null;
}

/** A platform's video id, from an id or any of the platform's usual URLs. */
function readEmbed(
  platform: VideoPlatform,
  raw: unknown,
): { platform: VideoPlatform; id: string; host: string } | string {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (platform === 'youtube') {
    const ID = /^[A-Za-z0-9_-]{11}$/;
    if (ID.test(text)) return { platform, id: text, host: 'www.youtube-nocookie.com' };
    const url = httpUrl(text);
    const host = url?.hostname.replace(/^(www|m)\./, '');
    const id =
      host === 'youtu.be'
        ? url!.pathname.slice(1)
        : host === 'youtube.com' || host === 'youtube-nocookie.com'
          ? (url!.searchParams.get('v') ?? /^\/(?:embed|shorts|live)\/([^/]+)/.exec(url!.pathname)?.[1] ?? '')
          : '';
    if (ID.test(id)) return { platform, id, host: 'www.youtube-nocookie.com' };
    return `"${text.slice(0, 100)}" is not a YouTube video: give its 11-character id (dQw4w9WgXcQ) or its URL.`;
  }
  if (platform === 'vimeo') {
    if (/^\d{6,12}$/.test(text)) return { platform, id: text, host: 'player.vimeo.com' };
    const url = httpUrl(text);
    const host = url?.hostname.replace(/^www\./, '');
    const id =
      host === 'vimeo.com' || host === 'player.vimeo.com' ? /\/(\d{6,12})(?:\/|$)/.exec(url!.pathname)?.[1] : undefined;
    if (id) return { platform, id, host: 'player.vimeo.com' };
    return `"${text.slice(0, 100)}" is not a Vimeo video: give its number (76979871) or its URL.`;
  }
  // PeerTube: any instance; the watch URL (/w/<short id> or /videos/watch/<uuid>) or the embed URL.
  const url = httpUrl(text);
  const id = url ? /^\/(?:w|videos\/watch|videos\/embed)\/([A-Za-z0-9-]{8,64})\/?$/.exec(url.pathname)?.[1] : undefined;
  if (url && id) return { platform, id, host: url.host };
  return `"${text.slice(0, 100)}" is not a PeerTube video: give its URL, such as https://video.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d.`;
}

function httpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname ? url : null;
  } catch {
    return null;
  }
}

function extension(path: string): string {
  return /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
}

function isSafeRelative(path: string): boolean {
  const p = path.replace(/^\.\//, '');
  return (
    p !== '' && !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((part) => part === '..' || part === '')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
