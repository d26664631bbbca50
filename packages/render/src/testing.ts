/**
 * Helpers for this package's tests: in-memory courses built with the real course-format API, and
 * a small HTML query layer over htmlparser2 (the parser sanitize-html itself uses), so tests assert
 * on elements, attributes and text rather than on whole strings.
 */
import { buildCourse, type CourseModel, type CourseSnapshot } from '@carnet/course-format';
import { parseDocument } from 'htmlparser2';
import type { ChildNode, Document, Element } from 'domhandler';
import { createEnv, type RenderEnv } from './env.ts';
import { CourseLinks, type RenderTarget } from './links.ts';

/** The front matter jupytext writes; `extra` lines are added at the end. */
export function myst(body: string, ...extra: string[]): string {
  return [
    '---',
    'jupytext:',
    '  text_representation:',
    '    extension: .md',
    '    format_name: myst',
    'kernelspec:',
    '  display_name: Python 3',
    '  language: python',
    '  name: python3',
    ...extra,
    '---',
    '',
    body,
  ].join('\n');
}

/** An nbformat 4.5 notebook from its cells (cells are given as nbformat JSON objects). */
export function ipynb(cells: object[]): string {
  return JSON.stringify(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', language: 'python' }, language_info: { name: 'python' } },
      cells,
    },
    null,
    1,
  );
}

/** Builds a course from file texts (and symbolic links: link path → target path). */
export function courseOf(files: Record<string, string | Uint8Array>, links: Record<string, string> = {}): CourseModel {
  const encoder = new TextEncoder();
  const snapshot: CourseSnapshot = {
    files: new Map(Object.entries(files).map(([p, t]) => [p, typeof t === 'string' ? encoder.encode(t) : t])),
    links: new Map(Object.entries(links)),
    skipped: [],
    diagnostics: [],
  };
  const course = buildCourse(snapshot, { name: 'test' });
  const errors = course.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the test course does not build: ${JSON.stringify(errors)}`);
  return course;
}

/** A recognisable URL scheme, so tests see which URLs the renderer resolved. */
export const TARGET: RenderTarget = {
  itemUrl: (route) => `/c/item/${route}`,
  fileUrl: (path) => `/c/file/${path}`,
};

export function linksOf(course: CourseModel): CourseLinks {
  return new CourseLinks(course, TARGET);
}

/** An env that records what it reports. */
export function recordingEnv(language = 'en'): {
  env: RenderEnv;
  reports: { code: string; message: string; needle?: string }[];
} {
  const reports: { code: string; message: string; needle?: string }[] = [];
  const env = createEnv(language, (_severity, code, message, needle) => reports.push({ code, message, needle }));
  return { env, reports };
}

// ---- HTML queries ----

export function parse(html: string): Document {
  return parseDocument(html);
}

function isElement(node: ChildNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

function descendants(node: Document | Element): Element[] {
  const out: Element[] = [];
  const visit = (n: Document | Element): void => {
    for (const child of n.children) {
      if (isElement(child)) {
        out.push(child);
        visit(child);
      }
    }
  };
  visit(node);
  return out;
}

/** One compound selector: `tag`, `.class`, `tag.a.b`, `[attr]`, `[attr=value]`, `#id`. */
function matches(el: Element, selector: string): boolean {
  const m = /^([a-z0-9-]*|\*)((?:[.#][\w-]+|\[[\w-]+(?:=[^\]]*)?\])*)$/i.exec(selector);
  if (!m) throw new Error(`unsupported selector ${selector}`);
  if (m[1] && m[1] !== '*' && el.name !== m[1].toLowerCase()) return false;
  const classes = (el.attribs['class'] ?? '').split(/\s+/);
  for (const part of m[2]!.match(/[.#][\w-]+|\[[^\]]+\]/g) ?? []) {
    if (part.startsWith('.') && !classes.includes(part.slice(1))) return false;
    if (part.startsWith('#') && el.attribs['id'] !== part.slice(1)) return false;
    if (part.startsWith('[')) {
      const [name = '', value] = part.slice(1, -1).split('=');
      if (!(name in el.attribs)) return false;
      if (value !== undefined && el.attribs[name] !== value.replace(/^"|"$/g, '')) return false;
    }
  }
  return true;
}

/** All elements matching a descendant selector (`div.admonition summary`), in document order. */
export function $$(root: Document | Element | string, selector: string): Element[] {
  const start = typeof root === 'string' ? parse(root) : root;
  const steps = selector.trim().split(/\s+/);
  let current: (Document | Element)[] = [start];
  for (const step of steps) {
    const next = new Set<Element>();
    for (const node of current) for (const el of descendants(node)) if (matches(el, step)) next.add(el);
    current = [...next];
  }
  return current as Element[];
}

/** The single element matching `selector`; fails the test when there are none or several. */
export function $(root: Document | Element | string, selector: string): Element {
  const found = $$(root, selector);
  if (found.length !== 1) throw new Error(`expected one ${selector}, found ${found.length}`);
  return found[0]!;
}

/** The text content of a node, entities decoded. */
export function text(node: Document | Element | ChildNode): string {
  if (node.type === 'text') return node.data;
  if ('children' in node) return node.children.map((c) => text(c)).join('');
  return '';
}

/** Every attribute name used anywhere in the HTML, lower-cased. */
export function attributeNames(html: string): string[] {
  return [...new Set(descendants(parse(html)).flatMap((el) => Object.keys(el.attribs).map((a) => a.toLowerCase())))];
}

/** Every tag name used in the HTML. */
export function tagNames(html: string): string[] {
  return [...new Set(descendants(parse(html)).map((el) => el.name))];
}
