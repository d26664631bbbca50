import { StreamLanguage } from '@codemirror/language';
import { c, cpp, java } from '@codemirror/legacy-modes/mode/clike';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { standardSQL } from '@codemirror/legacy-modes/mode/sql';
import { toml } from '@codemirror/legacy-modes/mode/toml';
import { yaml } from '@codemirror/legacy-modes/mode/yaml';
import type { Parser } from '@lezer/common';
import { parser as cssParser } from '@lezer/css';
import { classHighlighter, highlightCode } from '@lezer/highlight';
import { parser as htmlParser } from '@lezer/html';
import { parser as jsParser } from '@lezer/javascript';
import { parser as jsonParser } from '@lezer/json';
import { parser as pythonParser } from '@lezer/python';
import { escapeHtml } from './html.ts';

/**
 * Server-side syntax highlighting with the Lezer grammars the browser editor (CodeMirror 6) uses,
 * and its `tok-*` class names, so code looks the same read-only and in the editor.
 */

const legacy = (mode: Parameters<typeof StreamLanguage.define>[0]): (() => Parser) => {
  let parser: Parser | undefined;
  return () => (parser ??= StreamLanguage.define(mode).parser);
};

const PARSERS: Record<string, () => Parser> = {
  python: () => pythonParser,
  javascript: () => jsParser,
  typescript: () => jsParser.configure({ dialect: 'ts' }),
  json: () => jsonParser,
  css: () => cssParser,
  html: () => htmlParser,
  c: legacy(c),
  cpp: legacy(cpp),
  java: legacy(java),
  shell: legacy(shell),
  sql: legacy(standardSQL),
  toml: legacy(toml),
  yaml: legacy(yaml),
};

const ALIASES: Record<string, string> = {
  py: 'python',
  python3: 'python',
  ipython: 'python',
  ipython3: 'python',
  pycon: 'python',
  js: 'javascript',
  ts: 'typescript',
  'c++': 'cpp',
  h: 'c',
  bash: 'shell',
  sh: 'shell',
  zsh: 'shell',
  console: 'shell',
  'shell-session': 'shell',
  yml: 'yaml',
  xml: 'html',
};

/** The canonical language name for a fence's info string (`C`, `ipython3`…), or null if unknown. */
export function languageOf(info: string): string | null {
  const name = info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const canonical = ALIASES[name] ?? name;
  return canonical in PARSERS ? canonical : null;
}

/** Highlights code as HTML spans; unknown languages are escaped only. */
export function highlight(code: string, language: string | null): string {
  const getParser = language ? PARSERS[language] : undefined;
  if (!getParser) return escapeHtml(code);
  let out = '';
  try {
    highlightCode(
      code,
      getParser().parse(code),
      classHighlighter,
      (text, classes) => {
        out += classes ? `<span class="${classes}">${escapeHtml(text)}</span>` : escapeHtml(text);
      },
      () => {
        out += '\n';
      },
    );
  } catch {
    return escapeHtml(code);
  }
  return out;
}

/** A complete read-only code block: `<pre class="code" data-lang=…><code>…</code></pre>`. */
export function codeBlock(code: string, info: string): string {
  const language = languageOf(info);
  const label = language ?? (info.trim().split(/\s+/)[0] || 'text');
  return `<pre class="code" data-lang="${escapeHtml(label)}"><code>${highlight(code, language)}</code></pre>`;
}
