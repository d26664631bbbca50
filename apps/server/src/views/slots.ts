import { randomBytes } from 'node:crypto';
import { SafeHtml } from './html.ts';

/**
 * Pages shared by every reader (a course's contents, a notebook) are rendered once and cached as
 * bytes (ADR 009). The few places that differ per reader — the account area of the header, the
 * learner's session box — are *slots*: the shared rendering marks them (with their anonymous
 * content inside), and each request either serves the anonymous bytes as they are or splices its
 * own content in. Markers carry a random per-process nonce, so course content cannot forge one.
 */

export type SlotName =
  | 'account'
  | 'course-session'
  | 'course-progress'
  | 'section-progress'
  | 'item-status'
  | 'quiz-notice'
  | 'quiz-value'
  | 'quiz-result'
  | 'quiz-footer';

/**
 * What a slot holds for one reader: the same content wherever the slot appears, or a function of
 * the slot's key (a slot may appear many times, each with its own key: one per item of a list).
 */
export type SlotContent = SafeHtml | ((key: string) => SafeHtml | undefined);

const NONCE = randomBytes(8).toString('hex');
const open = (name: SlotName, key?: string): string =>
  `\uE010${NONCE}:${name}${key === undefined ? '' : `\uE012${encodeURIComponent(key)}`}\uE011`;
const CLOSE = `\uE010${NONCE}:/\uE011`;
const MARKER = new RegExp(`\uE010${NONCE}:([a-z-]+|/)(?:\uE012([^\uE011]*))?\uE011`, 'g');

/**
 * Marks `content` as the anonymous content of slot `name`. A `key` says what the per-reader
 * content depends on (an item's route, a list of routes); the filling function receives it.
 */
export function slot(name: SlotName, content: SafeHtml, key?: string): SafeHtml {
  return new SafeHtml(open(name, key) + content.value + CLOSE);
}

/** A cached page: its fixed parts as bytes, the slots between them, and the anonymous variant. */
export class SlottedPage {
  private readonly parts: Buffer[] = [];
  private readonly slots: { name: SlotName; key: string }[] = [];
  private readonly defaults: string[];
  /** The page as an anonymous visitor gets it. */
  readonly anonymous: Buffer;

  constructor(
    rendered: string,
    /** Response headers of this page (a video page's CSP and isolation), sent with every copy. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    const defaults: string[] = [];
    let rest = rendered;
    let anonymous = '';
    for (;;) {
      MARKER.lastIndex = 0;
      const start = MARKER.exec(rest);
      if (!start || start[1] === '/') break;
      const end = rest.indexOf(CLOSE, start.index);
      if (end === -1) break;
      const before = rest.slice(0, start.index);
      const inside = rest.slice(start.index + start[0].length, end);
      this.parts.push(Buffer.from(before, 'utf8'));
      this.slots.push({ name: start[1] as SlotName, key: decodeURIComponent(start[2] ?? '') });
      defaults.push(inside);
      anonymous += before + inside;
      rest = rest.slice(end + CLOSE.length);
    }
    this.parts.push(Buffer.from(rest, 'utf8'));
    this.anonymous = Buffer.from(anonymous + rest, 'utf8');
    this.defaults = defaults;
  }

  /** The page with some slots replaced (the others, and keys a function skips, keep their anonymous content). */
  fill(contents: Partial<Record<SlotName, SlotContent>>): Buffer {
    const chunks: Buffer[] = [this.parts[0]!];
    this.slots.forEach(({ name, key }, i) => {
      const content = contents[name];
      const value = typeof content === 'function' ? content(key) : content;
      chunks.push(Buffer.from(value ? value.value : this.defaults[i]!, 'utf8'), this.parts[i + 1]!);
    });
    return Buffer.concat(chunks);
  }
}

/** Removes slot markers, keeping their content (for a page rendered for one reader). */
export function withoutSlotMarkers(rendered: string): string {
  return rendered.replace(MARKER, '');
}
