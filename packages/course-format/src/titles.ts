import type { Notebook } from './notebook/model.ts';
import { isJsonObject } from './notebook/model.ts';

/**
 * A notebook's titles: the first heading of its markdown (the page title), and
 * `nbhosting.title` from the front matter for menus (the MOOC's short labels), each falling back
 * to the other, then to the file name.
 */
export function notebookTitle(notebook: Notebook, path: string): { title: string; menuTitle: string } {
  const nbhosting = notebook.metadata['nbhosting'];
  const short = isJsonObject(nbhosting) && typeof nbhosting['title'] === 'string' ? nbhosting['title'].trim() : '';
  const heading = firstHeading(notebook);
  const fileName = path.slice(path.lastIndexOf('/') + 1).replace(/\.(md|ipynb)$/i, '');
  const title = heading || short || fileName;
  return { title, menuTitle: short || title };
}

/** The first ATX or setext heading of the markdown cells, outside code fences, as plain text. */
export function firstHeading(notebook: Notebook): string {
  for (const cell of notebook.cells) {
    if (cell.type !== 'markdown') continue;
    let fence: string | null = null;
    const lines = cell.source.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (f) {
        if (fence === null) fence = f[1]!;
        else if (f[1]![0] === fence[0] && f[1]!.length >= fence.length) fence = null;
        continue;
      }
      if (fence !== null) continue;
      // A closing sequence of # needs a space before it: `# C#` is about C#.
      const atx = /^ {0,3}#{1,6}[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
      if (atx) return plainText(atx[1]!);
      if (i > 0 && /^ {0,3}=+\s*$/.test(line) && lines[i - 1]!.trim() !== '') return plainText(lines[i - 1]!);
    }
  }
  return '';
}

/**
 * Strips inline markdown and HTML from a heading: links keep their text, code its content verbatim
 * (`__init__`, `<div>`), and underscores inside words (`is_prime`) are not emphasis.
 */
export function plainText(markdown: string): string {
  const code: string[] = [];
  return markdown
    .replace(
      /(`+)(.*?[^`])\1(?!`)/g,
      (_, _fence: string, content: string) => `\uE000${code.push(content.trim()) - 1}\uE001`,
    )
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*`~]+|(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/gu, '')
    .replace(/\uE000(\d+)\uE001/g, (_, i: string) => code[Number(i)] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

const FRENCH = /\b(le|la|les|des|est|une|et|pour|dans|que|qui|avec|sur|nous|vous)\b/g;
const ENGLISH = /\b(the|is|and|of|to|in|that|with|for|this|you|we|are)\b/g;

/** The course language when no manifest says it: French or English, by their commonest words. */
export function guessLanguage(items: readonly { type: string; notebook?: Notebook }[]): string {
  let fr = 0;
  let en = 0;
  for (const item of items) {
    for (const cell of item.notebook?.cells ?? []) {
      if (cell.type !== 'markdown') continue;
      const text = cell.source.toLowerCase();
      fr += text.match(FRENCH)?.length ?? 0;
      en += text.match(ENGLISH)?.length ?? 0;
    }
  }
  return en > fr ? 'en' : 'fr';
}
