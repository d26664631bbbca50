import { describe, expect, it } from 'vitest';
import type { CourseModel, Diagnostic, VideoItem } from '@carnet/course-format';
import { $, $$, courseOf, ipynb, linksOf, myst, parse, text } from './testing.ts';
import { renderNotebook } from './notebook.ts';
import { renderVideo } from './video.ts';

const WEBM = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]);
const SRT = '1\n00:00:01,000 --> 00:00:03,500\nBonjour <i>à tous</i>\n\n2\n00:01:05,000 --> 00:01:07,000\nSuite\n';

function slide(type: string, source: string, cellType = 'markdown'): object {
  return cellType === 'code'
    ? {
        cell_type: 'code',
        id: source.slice(0, 6).replace(/\W/g, ''),
        metadata: { slideshow: { slide_type: type } },
        source,
        outputs: [],
        execution_count: null,
      }
    : { cell_type: 'markdown', id: `m${source.length}`, metadata: { slideshow: { slide_type: type } }, source };
}

function video(course: CourseModel, route: string): VideoItem {
  const item = course.items.find((i) => i.route === route);
  expect(item?.type).toBe('video');
  return item as VideoItem;
}

function render(course: CourseModel, route: string) {
  const diagnostics: Diagnostic[] = [];
  const rendered = renderVideo(video(course, route), linksOf(course), course.meta.language, diagnostics);
  return { ...rendered, doc: parse(rendered.html), diagnostics };
}

const COURSE = {
  'carnet.yml': [
    'language: fr',
    'videos:',
    '  w1-s1: { file: media/w1-s1.webm, title: "Bienvenue", poster: media/p.png }',
    '  w2-s1a: { url: "https://cdn.example.org/a.mp4", renditions: [{ url: "https://cdn.example.org/a-360.webm", label: 360p }] }',
    '  w2-s1b: { youtube: "https://youtu.be/abcdefghijk", title: "Deux" }',
  ].join('\n'),
  'media/w1-s1.webm': WEBM,
  'media/p.png': new Uint8Array([0x89, 0x50]),
  'w1/w1-s1-av.fr.srt': SRT,
  'w1/w1-s1-av.en.srt': '1\n00:00:01,000 --> 00:00:02,000\nHello\n',
  'w1/w1-s1-av.txt': 'Premier paragraphe.\n\nSecond <script>paragraphe</script>.',
  'w1/w1-s1-av.ipynb': ipynb([
    slide('slide', '## Titre'),
    slide('fragment', 'Texte du titre'),
    slide('slide', '## Code'),
    slide('fragment', "print('ok')", 'code'),
    slide('notes', 'Notes secrètes'),
    slide('skip', "print('skip')", 'code'),
    slide('subslide', '## Fin'),
  ]),
  'w1/w1-s1-av-exo1.py': 'x = 2 + 3\nprint(x)\n',
  'w1/w1-s1-av-slide1.pdf': '%PDF-1.4',
  'w1/w1-s1-c1-intro.md': myst('# Intro\n\n[les diapositives](w1-s1-av.ipynb)'),
  'w2/w2-s1-c1-x.md': myst('# X'),
};

describe('video items', () => {
  const course = courseOf(COURSE);

  it('makes one page per sequence, first in it, and takes the slideshow notebook off the notebook pages', () => {
    expect(course.items.map((i) => i.route)).toEqual([
      'w1/w1-s1-av',
      'w1/w1-s1-c1-intro',
      'w2/w2-s1-av',
      'w2/w2-s1-c1-x',
    ]);
    const item = video(course, 'w1/w1-s1-av');
    expect(item.notebooks['w1/w1-s1-av.ipynb']).toBeDefined();
    expect(item.texts['w1/w1-s1-av-exo1.py']).toContain('2 + 3');
    // Without CONTENTS.md, the declared title; without either, the course language's fallback.
    expect(item.title).toBe('Bienvenue');
    expect(video(course, 'w2/w2-s1-av').title).toBe('Vidéo de la séquence 1');
    expect(video(course, 'w2/w2-s1-av').videos.map((v) => v.key)).toEqual(['w2-s1a', 'w2-s1b']);
  });

  it('sends a link to the slideshow notebook to the video page', () => {
    const intro = course.items.find((i) => i.route === 'w1/w1-s1-c1-intro');
    if (intro?.type !== 'notebook') throw new Error('no intro notebook');
    const { html } = renderNotebook(intro.notebook, linksOf(course), 'fr', []);
    expect($(parse(html), 'a').attribs['href']).toBe('/c/item/w1/w1-s1-av');
  });
});

