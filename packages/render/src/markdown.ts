import MarkdownIt from 'markdown-it';
import type { StateBlock, Token } from 'markdown-it';
import { directivesPlugin } from './directives.ts';
import { envOf, fillSlots, stripPrivateUse, uniqueId, type RenderEnv } from './env.ts';
import { mathPlugin } from './math.ts';
import { findUnsafeHtml, sanitize, type UrlResolver } from './sanitize.ts';

/**
 * CommonMark + GFM (tables, strikethrough, autolinks, bare URLs), math, MyST directives and roles,
 * heading ids. Raw HTML is allowed in the source and then sanitised with everything else; trusted
 * fragments (KaTeX, highlighted code) are kept out of the sanitiser in slots and put back after.
 */
const md = new MarkdownIt('default', { html: true, linkify: true, typographer: false, breaks: false });
md.use(mathPlugin);
md.use(directivesPlugin);
md.linkify.set({ fuzzyEmail: false, fuzzyLink: false });
md.core.ruler.push('heading_ids', (state) => {
  const env = envOf(state.env);
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'heading_open') continue;
    const text = inlineText(tokens[i + 1]?.children ?? []);
    const id = uniqueId(env, text);
    token.attrSet('id', id);
    // Headings inside directives (nested renders) are not part of the page outline.
    if (token.level === 0 && env.nesting === 0) {
      env.headings.push({ level: Number(token.tag.slice(1)), text, id });
    }
  }
});

/**
 * Blocks nested deeper than markdown-it's `maxNesting` (quotes in lists in quotes…): markdown-it
 * stops there and silently drops the rest of the enclosing block's lines. Here those lines are
 * kept, as one paragraph of their text (inline markup still applies), with a warning.
 */
const tokenizeBlocks = md.block.tokenize.bind(md.block);
md.block.tokenize = (state: StateBlock, startLine: number, endLine: number): void => {
  const first = state.skipEmptyLines(startLine);
  if (state.level < state.md.options.maxNesting || first >= endLine || state.sCount[first]! < state.blkIndent) {
    tokenizeBlocks(state, startLine, endLine);
    return;
  }
  // The lines this block holds: up to one indented less than it (the end of a list item…).
  let last = first;
  while (last < endLine && (state.isEmpty(last) || state.sCount[last]! >= state.blkIndent)) last++;
  const text = state.getLines(first, last, state.blkIndent, false).trim();
  const open = state.push('paragraph_open', 'p', 1);
  open.map = [first, last];
  const inline = state.push('inline', '', 0);
  inline.content = text;
  inline.map = [first, last];
  inline.children = [];
  state.push('paragraph_close', 'p', -1);
  // The whole physical line (quote markers and all) finds it in the cell's source.
  const lineStart = state.src.lastIndexOf('\n', state.bMarks[first]! - 1) + 1;
  envOf(state.env).report(
    'warning',
    'render.too-deep',
    `This text is nested more than ${state.md.options.maxNesting} levels deep (quotes, lists): what is deeper is shown as plain text.`,
    state.src.slice(lineStart, state.eMarks[first]),
  );
  state.line = last;
};

function inlineText(children: Token[]): string {
  return children
    .map((t) => (t.type === 'text' || t.type === 'code_inline' || t.type.startsWith('math') ? t.content : ''))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Warns about raw HTML the sanitiser will drop, so the author knows why it vanished. */
function reportUnsafeHtml(tokens: Token[], env: RenderEnv): void {
  for (const token of tokens) {
    if (token.type === 'html_block' || token.type === 'html_inline') {
      for (const what of findUnsafeHtml(token.content)) {
        env.report(
          'warning',
          'render.unsafe-html',
          `Removed ${what}: raw HTML may not run scripts or embed other pages.`,
          token.content.trim().split('\n')[0],
        );
      }
    }
    if (token.children) reportUnsafeHtml(token.children, env);
  }
}

/** Renders one markdown document (a notebook cell) to sanitised HTML. */
export function renderMarkdown(source: string, env: RenderEnv, resolve: UrlResolver): string {
  const tokens = md.parse(stripPrivateUse(source), env.md);
  reportUnsafeHtml(tokens, env);
  const html = md.renderer.render(tokens, md.options, env.md);
  return fillSlots(sanitize(html, resolve), env);
}

/** Renders inline markdown/HTML (a quiz option, a title) to sanitised HTML, without a paragraph. */
export function renderInlineMarkdown(source: string, env: RenderEnv, resolve: UrlResolver): string {
  return fillSlots(sanitize(md.renderInline(stripPrivateUse(source), env.md), resolve), env);
}

/** Sanitises raw HTML that is not markdown (quiz text, stored HTML outputs). */
export function renderHtml(html: string, env: RenderEnv, resolve: UrlResolver, what = 'HTML'): string {
  const clean = stripPrivateUse(html);
  for (const problem of findUnsafeHtml(clean)) {
    env.report(
      'warning',
      'render.unsafe-html',
      `Removed ${problem} from this ${what}.`,
      problem.startsWith('<') ? problem.slice(0, -1) : undefined,
    );
  }
  // Entities in the HTML (`&#xE000;`) decode to marker characters only now: strip them again.
  return stripPrivateUse(sanitize(clean, resolve));
}

export { md as markdownIt };
