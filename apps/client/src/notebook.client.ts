/**
 * Notebook pages: Python (Pyodide in a worker) starts loading at once, then the cells become
 * editable and runnable (notebook/page.ts, loaded next). Without JavaScript the page stays
 * readable: the code is shown, not runnable.
 */
import type { RuntimeConfig } from '@carnet/runtime';
import { RuntimeClient } from './notebook/runtime-client.ts';
import type { NotebookPage, PageConfig } from './notebook/page.ts';

const readJson = <T>(id: string): T | null => {
  const script = document.getElementById(id);
  return script ? (JSON.parse(script.textContent ?? 'null') as T) : null;
};

async function main(): Promise<void> {
  // This script is async and its configuration is in the head: the interpreter, which takes
  // seconds to start, begins in its own thread while the page is still parsed and styled, so it
  // is usually ready before the learner's first click (a click before queues the run).
  const start = readJson<{ workerUrl: string; runtime: RuntimeConfig }>('carnet-runtime');
  if (!start) return;
  const runtime = new RuntimeClient(start.workerUrl, start.runtime);
  runtime.start();
  const [{ NotebookPage }] = await Promise.all([
    import('./notebook/page.ts'),
    document.readyState === 'loading'
      ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
      : null,
  ]);
  const config = readJson<PageConfig>('carnet-notebook');
  const article = document.querySelector<HTMLElement>('article.item-notebook, article.item-video');
  if (!config || !article) return;
  const page = new NotebookPage(article, config, runtime);
  (window as unknown as { carnetNotebook: NotebookPage }).carnetNotebook = page;
}

void main();