describe('renderVideo', () => {
  const course = courseOf(COURSE);

  it('renders a native player with the course file, the poster, and a captions track per language (fr default)', () => {
    const { doc, captions } = render(course, 'w1/w1-s1-av');
    const player = $(doc, 'video');
    expect(player.attribs['controls']).toBeDefined();
    expect(player.attribs['poster']).toBe('/c/file/media/p.png');
    expect($(doc, 'video source').attribs).toMatchObject({ src: '/c/file/media/w1-s1.webm', type: 'video/webm' });
    const tracks = $$(doc, 'video track')
      .map((t) => t.attribs)
      .sort((x, y) => (x['srclang']! < y['srclang']! ? -1 : 1));
    expect(tracks).toEqual([
      expect.objectContaining({ kind: 'captions', srclang: 'en', label: 'English', src: '/c/file/w1/w1-s1-av.en.vtt' }),
      expect.objectContaining({ kind: 'captions', srclang: 'fr', label: 'Français', default: '' }),
    ]);
    expect(tracks[0]!['default']).toBeUndefined();
    expect(captions.map((c) => c.path).sort()).toEqual(['w1/w1-s1-av.en.vtt', 'w1/w1-s1-av.fr.vtt']);
    const fr = captions.find((c) => c.language === 'fr')!.vtt;
    expect(fr.startsWith('WEBVTT')).toBe(true);
    expect(fr).toContain('00:00:01.000 --> 00:00:03.500');
    // Without JavaScript a link downloads the video.
    expect($(doc, 'video a').attribs['href']).toBe('/c/file/media/w1-s1.webm');
  });

  it('renders the transcript from the course language, one line per cue with its start and end', () => {
    const { doc } = render(course, 'w1/w1-s1-av');
    const lines = $$(doc, '.transcript-lines li');
    expect(lines.map((l) => [l.attribs['data-start'], l.attribs['data-end']])).toEqual([
      ['1.000', '3.500'],
      ['65.000', '67.000'],
    ]);
    expect(text($$(doc, '.transcript-lines li .cue-time')[0]!)).toBe('0:01');
    expect(text(lines[1]!)).toContain('1:05');
    // Markup of the cue is dropped from the transcript: plain text, escaped.
    expect(text(lines[0]!)).toContain('Bonjour à tous');
    expect($$(doc, '.transcript-lines i')).toHaveLength(0);
  });

  it('escapes the script, and renders the slides as a deck: slide and subslide open one, notes and skip are left out', () => {
    const { doc, html, codeCells } = render(course, 'w1/w1-s1-av');
    expect(html).not.toContain('<script>');
    expect(text($(doc, '.video-script'))).toContain('Second <script>paragraphe</script>.');
    const slides = $$(doc, '.slide-deck section.slide');
    expect(slides).toHaveLength(3);
    expect(text(slides[0]!)).toContain('Texte du titre');
    expect($$(slides[1]!, '.nb-code')).toHaveLength(1);
    expect(html).not.toContain('Notes secrètes');
    expect(html).not.toContain("print('skip')");
    // Code cells of the slides and of the video, runnable, with ids unique on the page.
    expect(codeCells.map((c) => c.id)).toEqual(['w1-s1-print', 'w1-s1-exo1']);
    expect(codeCells[1]!.source).toBe('x = 2 + 3\nprint(x)');
    expect($$(doc, '.nb-code[data-cell-id]').map((c) => c.attribs['data-cell-id'])).toEqual([
      'w1-s1-print',
      'w1-s1-exo1',
    ]);
    // The runtime's toolbar goes before the first code, once.
    expect($$(doc, '.runtime-anchor')).toHaveLength(1);
    // Decks that are not notebooks are downloads.
    expect($(doc, '.video-downloads a').attribs).toMatchObject({ href: '/c/file/w1/w1-s1-av-slide1.pdf' });
  });

  it('numbers the videos of a sequence with two, renders a CDN video and a platform player', () => {
    const { doc } = render(course, 'w2/w2-s1-av');
    expect($$(doc, 'section.video').map((s) => s.attribs['data-video'])).toEqual(['w2-s1a', 'w2-s1b']);
    const plain = (id: string): string => text($(doc, id)).replace(/[\uE000\uE001]/g, '');
    expect(plain('#video-w2-s1a-title')).toBe('video.video 1 video.of 2');
    expect(plain('#video-w2-s1b-title')).toBe('video.video 2 video.of 2 — Deux');
    expect($$(doc, 'p.video-count')).toHaveLength(1);
    expect($$(doc, '#video-w2-s1a source').map((s) => s.attribs['src'])).toEqual([
      'https://cdn.example.org/a.mp4',
      'https://cdn.example.org/a-360.webm',
    ]);
    // No `crossorigin`: a CDN's video is a no-cors load (ADR 041).
    expect($(doc, '#video-w2-s1a video').attribs['crossorigin']).toBeUndefined();
    const iframe = $(doc, '#video-w2-s1b iframe');
    expect(iframe.attribs['src']).toBe('https://www.youtube-nocookie.com/embed/abcdefghijk');
    expect(iframe.attribs['title']).toContain('YouTube');
    expect($(doc, '#video-w2-s1b figcaption a').attribs['href']).toBe('https://www.youtube.com/watch?v=abcdefghijk');
  });

  it('still makes a page for av material without a video, and says so', () => {
    const course = courseOf({ 'w3/w3-s2-av.fr.srt': SRT, 'w3/w3-s2-c1-x.md': myst('# X') });
    expect(course.diagnostics.map((d) => d.code)).toContain('video.undeclared');
    const { doc } = render(course, 'w3/w3-s2-av');
    expect($$(doc, 'video')).toHaveLength(0);
    expect($$(doc, '.video-missing')).toHaveLength(1);
    expect($$(doc, '.transcript-lines li')).toHaveLength(2);
  });

  it('escapes hostile titles and subtitles', () => {
    const course = courseOf({
      'carnet.yml': 'videos:\n  w1-s1: { file: media/v.webm, title: "<img src=x onerror=alert(1)>" }\n',
      'media/v.webm': WEBM,
      'w1/w1-s1-av.fr.srt': '1\n00:00:01,000 --> 00:00:02,000\n<script>alert(1)</script>\n',
    });
    const { html, doc } = render(course, 'w1/w1-s1-av');
    expect(html).not.toMatch(/<img|<script/);
    expect(text($(doc, 'h2'))).toBe('<img src=x onerror=alert(1)>');
  });
});
