/**
 * The one CSV writer of every export (RFC 4180): fields quoted when they hold a quote, comma or
 * line break, quotes doubled, lines ending with CRLF. Text is user input (learners' names,
 * answers, authors' titles), so anything a spreadsheet would take for a formula is defused.
 */

/** Excel reads a UTF-8 file as such only with a byte order mark; other readers skip it. */
export const UTF8_BOM = '\uFEFF';

/**
 * Text a spreadsheet may run as a formula (or DDE): `=`, `+`, `-`, `@`, a tab, a carriage return
 * or NUL first — also behind leading whitespace, which some spreadsheets trim before parsing.
 * `-1+cmd|…` and `+1+HYPERLINK(…)` are formulas too: no exception for text that looks numeric.
 */
const FORMULA_START = /^[\s\0]*[=+\-@\t\r\0]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field. Text that could be a formula gets a leading apostrophe (OWASP's advice), so it shows
 * as typed; numbers are written as they are (the caller computed them); null is an empty field.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of fields, ending with CRLF (what spreadsheets write). */
export function csvLine(fields: readonly (string | number | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
