/** Small string helpers shared by the renderers. Every piece of author text goes through escapeHtml. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * Fragments are rendered once at import, in no particular UI language. A UI string inside one is a
 * marker `\uE000key\uE001` (private-use characters) that the server replaces with the reader's
 * language when it serves the page.
 */
export function ui(key: string): string {
  return `\uE000${key}\uE001`;
}

/** The markers' pattern, for the server's substitution. */
export const UI_MARKER = /\uE000([A-Za-z0-9_.-]+)\uE001/g;

/**
 * The per-learner places of a quiz page (a control's state, a question's result, a problem's
 * footer with its submit button): a marker `\uE004kind:key\uE005` that the server turns into one
 * of its page slots (ADR 026). Author text cannot contain these characters (`stripPrivateUse`).
 */
export function quizMarker(kind: 'value' | 'result' | 'footer', key: string): string {
  return `\uE004${kind}:${key}\uE005`;
}

/** The quiz markers' pattern, for the server. */
export const QUIZ_MARKER = /\uE004(value|result|footer):([A-Za-z0-9_.:-]+)\uE005/g;

/** Removes marker characters from author content, so a course cannot forge a UI string. */
export function stripMarkers(text: string): string {
  return text.includes('\uE000') || text.includes('\uE001') ? text.replace(/[\uE000\uE001]/g, '') : text;
}
