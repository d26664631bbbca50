import type { CodeCell, Cue, Diagnostic, Notebook, SequenceVideo, VideoItem, VideoSource } from '@carnet/course-format';
import { dirname, toWebVtt } from '@carnet/course-format';
import { createEnv, stripPrivateUse, type Heading } from './env.ts';
import { escapeHtml, ui } from './html.ts';
import type { CourseLinks } from './links.ts';
import { renderMarkdown } from './markdown.ts';
import { renderNotebook } from './notebook.ts';

/** A video page rendered at import: its body, and the WebVTT captions its players load. */
export interface RenderedVideo {
  html: string;
  headings: Heading[];
  /** The slides' and the video code's cells, runnable in the page (ids prefixed by the video). */
  codeCells: { id: string; tags: string[]; source: string }[];
  /** WebVTT files to store beside the course's files (`w1/w1-s1-av.fr.vtt`), from the SubRip ones. */
  captions: { path: string; language: string; vtt: string }[];
}

/** Where a platform's player lives, for the page's CSP (`frame-src`) and the iframe. */
export function embedUrl(source: Extract<VideoSource, { kind: 'embed' }>): string {
  const id = encodeURIComponent(source.id);
  if (source.platform === 'youtube') return `https://${source.host}/embed/${id}`;
  if (source.platform === 'vimeo') return `https://${source.host}/video/${id}`;
  return `https://${source.host}/videos/embed/${id}`;
}

/** The platform's own page of the video (a link for readers whose browser shows no iframe). */
function watchUrl(source: Extract<VideoSource, { kind: 'embed' }>): string {
  const id = encodeURIComponent(source.id);
  if (source.platform === 'youtube') return `https://www.youtube.com/watch?v=${id}`;
  if (source.platform === 'vimeo') return `https://vimeo.com/${id}`;
  return `https://${source.host}/w/${id}`;
}

const PLATFORM_NAMES = { youtube: 'YouTube', vimeo: 'Vimeo', peertube: 'PeerTube' } as const;

/**
 * A sequence's video page: each video numbered ("Vidéo 1 sur 2") with its player (a native
 * `<video>` with every rendition and caption track, or the platform's iframe), its transcript
 * (the course language's subtitles, one line per cue, the times the client turns into seek
 * buttons), its script, its slides (the `av` notebook as a deck of `<section class="slide">`, code
 * cells runnable like a notebook's), the decks to download and the code typed in the video.
 * Everything is escaped or rendered by the notebook renderer (itself sanitised): no author HTML
 * reaches the page unchecked.
 */
