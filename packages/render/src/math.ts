import katex from 'katex';
import type { MarkdownIt, StateBlock, StateInline, Token } from 'markdown-it';
import { escapeHtml } from './html.ts';
import { envOf, slot, type RenderEnv } from './env.ts';

/**
 * `$…$` and `$$…$$` math, rendered to HTML and MathML by KaTeX at import time (the browser needs
 * only KaTeX's stylesheet). The inline rule follows pandoc: no space just inside the dollars, and
 * no digit right after the closing one, so "between $5 and $10" stays text.
 */

/** Renders TeX, or a visible, escaped error placeholder when KaTeX cannot parse it. */
export function renderTex(tex: string, display: boolean, env: RenderEnv): string {
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      throwOnError: true,
      output: 'htmlAndMathml',
      strict: 'ignore',
      trust: false,
      maxExpand: 1000,
      maxSize: 50,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^KaTeX parse error: /, '') : String(error);
    env.report('warning', 'render.math', `This formula cannot be rendered: ${reason}`, tex);
    return `<code class="math-error" title="${escapeHtml(reason)}">${escapeHtml(tex)}</code>`;
  }
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  const from = start + open;
  if (from >= state.posMax) return false;
  if (!display && /\s/.test(src[from]!)) return false;

  let end = from;
  for (;;) {
    end = src.indexOf(display ? '$$' : '$', end);
    if (end === -1 || end >= state.posMax) return false;
    if (src[end - 1] === '\\') {
      end++;
      continue;
    }
    // Pandoc: a dollar after a space cannot close, and its presence means the first one did not
    // open math ("between $5 and $10, and $x$" is text, then x).
    if (!display && /\s/.test(src[end - 1]!)) return false;
    break;
  }
  if (end === from) return false;
  if (!display && /\d/.test(src[end + 1] ?? '')) return false;
  if (!silent) {
    const token = state.push(display ? 'math_display_inline' : 'math_inline', 'math', 0);
    token.content = src.slice(from, end);
    token.markup = display ? '$$' : '$';
  }
  state.pos = end + open;
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  let pos = state.bMarks[startLine]! + state.tShift[startLine]!;
  const max = state.eMarks[startLine]!;
  if (state.src.slice(pos, pos + 2) !== '$$') return false;
  pos += 2;
  const firstLine = state.src.slice(pos, max);
  let content: string;
  let last = startLine;
  const closeOnFirst = firstLine.trimEnd().endsWith('$$');
  if (closeOnFirst) {
    content = firstLine.trimEnd().slice(0, -2);
    if (content.trim() === '' || content.includes('$$')) return false;
  } else {
    // `$$x$$ is…` opens a paragraph: the inline rule shows it, the block must not swallow what follows.
    if (firstLine.includes('$$')) return false;
    const lines = [firstLine];
    let found = false;
    for (let line = startLine + 1; line < endLine; line++) {
      const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!);
      // A blank line ends the paragraph: TeX forbids it in display math too.
      if (text.trim() === '' || state.sCount[line]! < state.blkIndent) return false;
      if (text.trimEnd().endsWith('$$')) {
        lines.push(text.trimEnd().slice(0, -2));
        last = line;
        found = true;
        break;
      }
      lines.push(text);
    }
    if (!found) return false;
    content = lines.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content.trim();
  token.map = [startLine, last + 1];
  token.markup = '$$';
  state.line = last + 1;
  return true;
}

/** The markdown-it plugin. */
export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.after('escape', 'math_inline', mathInline);
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  const tex = (token: Token, display: boolean, env: RenderEnv): string =>
    slot(env, renderTex(token.content, display, env));
  md.renderer.rules['math_inline'] = (tokens, idx, _o, mdEnv) => tex(tokens[idx]!, false, envOf(mdEnv));
  md.renderer.rules['math_display_inline'] = (tokens, idx, _o, mdEnv) => tex(tokens[idx]!, true, envOf(mdEnv));
  md.renderer.rules['math_block'] = (tokens, idx, _o, mdEnv) =>
    `<div class="math-display">${tex(tokens[idx]!, true, envOf(mdEnv))}</div>\n`;
}
