/**
 * Markdown and LaTeX outputs: loaded only when a cell displays some (a separate chunk), and
 * sanitised by the caller like any HTML from a cell.
 */
import katex from 'katex';
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: true, linkify: true });

/** Markdown (with `$…$` and `$$…$$` formulas) → HTML, not yet sanitised. */
export function markdownToHtml(source: string): string {
  const formulas: string[] = [];
  // Formulas first, so markdown does not read their underscores and stars.
  const text = source.replace(/\$\$([\s\S]+?)\$\$|\$([^$\n]+?)\$/g, (_m, block?: string, inline?: string) => {
    formulas.push(tex(block ?? inline ?? '', block !== undefined));
    return `\uE100${formulas.length - 1}\uE101`;
  });
  return markdown.render(text).replace(/\uE100(\d+)\uE101/g, (_m, i: string) => formulas[Number(i)] ?? '');
}

/** A LaTeX output (`$…$`, `$$…$$` or bare) → HTML. */
export function latexToHtml(source: string): string {
  const trimmed = source.trim();
  const inner = trimmed.replace(/^\$\$?([\s\S]*?)\$?\$$/, '$1');
  return tex(inner, true);
}

function tex(source: string, display: boolean): string {
  return katex.renderToString(source, { displayMode: display, throwOnError: false, output: 'htmlAndMathml' });
}
