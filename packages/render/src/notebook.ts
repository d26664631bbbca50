import type { Cell, CodeCell, Diagnostic, Notebook } from '@carnet/course-format';
import { dirname } from '@carnet/course-format';
import { createEnv, stripPrivateUse, type Heading, type RenderEnv } from './env.ts';
import { codeBlock } from './highlight.ts';
import { escapeHtml, ui } from './html.ts';
import type { CourseLinks } from './links.ts';
import { renderMarkdown } from './markdown.ts';
import { renderOutputs } from './outputs.ts';

/** A notebook rendered once at import: the page body and its outline. */
export interface RenderedNotebook {
  html: string;
  headings: Heading[];
  /** Code cells in order, for the runtime and for saved work later: id, tags and original source. */
  codeCells: { id: string; tags: string[]; source: string }[];
}

/** Side-by-side layouts: nbhosting's `gridwidth-1-2` tags and the legacy `cell_style: split`. */
function widthOf(cell: Cell): string | null {
  const tag = cell.tags.find((t) => /^gridwidth-[12]-[23]$/.test(t));
  if (tag) return tag.slice('gridwidth-'.length);
  return cell.metadata['cell_style'] === 'split' ? '1-2' : null;
}

/**
 * Renders a notebook's cells. Consecutive side-by-side cells share a row (two columns on wide
 * screens, stacked on narrow ones); cell tags shape the code cells: `remove-input` and
 * `remove-output` drop the code or its outputs, `remove-cell` hides the cell, `hide-input`,
 * `hide-output` and `hide-cell` fold them away, `raises-exception` marks the error as expected.
 */
export function renderNotebook(
  notebook: Notebook,
  links: CourseLinks,
  language: string,
  diagnostics: Diagnostic[],
  options: { slides?: boolean } = {},
): RenderedNotebook {
  const env = createEnv(language, () => {});
  const parts: string[] = [];
  let row: string[] = [];
  const flushRow = (): void => {
    if (row.length > 0) parts.push(`<div class="nb-row">${row.join('')}</div>`);
    row = [];
  };
  const slides: string[][] = [];
  const slideStarts = options.slides ? slideStarter(notebook) : null;
  for (const cell of notebook.cells) {
    if (slideStarts) {
      const type = slideType(cell);
      if (type === 'skip' || type === 'notes') continue;
      if (slideStarts(cell) && (parts.length > 0 || row.length > 0)) {
        flushRow();
        slides.push(parts.splice(0));
      }
    }
    env.report = reporter(notebook, cell, diagnostics);
    const width = widthOf(cell);
    const html = renderCell(cell, notebook, links, env, width ? [`nb-w-${width}`] : []);
    if (html === '') continue;
    if (width) row.push(html);
    else {
      flushRow();
      parts.push(html);
    }
  }
  flushRow();
  const codeCells = notebook.cells
    .filter((c): c is CodeCell => c.type === 'code' && !(slideStarts && ['skip', 'notes'].includes(slideType(c))))
    .map((c) => ({ id: c.id, tags: c.tags, source: c.source }));
  if (!slideStarts) return { html: parts.join('\n'), headings: env.headings, codeCells };
  if (parts.length > 0) slides.push(parts);
  const html = slides
    .map((cells, i) => `<section class="slide" data-slide="${i + 1}">${cells.join('\n')}</section>`)
    .join('\n');
  return { html, headings: env.headings, codeCells };
}

/** A cell's RISE / Jupyter slideshow type (`metadata.slideshow.slide_type`), or ''. */
function slideType(cell: Cell): string {
  const show = cell.metadata['slideshow'];
  const type = typeof show === 'object' && show !== null ? (show as Record<string, unknown>)['slide_type'] : undefined;
  return typeof type === 'string' ? type : '';
}

/**
 * Which cells open a slide: `slide` and `subslide` (a deck read flat), or — in a notebook
 * without slideshow metadata — each markdown cell that opens with a heading.
 */
function slideStarter(notebook: Notebook): (cell: Cell) => boolean {
  if (notebook.cells.some((c) => slideType(c) !== '')) {
    return (cell) => slideType(cell) === 'slide' || slideType(cell) === 'subslide';
  }
  return (cell) => cell.type === 'markdown' && /^\s*#{1,6}\s/.test(cell.source);
}

function renderCell(cell: Cell, notebook: Notebook, links: CourseLinks, env: RenderEnv, layout: string[]): string {
  const cellId = escapeHtml(stripPrivateUse(cell.id));
  const anchor = `id="cell-${cellId}" data-cell-id="${cellId}"`;
  const removed = cell.tags.includes('remove-cell');
  if (cell.type === 'markdown') {
    if (removed) return '';
    const resolve = links.resolver(dirname(notebook.path), env, cell.attachments);
    return `<div class="${['nb-cell', 'nb-markdown', ...layout].join(' ')}" ${anchor}>${renderMarkdown(cell.source, env, resolve)}</div>`;
  }
  if (cell.type === 'raw') return '';

  const tags = new Set(cell.tags);
  const resolve = links.resolver(dirname(notebook.path), env);
  let input = tags.has('remove-input')
    ? ''
    : `<div class="nb-input">${codeBlock(stripPrivateUse(cell.source), stripPrivateUse(cell.language) || 'python')}</div>`;
  if (input && tags.has('hide-input')) {
    input = `<details class="nb-fold"><summary>${ui('notebook.showCode')}</summary>${input}</details>`;
  }
  let outputs =
    cell.outputs.length > 0 && !tags.has('remove-output')
      ? `<div class="nb-outputs">${renderOutputs(cell.outputs, env, resolve)}</div>`
      : '';
  if (outputs && tags.has('hide-output')) {
    outputs = `<details class="nb-fold"><summary>${ui('notebook.showOutput')}</summary>${outputs}</details>`;
  }
  const expected = tags.has('raises-exception')
    ? `<p class="nb-badge nb-badge-error">${ui('notebook.expectedError')}</p>`
    : '';
  const classes = ['nb-cell', 'nb-code', ...layout, ...(tags.has('raises-exception') ? ['nb-raises'] : [])].join(' ');
  const tagList = cell.tags.length > 0 ? ` data-tags="${escapeHtml(stripPrivateUse(cell.tags.join(' ')))}"` : '';
  let body = `${expected}${input}${outputs}`;
  if (tags.has('hide-cell'))
    body = `<details class="nb-fold"><summary>${ui('notebook.showCell')}</summary>${body}</details>`;
  // A removed code cell stays in the page, hidden: it may set up what the visible cells use.
  return `<div class="${classes}" ${anchor}${tagList}${removed ? ' hidden' : ''}>${body}</div>`;
}

/** Reports at the cell's line, or at the exact line of `needle` inside a MyST cell. */
function reporter(notebook: Notebook, cell: Cell, diagnostics: Diagnostic[]): RenderEnv['report'] {
  return (severity, code, message, needle) => {
    let line = cell.line;
    let column = 1;
    const at = needle && notebook.format === 'myst' ? cell.source.indexOf(needle) : -1;
    if (at !== -1) {
      const before = cell.source.slice(0, at).split('\n');
      line += before.length - 1;
      column = before.at(-1)!.length + 1;
    }
    diagnostics.push({ severity, code, message, file: notebook.path, line, column });
  };
}