export function renderVideo(
  item: VideoItem,
  links: CourseLinks,
  language: string,
  diagnostics: Diagnostic[],
): RenderedVideo {
  const parts: string[] = [];
  // The outline is the page's title only: the videos' headings carry UI strings filled in per reader.
  const headings: Heading[] = [{ level: 1, text: item.title, id: 'video-title' }];
  const codeCells: RenderedVideo['codeCells'] = [];
  const captions: RenderedVideo['captions'] = [];
  const total = item.videos.length;
  let anchored = false;
  /** The runtime's toolbar goes before the page's first code (client: notebook/page.ts). */
  const anchor = (): string => (anchored ? '' : ((anchored = true), '<div class="runtime-anchor"></div>'));
  parts.push(`<h1 id="video-title">${escapeHtml(stripPrivateUse(item.title))}</h1>`);
  if (total > 1) {
    parts.push(
      `<p class="video-count">${ui('video.countLead')} <strong>${total} ${ui('video.countVideos')}</strong>${ui('video.countTail')}</p>`,
    );
  }
  item.videos.forEach((video, index) => {
    const id = `video-${video.key}`;
    const number = total > 1 ? `${ui('video.video')} ${index + 1} ${ui('video.of')} ${total}` : '';
    const title = video.title ? escapeHtml(stripPrivateUse(video.title)) : '';
    const heading = number && title ? `${number} — ${title}` : number || title || ui('video.video');
    const tracks = video.subtitles.map((s) => {
      const path = s.path.replace(/\.srt$/i, '.vtt');
      captions.push({ path, language: s.language, vtt: toWebVtt(s.cues) });
      return { language: s.language, url: links.fileUrl(path) };
    });
    const section: string[] = [
      `<section class="video" id="${id}" data-video="${escapeHtml(video.key)}" aria-labelledby="${id}-title">`,
      `<h2 id="${id}-title">${heading}</h2>`,
      player(video, tracks, language, links),
    ];
    const transcript = video.subtitles.find((s) => s.language === language) ?? video.subtitles[0];
    if (transcript) section.push(renderTranscript(id, transcript.language, transcript.cues));
    for (const path of video.scripts) section.push(renderScript(path, item.texts[path] ?? '', links, language));
    const downloads: string[] = [];
    for (const slide of video.slides) {
      const notebook = item.notebooks[slide.path];
      if (slide.notebook && notebook) {
        const rendered = renderNotebook(prefixed(notebook, video.key), links, language, diagnostics, { slides: true });
        codeCells.push(...rendered.codeCells);
        section.push(
          (rendered.codeCells.length > 0 ? anchor() : '') +
            `<section class="slides" aria-labelledby="${id}-slides-title"><h3 id="${id}-slides-title">${ui('video.slides')}</h3>` +
            `<div class="slide-deck" lang="${escapeHtml(language)}">${rendered.html}</div></section>`,
        );
      } else downloads.push(slide.path);
    }
    const code = video.code.filter((p) => p.endsWith('.py'));
    if (code.length > 0) {
      const cells: CodeCell[] = code.map((path, i) => ({
        type: 'code',
        index: i,
        id: `${video.key}-${path.slice(path.lastIndexOf('-') + 1).replace(/\.py$/, '')}`,
        line: 1,
        source: (item.texts[path] ?? '').replace(/\s+$/, ''),
        metadata: {},
        tags: [],
        language: 'python',
        outputs: [],
        executionCount: null,
      }));
      const notebook: Notebook = { path: code[0]!, format: 'myst', metadata: {}, cells };
      const rendered = renderNotebook(notebook, links, language, diagnostics);
      codeCells.push(...rendered.codeCells);
      section.push(
        anchor() +
          `<section class="video-code" aria-labelledby="${id}-code-title"><h3 id="${id}-code-title">${ui('video.code')}</h3>` +
          `<div lang="${escapeHtml(language)}">${rendered.html}</div></section>`,
      );
    }
    downloads.push(...video.code.filter((p) => !p.endsWith('.py')));
    if (downloads.length > 0) {
      section.push(
        `<section class="video-downloads" aria-labelledby="${id}-downloads-title"><h3 id="${id}-downloads-title">${ui('video.downloads')}</h3><ul>` +
          downloads
            .map((p) => {
              const name = escapeHtml(p.slice(p.lastIndexOf('/') + 1));
              const kind = escapeHtml(p.slice(p.lastIndexOf('.') + 1).toUpperCase());
              return `<li><a href="${escapeHtml(links.fileUrl(p))}" download>${name}</a> <span class="file-kind">(${kind})</span></li>`;
            })
            .join('') +
          `</ul></section>`,
      );
    }
    section.push(`</section>`);
    parts.push(section.join('\n'));
  });
  return { html: parts.join('\n'), headings, codeCells, captions };
}

