import type { Output } from '@carnet/course-format';
import { escapeHtml } from './html.ts';
import { renderTex } from './math.ts';
import { stripPrivateUse, type RenderEnv } from './env.ts';
import { renderMarkdown } from './markdown.ts';
import { sanitize, type UrlResolver } from './sanitize.ts';

/**
 * Stored outputs of .ipynb notebooks, shown as Jupyter shows them: the richest safe MIME type of
 * each bundle; HTML sanitised; SVG only as an <img> (never inline, so it cannot script the page);
 * tracebacks with their ANSI colours turned into classes.
 */
export function renderOutputs(outputs: readonly Output[], env: RenderEnv, resolve: UrlResolver): string {
  return outputs.map((o) => renderOutput(o, env, resolve)).join('');
}

const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

function renderOutput(output: Output, env: RenderEnv, resolve: UrlResolver): string {
  switch (output.type) {
    case 'stream':
      return `<pre class="nb-output nb-stream nb-${output.name}">${escapeHtml(stripPrivateUse(output.text))}</pre>`;
    case 'error': {
      const text = output.traceback.length > 0 ? output.traceback.join('\n') : `${output.ename}: ${output.evalue}`;
      return `<pre class="nb-output nb-error">${ansiToHtml(stripPrivateUse(text))}</pre>`;
    }
    default:
      // Entities in HTML and TeX in LaTeX can spell marker characters too: strip what comes out.
      return `<div class="nb-output nb-rich">${stripPrivateUse(renderBundle(output.data, env, resolve))}</div>`;
  }
}

function renderBundle(data: Record<string, string>, env: RenderEnv, resolve: UrlResolver): string {
  if (data['text/html'] !== undefined) return sanitize(stripPrivateUse(data['text/html']), resolve);
  const image = IMAGE_TYPES.find((t) => data[t] !== undefined);
  if (image) return `<img alt="" src="data:${image};base64,${escapeHtml(data[image]!.replace(/\s+/g, ''))}">`;
  if (data['image/svg+xml'] !== undefined) {
    const b64 = Buffer.from(data['image/svg+xml'], 'utf8').toString('base64');
    return `<img alt="" src="data:image/svg+xml;base64,${b64}">`;
  }
  if (data['text/markdown'] !== undefined) return renderMarkdown(data['text/markdown'], env, resolve);
  if (data['text/latex'] !== undefined) {
    const tex = data['text/latex'].trim().replace(/^\$\$?([\s\S]*?)\$?\$$/, '$1');
    return renderTex(tex, true, env);
  }
  if (data['text/plain'] !== undefined)
    return `<pre class="nb-plain">${escapeHtml(stripPrivateUse(data['text/plain']))}</pre>`;
  const json = Object.keys(data).find((k) => k.endsWith('json'));
  return json ? `<pre class="nb-plain">${escapeHtml(data[json]!)}</pre>` : '';
}

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** Converts ANSI SGR colour codes (as in IPython tracebacks) to spans with `ansi-*` classes. */
export function ansiToHtml(text: string): string {
  let out = '';
  let classes: string[] = [];
  const set = (prefix: string, name: string | null): void => {
    classes = classes.filter((c) => !c.startsWith(prefix));
    if (name !== null) classes.push(prefix + name);
  };
  // split() with two capture groups yields: text, parameters, command, text, parameters, command…
  const parts = text.split(/\x1b\[([0-9;]*)([A-Za-z])/);
  for (let i = 0; i < parts.length; i += 3) {
    const chunk = parts[i]!;
    if (chunk)
      out += classes.length > 0 ? `<span class="${classes.join(' ')}">${escapeHtml(chunk)}</span>` : escapeHtml(chunk);
    if (parts[i + 2] !== 'm') continue; // other escape sequences (cursor moves…) are dropped
    const codes = (parts[i + 1] || '0').split(';').map(Number);
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k]!;
      if (code === 0) classes = [];
      else if (code === 1) set('ansi-bold', '');
      else if (code === 22) set('ansi-bold', null);
      else if (code >= 30 && code <= 37) set('ansi-fg-', COLOURS[code - 30]!);
      else if (code >= 90 && code <= 97) set('ansi-fg-', `bright-${COLOURS[code - 90]}`);
      else if (code === 39) set('ansi-fg-', null);
      else if (code >= 40 && code <= 47) set('ansi-bg-', COLOURS[code - 40]!);
      else if (code === 49) set('ansi-bg-', null);
      else if (code === 38 || code === 48) k += codes[k + 1] === 5 ? 2 : 4; // 256-colour and RGB: not kept
    }
  }
  return out;
}
