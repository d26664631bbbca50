import type { MarkdownIt, StateBlock, StateInline, Token } from 'markdown-it';
import { envOf, nested, slot, type RenderEnv } from './env.ts';
import { codeBlock } from './highlight.ts';
import { escapeHtml } from './html.ts';
import { renderTex } from './math.ts';

/**
 * MyST directives in backtick fences (```{note}) and colon fences (:::{note}), and MyST roles
 * ({math}`x`). Admonitions render as boxes, `dropdown` ones as a closed <details>; image and
 * figure keep their options; unknown directives are shown as text with a warning.
 */

const ADMONITIONS = [
  'note',
  'tip',
  'warning',
  'attention',
  'caution',
  'danger',
  'error',
  'hint',
  'important',
  'seealso',
];

const DEFAULT_TITLES: Record<string, Record<string, string>> = {
  fr: {
    note: 'Remarque',
    tip: 'Astuce',
    warning: 'Avertissement',
    attention: 'Attention',
    caution: 'Prudence',
    danger: 'Danger',
    error: 'Erreur',
    hint: 'Indice',
    important: 'Important',
    seealso: 'Voir aussi',
  },
  en: {
    note: 'Note',
    tip: 'Tip',
    warning: 'Warning',
    attention: 'Attention',
    caution: 'Caution',
    danger: 'Danger',
    error: 'Error',
    hint: 'Hint',
    important: 'Important',
    seealso: 'See also',
  },
};

const IGNORED = new Set(['toctree', 'tableofcontents', 'contents', 'bibliography']);

interface Directive {
  name: string;
  argument: string;
  options: Record<string, string>;
  body: string;
}

/** Splits a directive fence into name, argument, `:key: value` (or `---` YAML-ish) options and body. */
export function parseDirective(info: string, content: string): Directive | null {
  const m = /^\{([A-Za-z][\w:-]*)\}\s*(.*)$/.exec(info.trim());
  if (!m) return null;
  const lines = content.replace(/\n$/, '').split('\n');
  const options: Record<string, string> = {};
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
    if (close !== -1) {
      for (const line of lines.splice(0, close + 1).slice(1, -1)) {
        const opt = /^\s*([\w-]+)\s*:\s*(.*)$/.exec(line);
        if (opt) options[opt[1]!] = opt[2]!.trim();
      }
    }
  } else {
    while (lines.length > 0) {
      const opt = /^\s*:([\w-]+):\s*(.*)$/.exec(lines[0]!);
      if (!opt) break;
      options[opt[1]!] = opt[2]!.trim();
      lines.shift();
    }
  }
  if (lines[0]?.trim() === '') lines.shift();
  return { name: m[1]!.toLowerCase(), argument: m[2]!.trim(), options, body: lines.join('\n') };
}

function classList(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((c) => /^[A-Za-z][\w-]*$/.test(c));
}

function renderDirective(md: MarkdownIt, d: Directive, env: RenderEnv): string {
  const name = d.name;
  if (name === 'admonition' || name === 'dropdown' || ADMONITIONS.includes(name)) return admonition(md, d, env);
  switch (name) {
    case 'image':
      return `<p class="directive-image">${image(d)}</p>\n`;
    case 'figure': {
      const caption = d.body.trim() ? `<figcaption>${renderBody(md, d, env)}</figcaption>` : '';
      const align = classList(d.options['align']).map((a) => `align-${a}`);
      const classes = ['figure', ...align, ...classList(d.options['class'])].join(' ');
      const id = d.options['name'] ? ` id="${escapeHtml(d.options['name'])}"` : '';
      return `<figure class="${classes}"${id}>${image({ ...d, options: { ...d.options, align: '' } })}${caption}</figure>\n`;
    }
    case 'code':
    case 'code-block':
    case 'sourcecode':
    case 'code-cell':
      return slot(env, codeBlock(d.body, d.argument || (name === 'code-cell' ? 'python' : ''))) + '\n';
    case 'math':
      return `<div class="math-display">${slot(env, renderTex(d.body, true, env))}</div>\n`;
    default:
      if (IGNORED.has(name)) return '';
      env.report(
        'warning',
        'render.unknown-directive',
        `The directive {${name}} is not supported; its text is shown as is.`,
        `{${d.name}}`,
      );
      return slot(env, codeBlock(d.body, '')) + '\n';
  }
}

/**
 * Directives rendered as such one inside the other; the innermost one's body is shown as its text. Each level
 * is a whole markdown render inside the one around it: without a bound, a cell of a thousand
 * nested fences overflows the stack, and a few thousand exhaust the memory.
 */
export const MAX_DIRECTIVE_NESTING = 16;

/** A directive's body as markdown, or as its text (with a warning) past `MAX_DIRECTIVE_NESTING`. */
function renderBody(md: MarkdownIt, d: Directive, env: RenderEnv): string {
  if (env.nesting + 1 < MAX_DIRECTIVE_NESTING) return nested(env, () => md.render(d.body, env.md));
  env.report(
    'warning',
    'render.too-deep',
    `Directives are nested more than ${MAX_DIRECTIVE_NESTING} levels deep here: the body of this {${d.name}} is shown as text.`,
    d.body.split('\n').find((line) => line.trim() !== '') ?? `{${d.name}}`,
  );
  return slot(env, codeBlock(d.body, ''));
}

