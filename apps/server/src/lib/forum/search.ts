import { html, type SafeHtml } from '../../views/html.ts';

/**
 * Forum search (issue 13, ADR 044), the pure half: what a typed query becomes (folded terms, an
 * FTS5 expression made only of quoted terms), and excerpts with the matches marked, escaped.
 */

/** Fewer characters than this (after trimming): no search, the form only. */
export const QUERY_MIN = 2;
/** Past this many characters a query is cut (a pasted page searches for its beginning). */
export const QUERY_MAX = 200;
/** At most this many terms are searched for. */
export const TERMS_MAX = 8;
/** The similar-thread suggestions start at this many characters of a title. */
export const SIMILAR_MIN = 3;
export const SIMILAR_MAX = 5;
/** Characters of a post shown around its first match. */
export const EXCERPT_LENGTH = 220;

/** Lower case, accents and other combining marks removed (the index folds the same way). */
export const fold = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();

// Words too frequent to tell threads apart: they would make every query scan most posts. PostgreSQL's
// 'french' configuration drops its own list; this one makes SQLite behave alike.
const STOP_WORDS = new Set(
  (
    'a au aux avec ce ces c d dans de des du elle en est et eux il ils j je l la le les leur lui ' +
    'ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son ' +
    'sur t ta te tes toi ton tu un une vos votre vous y ça ca cette cet est sont été ete etre être ' +
    'the of and to in is it for on with'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** Whether a query is long enough to search for. */
export const isSearchable = (query: string): boolean => [...query.trim()].length >= QUERY_MIN;

/**
 * The terms of a query: folded words (letters and digits only, so no search syntax survives),
 * frequent words left out unless nothing else remains, each once, at most TERMS_MAX.
 */
export function searchTerms(query: string): string[] {
  const words = (fold(query.slice(0, QUERY_MAX)).match(WORD) ?? []).map((w) => w.slice(0, 40));
  const telling = words.filter((w) => !STOP_WORDS.has(w));
  return [...new Set(telling.length > 0 ? telling : words)].slice(0, TERMS_MAX);
}

/**
 * The words a term finds in FTS5: itself and its plural (`s`, `x`), or its singular when it ends
 * with one — exact words, not prefixes: a prefix query makes FTS5 read every matching word's whole
 * list of posts, a bare word is read lazily in post order (ADR 047).
 */
export function termForms(term: string): string[] {
  if ([...term].length < 3) return [term];
  if (/[sx]$/.test(term)) return [term, term.slice(0, -1)];
  return [term, `${term}s`, `${term}x`];
}

/**
 * An FTS5 MATCH expression for these terms: each word a double-quoted string (quotes doubled,
 * though terms cannot hold any), a term the OR of its forms (`termForms`); `all` joins the terms
 * with AND (search), `any` with OR (similar titles).
 */
export function ftsExpression(terms: string[], mode: 'all' | 'any'): string {
  return terms
    .map((term) => {
      const forms = termForms(term).map((form) => `"${form.replaceAll('"', '""')}"`);
      return forms.length === 1 ? forms[0]! : `(${forms.join(' OR ')})`;
    })
    .join(mode === 'all' ? ' AND ' : ' OR ');
}

/** Whether a folded word is what a term finds: the term starts it (also without a plural's s or x). */
function matches(word: string, terms: string[]): boolean {
  return terms.some((term) => {
    if (word.startsWith(term)) return true;
    const singular = term.replace(/[sx]$/, '');
    return singular.length >= 3 && singular !== term && word.startsWith(singular);
  });
}

/** How many of the terms a title holds (search ranks by it). */
export function titleMatches(title: string, terms: string[]): number {
  const words = fold(title).match(WORD) ?? [];
  return terms.filter((term) => words.some((word) => matches(word, [term]))).length;
}

/** Text with the words the terms find in <mark>; every part escaped. */
export function highlight(text: string, terms: string[]): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    if (!matches(fold(m[0]), terms)) continue;
    parts.push(html`${text.slice(last, m.index)}<mark>${m[0]}</mark>`);
    last = m.index + m[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}

/** Markdown as plain running text, near enough for an excerpt (fences, emphasis, link targets dropped). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/^\s*(```|~~~).*$/gm, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[ \t]{0,3}(#{1,6}|>+)[ \t]*/gm, ' ')
    .replace(/[`*_|~]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A short passage of a post around the first word the terms find (its start if none), marked. */
export function excerpt(markdown: string, terms: string[], length = EXCERPT_LENGTH): SafeHtml {
  const text = plainText(markdown);
  if (text.length <= length) return highlight(text, terms);
  let first = 0;
  for (const m of text.matchAll(WORD)) {
    if (matches(fold(m[0]), terms)) {
      first = m.index;
      break;
    }
  }
  let start = Math.max(0, first - Math.floor(length / 4));
  // Start and end on word boundaries (the passage stays whole words).
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  let end = Math.min(text.length, start + length);
  if (end < text.length) end = text.lastIndexOf(' ', end) > start ? text.lastIndexOf(' ', end) : end;
  return html`${start > 0 ? '…' : ''}${highlight(text.slice(start, end), terms)}${end < text.length ? '…' : ''}`;
}