function player(
  video: SequenceVideo,
  tracks: { language: string; url: string }[],
  language: string,
  links: CourseLinks,
): string {
  const source = video.source;
  if (!source) return `<p class="notice video-missing">${ui('video.missing')}</p>`;
  if (source.kind === 'embed') {
    const name = PLATFORM_NAMES[source.platform];
    return (
      `<figure class="video-player video-embed" data-platform="${source.platform}">` +
      `<iframe src="${escapeHtml(embedUrl(source))}" title="${escapeHtml(`${name} — ${video.title ?? video.key}`)}" ` +
      `allow="fullscreen; picture-in-picture; encrypted-media" allowfullscreen loading="lazy" ` +
      `referrerpolicy="strict-origin-when-cross-origin"></iframe>` +
      `<figcaption><a href="${escapeHtml(watchUrl(source))}" rel="noopener external" target="_blank">${ui('video.watchOn')} ${name}</a></figcaption></figure>`
    );
  }
  const poster = source.poster
    ? ` poster="${escapeHtml(source.poster.kind === 'file' ? links.fileUrl(source.poster.path) : source.poster.url)}"`
    : '';
  const sources = source.renditions
    .filter((r) => r.type !== 'application/vnd.apple.mpegurl')
    .map((r) => {
      const url = r.kind === 'file' ? links.fileUrl(r.path) : r.url;
      const label = r.label ? ` data-label="${escapeHtml(r.label)}"` : '';
      return `<source src="${escapeHtml(url)}" type="${r.type}"${label}>`;
    });
  // HLS plays natively in Safari; elsewhere the other renditions (or a download) take over.
  const hls = source.renditions.find((r) => r.type === 'application/vnd.apple.mpegurl');
  if (hls) sources.unshift(`<source src="${escapeHtml(hls.kind === 'url' ? hls.url : '')}" type="${hls.type}">`);
  const trackTags = tracks.map((t) => {
    const name = languageName(t.language);
    const isDefault = t.language === language || (tracks.length === 1 && tracks[0] === t);
    return `<track kind="captions" srclang="${escapeHtml(t.language)}" label="${escapeHtml(name)}" src="${escapeHtml(t.url)}"${isDefault ? ' default' : ''}>`;
  });
  const first = source.renditions.find((r) => r.type !== 'application/vnd.apple.mpegurl') ?? source.renditions[0];
  const download = first ? (first.kind === 'file' ? links.fileUrl(first.path) : first.url) : '';
  // No `crossorigin`: a CDN's video loads as no-cors media (the page is `credentialless`, ADR 041).
  return (
    `<figure class="video-player"><video controls preload="metadata" playsinline${poster} data-video="${escapeHtml(video.key)}">` +
    sources.join('') +
    trackTags.join('') +
    `<p><a href="${escapeHtml(download)}">${ui('video.download')}</a></p></video></figure>`
  );
}

/** The transcript: one line per cue, with its time (`data-start`, seconds) for the client. */
function renderTranscript(id: string, language: string, cues: Cue[]): string {
  const lines = cues
    .filter((c) => c.text.trim() !== '')
    .map((c) => {
      const start = (c.start / 1000).toFixed(3);
      const end = (c.end / 1000).toFixed(3);
      return (
        `<li data-start="${start}" data-end="${end}"><span class="cue-time">${clock(c.start)}</span> ` +
        `<span class="cue-text">${escapeHtml(stripPrivateUse(c.text)).replace(/\n/g, '<br>')}</span></li>`
      );
    });
  return (
    `<section class="transcript" aria-labelledby="${id}-transcript-title"><h3 id="${id}-transcript-title">${ui('video.transcript')}</h3>` +
    `<ol class="transcript-lines" lang="${escapeHtml(language)}">${lines.join('')}</ol></section>`
  );
}

function renderScript(path: string, text: string, links: CourseLinks, language: string): string {
  let body: string;
  if (path.endsWith('.md')) {
    const env = createEnv(language, () => {});
    body = renderMarkdown(text, env, links.resolver(dirname(path), env));
  } else {
    body = text
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p) => `<p>${escapeHtml(stripPrivateUse(p))}</p>`)
      .join('');
  }
  return `<details class="video-script"><summary>${ui('video.script')}</summary><div lang="${escapeHtml(language)}">${body}</div></details>`;
}

/** A slideshow notebook whose cell ids are unique on a page of several videos. */
function prefixed(notebook: Notebook, key: string): Notebook {
  return { ...notebook, cells: notebook.cells.map((c) => ({ ...c, id: `${key}-${c.id}` })) };
}

/** `1:05`, `1:02:03`. */
function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A language's own name (`fr` → Français), for the captions menu. */
function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    if (name) return name.charAt(0).toUpperCase() + name.slice(1);
  } catch {
    // An unknown code: show it as it is.
  }
  return code;
}