function admonition(md: MarkdownIt, d: Directive, env: RenderEnv): string {
  const classes = classList(d.options['class']);
  // A generic admonition takes its kind from its classes (`:class: tip dropdown` is a tip).
  const kind =
    d.name === 'admonition' || d.name === 'dropdown'
      ? (classes.find((c) => ADMONITIONS.includes(c)) ?? 'note')
      : d.name;
  const isDropdown = d.name === 'dropdown' || classes.includes('dropdown');
  const defaults = DEFAULT_TITLES[env.language] ?? DEFAULT_TITLES['en']!;
  const rawTitle = d.argument || (d.name === 'admonition' || d.name === 'dropdown' ? '' : (defaults[kind] ?? ''));
  const title = rawTitle ? md.renderInline(rawTitle, env.md) : '';
  const all = ['admonition', kind, ...classes.filter((c) => c !== kind)].join(' ');
  const body = renderBody(md, d, env);
  const id = d.options['name'] ? ` id="${escapeHtml(d.options['name'])}"` : '';
  if (isDropdown) {
    const summary = title || escapeHtml(defaults[kind] ?? '…');
    const open = 'open' in d.options ? ' open' : '';
    return `<details class="${all}"${id}${open}><summary class="admonition-title">${summary}</summary><div class="admonition-body">${body}</div></details>\n`;
  }
  const heading = title ? `<p class="admonition-title">${title}</p>` : '';
  return `<div class="${all}"${id} role="note">${heading}<div class="admonition-body">${body}</div></div>\n`;
}

function image(d: Directive): string {
  const attrs = [`src="${escapeHtml(d.argument)}"`, `alt="${escapeHtml(d.options['alt'] ?? '')}"`];
  for (const dim of ['width', 'height'] as const) {
    const value = d.options[dim];
    if (value && /^\d+(\.\d+)?(px|%)?$/.test(value)) attrs.push(`${dim}="${escapeHtml(value.replace(/px$/, ''))}"`);
  }
  const classes = [...classList(d.options['align']).map((a) => `align-${a}`), ...classList(d.options['class'])];
  if (classes.length > 0) attrs.push(`class="${classes.join(' ')}"`);
  return `<img ${attrs.join(' ')}>`;
}

/** `:::{name} arg` … `:::` fences (more colons may enclose fewer). */
function colonFence(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const start = state.bMarks[startLine]! + state.tShift[startLine]!;
  const lineText = state.src.slice(start, state.eMarks[startLine]!);
  const open = /^(:{3,})\s*(\{[^}]+\}.*)$/.exec(lineText);
  if (!open) return false;
  if (silent) return true;
  const colons = open[1]!.length;
  let line = startLine + 1;
  let closed = false;
  for (; line < endLine; line++) {
    const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!).trimEnd();
    if (/^:{3,}$/.test(text) && text.length >= colons && state.sCount[line]! - state.blkIndent < 4) {
      closed = true;
      break;
    }
  }
  const token = state.push('fence', 'code', 0);
  token.info = open[2]!;
  token.content = state.getLines(startLine + 1, line, state.sCount[startLine]!, true);
  token.markup = open[1]!;
  token.map = [startLine, closed ? line + 1 : line];
  state.line = closed ? line + 1 : line;
  return true;
}

/** `{role}`text`` inline roles. */
function role(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x7b /* { */) return false;
  const m = /^\{([A-Za-z][\w:-]*)\}(`+)([\s\S]*?)\2(?!`)/.exec(state.src.slice(state.pos, state.posMax));
  if (!m) return false;
  if (!silent) {
    const token = state.push('myst_role', '', 0);
    token.meta = { name: m[1]!.toLowerCase() };
    token.content = m[3]!;
  }
  state.pos += m[0].length;
  return true;
}

function renderRole(token: Token, env: RenderEnv): string {
  const { name } = token.meta as { name: string };
  const text = token.content;
  switch (name) {
    case 'math':
      return slot(env, renderTex(text, false, env));
    case 'sub':
    case 'sup':
    case 'kbd':
      return `<${name}>${escapeHtml(text)}</${name}>`;
    case 'abbr': {
      const m = /^(.*?)\s*\((.*)\)$/.exec(text);
      return m ? `<abbr title="${escapeHtml(m[2]!)}">${escapeHtml(m[1]!)}</abbr>` : `<abbr>${escapeHtml(text)}</abbr>`;
    }
    case 'doc':
    case 'download': {
      const m = /^(.*?)\s*<([^>]+)>$/.exec(text);
      const [label, target] = m ? [m[1]!, m[2]!] : [text, text];
      const ext = name === 'doc' && !/\.(md|ipynb)$/.test(target) ? '.md' : '';
      return `<a href="${escapeHtml(target + ext)}">${escapeHtml(label)}</a>`;
    }
    default:
      return `<span class="role role-${escapeHtml(name)}">${escapeHtml(text)}</span>`;
  }
}

/** The markdown-it plugin: directive fences, colon fences, roles. */
export function directivesPlugin(md: MarkdownIt): void {
  md.block.ruler.before('fence', 'colon_fence', colonFence, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  md.inline.ruler.before('backticks', 'myst_role', role);
  md.renderer.rules['myst_role'] = (tokens, idx, _o, mdEnv) => renderRole(tokens[idx]!, envOf(mdEnv));
  md.renderer.rules.fence = (tokens, idx, _o, mdEnv) => {
    const env = envOf(mdEnv);
    const token = tokens[idx]!;
    const directive = token.info.trim().startsWith('{') ? parseDirective(token.info, token.content) : null;
    if (directive) return renderDirective(md, directive, env);
    return slot(env, codeBlock(token.content.replace(/\n$/, ''), token.info)) + '\n';
  };
  md.renderer.rules.code_block = (tokens, idx, _o, mdEnv) =>
    slot(envOf(mdEnv), codeBlock(tokens[idx]!.content.replace(/\n$/, ''), '')) + '\n';
}
