import sanitizeHtml from 'sanitize-html';

/**
 * The allow-list every piece of course HTML goes through (markdown cells, quiz text, stored HTML
 * outputs). Scripts, event handlers, forms, frames, styles other than alignment and colour, and
 * URLs other than http(s), mailto and relative ones do not survive. Relative URLs are resolved by
 * the caller so that links and images point at the course's served files and pages.
 */

export interface ResolvedUrl {
  url: string;
  /** A data file: the browser should download it rather than navigate. */
  download?: boolean;
  external?: boolean;
}

/** Maps a URL as written in the course to the URL to serve; null leaves it as written. */
export type UrlResolver = (url: string, tag: 'a' | 'img') => ResolvedUrl | null;

export const ALLOWED_TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'div',
  'span',
  'section',
  'article',
  'aside',
  'em',
  'strong',
  'b',
  'i',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'small',
  'sub',
  'sup',
  'kbd',
  'code',
  'pre',
  'samp',
  'var',
  'abbr',
  'cite',
  'q',
  'dfn',
  'time',
  'blockquote',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'caption',
  'colgroup',
  'col',
  'a',
  'img',
  'figure',
  'figcaption',
  'details',
  'summary',
  'center',
];

const COLOUR = [/^#[0-9a-f]{3,8}$/i, /^[a-z]{3,20}$/i, /^rgba?\([\d\s.,%]+\)$/i];

// sanitize-html 2.17 options that its type definitions do not list yet.
const BASE: sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    '*': ['class', 'id', 'title', 'lang', 'dir', 'role', 'aria-label', 'aria-hidden', 'style'],
    a: ['href', 'name', 'download', 'rel'],
    img: ['src', 'alt', 'width', 'height', 'loading'],
    ol: ['start', 'reversed', 'type'],
    td: ['colspan', 'rowspan', 'align'],
    th: ['colspan', 'rowspan', 'align', 'scope'],
    col: ['span'],
    details: ['open'],
    time: ['datetime'],
  },
  allowedStyles: {
    '*': {
      'text-align': [/^(left|right|center|justify)$/],
      color: COLOUR,
      'background-color': COLOUR,
      'font-weight': [/^(bold|normal|\d00)$/],
      'font-style': [/^(italic|normal)$/],
    },
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowProtocolRelative: false,
  // `download` is set empty on data links; sanitize-html drops empty values not listed here.
  allowedEmptyAttributes: ['alt', 'download'],
  disallowedTagsMode: 'discard',
  enforceHtmlBoundary: false,
  parseStyleAttributes: true,
};

const IMAGE_DATA = /^data:image\/[\w.+-]+[;,]/i;

/** Sanitises HTML, resolving `a[href]` and `img[src]` through `resolve`. */
export function sanitize(html: string, resolve: UrlResolver): string {
  return sanitizeHtml(html, {
    ...BASE,
    transformTags: {
      a: (tagName, attribs) => {
        const href = attribs['href'];
        if (href === undefined) return { tagName, attribs };
        const resolved = resolve(href, 'a');
        const next: Record<string, string> = { ...attribs, href: resolved?.url ?? href };
        delete next['download'];
        if (resolved?.download) next['download'] = '';
        if (resolved?.external) next['rel'] = 'noopener noreferrer';
        return { tagName, attribs: next };
      },
      img: (tagName, attribs) => {
        const src = attribs['src'];
        const next: Record<string, string> = { ...attribs, loading: 'lazy' };
        if (src !== undefined) next['src'] = resolve(src, 'img')?.url ?? src;
        // `data:` is allowed on images for pictures only, not for documents (`data:text/html`).
        if (/^\s*data:/i.test(next['src'] ?? '') && !IMAGE_DATA.test(next['src']!)) delete next['src'];
        if (next['alt'] === undefined) next['alt'] = '';
        return { tagName, attribs: next };
      },
    },
  });
}

const TAG = /<\/?([A-Za-z][\w-]*)([^>]*)>/g;

/** Lists what the sanitiser will remove from author HTML, so the import can warn about it. */
export function findUnsafeHtml(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(TAG)) {
    const name = m[1]!.toLowerCase();
    // As a browser reads a URL: character references decoded, tabs and newlines ignored.
    const attributes = m[2]!.replace(/&#(x[0-9a-f]+|\d+);?/gi, (_, n: string) => codePoint(n)).replace(/[\t\n\r]/g, '');
    if (!ALLOWED_TAGS.includes(name)) problems.push(`<${name}>`);
    else if (/[\s/]on\w+\s*=/i.test(m[2]!)) problems.push(`an event handler on <${name}>`);
    else if (
      /(href|src)\s*=\s*["']?\s*(javascript|vbscript|data):/i.test(attributes) &&
      !(name === 'img' && /src\s*=\s*["']?\s*data:image\/[\w.+-]+[;,]/i.test(attributes))
    ) {
      problems.push(`a script URL on <${name}>`);
    }
  }
  return [...new Set(problems)];
}

/** The character of a numeric reference (`x61` or `97`); U+FFFD when out of range, as browsers do. */
function codePoint(reference: string): string {
  const n = reference[0] === 'x' || reference[0] === 'X' ? parseInt(reference.slice(1), 16) : parseInt(reference, 10);
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\uFFFD';
}
