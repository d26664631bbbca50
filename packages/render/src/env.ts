/**
 * The state shared by every markdown render of one document (a notebook's cells, a quiz): trusted
 * fragments kept out of the sanitiser, heading ids, and the problems found.
 */
export interface Heading {
  level: number;
  text: string;
  id: string;
}

export interface RenderEnv {
  /** What markdown-it carries through a render: this env, under `carnet`. */
  md: { carnet: RenderEnv };
  /** Trusted HTML (KaTeX, highlighted code) swapped in after sanitising, by slot number. */
  slots: string[];
  /**
   * Random, in every placeholder: content can spell any character with an entity (`&#xE002;`), so
   * only the key tells our placeholders from forged ones.
   */
  key: string;
  /** Heading ids already used in this document. */
  ids: Set<string>;
  headings: Heading[];
  /** Depth of directive bodies being rendered: their headings stay out of the page outline. */
  nesting: number;
  /** Content language, for directive default titles. */
  language: string;
  /** Reports a problem; `needle` (text of the source) locates it precisely when given. */
  report(severity: 'error' | 'warning', code: string, message: string, needle?: string): void;
}

const SLOT_OPEN = '\uE002';
const SLOT_CLOSE = '\uE003';

/** Keeps trusted HTML aside and returns the private-use placeholder that stands for it. */
export function slot(env: RenderEnv, html: string): string {
  env.slots.push(html);
  return `${SLOT_OPEN}${env.key}:${env.slots.length - 1}${SLOT_CLOSE}`;
}

/**
 * Puts the trusted fragments back in place of their placeholders, in sanitised HTML. Any other
 * marker or placeholder character there came from content (entities decode to them): removed.
 */
export function fillSlots(html: string, env: RenderEnv): string {
  return html.replace(/\uE002(\w+):(\d+)\uE003|[\uE000-\uE005]/g, (_, key?: string, n?: string) =>
    key === env.key ? (env.slots[Number(n)] ?? '') : '',
  );
}

/** Removes placeholder and marker characters from author text, so content cannot forge them. */
export function stripPrivateUse(text: string): string {
  return /[\uE000-\uE005]/.test(text) ? text.replace(/[\uE000-\uE005]/g, '') : text;
}

/** Renders a nested body (a directive's content) with the same env. */
export function nested<T>(env: RenderEnv, render: () => T): T {
  env.nesting++;
  try {
    return render();
  } finally {
    env.nesting--;
  }
}

/** A fresh env for one document. */
export function createEnv(language: string, report: RenderEnv['report']): RenderEnv {
  const key = globalThis.crypto.randomUUID().replace(/-/g, '');
  const env = { slots: [], key, ids: new Set(), headings: [], nesting: 0, language, report } as unknown as RenderEnv;
  env.md = { carnet: env };
  return env;
}

/** Gets our env back from the one markdown-it passes to rules. */
export function envOf(mdEnv: unknown): RenderEnv {
  return (mdEnv as { carnet: RenderEnv }).carnet;
}

/** A heading id: lower-case words joined by dashes, accents kept; unique within the document. */
export function uniqueId(env: RenderEnv, text: string): string {
  const base =
    text
      .toLowerCase()
      .normalize('NFC')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'section';
  let id = base;
  for (let n = 2; env.ids.has(id); n++) id = `${base}-${n}`;
  env.ids.add(id);
  return id;
}
