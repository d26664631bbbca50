import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
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
