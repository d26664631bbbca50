/**
 * Typed HTML templates: `html` escapes every interpolated value unless it is already SafeHtml.
 * The only way to insert a raw string is `trustedHtml`, reserved for fragments that were
 * sanitised at import (course pages) — so XSS needs a visible, reviewable call.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escape(String(value));
}

/** The template tag. `null`, `undefined` and `false` render nothing; arrays are concatenated. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Marks an already-sanitised fragment (rendered and sanitised at import) as safe to insert as is. */
export function trustedHtml(fragment: string): SafeHtml {
  return new SafeHtml(fragment);
}

/**
 * A JSON data block for client modules: `<script type="application/json">`. Its content is not
 * HTML-decoded by browsers, so instead of entity escaping, `<` and line separators are escaped in JSON.
 */
export function jsonScript(id: string, value: unknown): SafeHtml {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return new SafeHtml(`<script type="application/json" id="${escape(id)}">${json}</script>`);
}
