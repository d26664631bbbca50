import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { createEnv, envOf, fillSlots, slot, stripPrivateUse } from './env.ts';
import { codeBlock } from './highlight.ts';
import { mathPlugin } from './math.ts';

/**
 * Forum posts (issue 13): what learners write, so stricter than course content. Markdown without
 * raw HTML (typed `<b>` shows as text), fenced code highlighted as notebooks are, `$…$` math with
 * KaTeX, links marked `nofollow ugc`. No class, id or style survives, no image (a picture from
 * another site would tell it who reads the thread; an image is shown as a link to it), headings
 * start at level 3 (the thread page owns 1 and 2). Highlighted code and math are trusted fragments
 * made by us, kept out of the sanitiser and put back after it.
 */
const md = new MarkdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
md.use(mathPlugin);
md.linkify.set({ fuzzyEmail: false, fuzzyLink: false });
md.renderer.rules.fence = (tokens, idx, _o, mdEnv) =>
  slot(envOf(mdEnv), codeBlock(tokens[idx]!.content.replace(/\n$/, ''), tokens[idx]!.info || 'python')) + '\n';
md.renderer.rules.code_block = (tokens, idx, _o, mdEnv) =>
  slot(envOf(mdEnv), codeBlock(tokens[idx]!.content.replace(/\n$/, ''), 'python')) + '\n';
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!;
  const src = String(token.attrGet('src') ?? '');
  const alt = token.children?.map((c) => c.content).join('') || src;
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(alt)}</a>`;
};

const HEADING = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6' } as const;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'em',
    'strong',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    ...Object.fromEntries(Object.entries(HEADING).map(([from, to]) => [from, to])),
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow ugc noopener noreferrer' } }),
  },
};

/** A post's markdown as the HTML its thread shows. Pure; never throws. */
export function renderPost(source: string, language = 'fr'): string {
  const env = createEnv(language, () => {});
  const html = md.render(stripPrivateUse(source), env.md);
  return fillSlots(sanitizeHtml(html, OPTIONS), env);
}
