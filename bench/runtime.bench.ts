/**
 * Start-up of the in-browser runtime, in headless Chromium, against a bare baseline measured in
 * the same run: (a) a bare page whose worker loads Pyodide from the same Carnet server and prints
 * once; (b) a Carnet notebook page, until its runtime is ready, then a click on Run until the
 * first output shows. Cold cache (a fresh browser context each time) and warm cache (a second
 * visit in the same context). Targets: ready ≤ 1.15 × bare; click-to-output < 50 ms.
 *
 *   npx tsx bench/runtime.bench.ts [--rounds 5]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, startCarnet } from '../tests/e2e/harness.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);

const carnet = await startCarnet();
const notebookUrl = `${carnet.url}/courses/demo/w1/w1-s1-c1-nombres`;

// Where the notebook page finds Pyodide: the bare page uses the very same URL (and bytes).
const html = await (await fetch(notebookUrl)).text();
const pyodideUrl = new URL(/"pyodideUrl":"([^"]+)"/.exec(html)![1]!.replace(/\\u002f/g, '/'), carnet.url).toString();
// Compressed copies are made on first request: make them before measuring.
for (const name of ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
  await (await fetch(`${pyodideUrl}${name}`, { headers: { 'accept-encoding': 'br, gzip' } })).arrayBuffer();
}

// The bare page, from another origin: a worker imports Pyodide (CORS) and prints once.
const bareWorker = `
const started = performance.now();
const { loadPyodide } = await import(${JSON.stringify(`${pyodideUrl}pyodide.mjs`)});
const pyodide = await loadPyodide({ indexURL: ${JSON.stringify(pyodideUrl)} });
pyodide.setStdout({ batched: (text) => postMessage(text) });
pyodide.runPython('print("ready")');
`;
const barePage = `<!doctype html><meta charset="utf-8"><title>bare</title><p id="out"></p>
<script type="module">
const worker = new Worker('/worker.js', { type: 'module' });
worker.onmessage = (e) => { window.readyAt = performance.now(); document.getElementById('out').textContent = e.data; };
</script>`;
const bare = createServer((request, response) => {
  if (request.url === '/worker.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(bareWorker);
  else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(barePage);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

const browser: Browser = await launchBrowser();

/** Navigation start → the bare page's print. */
async function bareReady(context: BrowserContext): Promise<number> {
  const page = await context.newPage();
  await page.goto(bareUrl);
  await page.waitForFunction(() => (window as unknown as { readyAt?: number }).readyAt !== undefined, null, {
    timeout: 60_000,
  });
  const ms = await page.evaluate(() => (window as unknown as { readyAt: number }).readyAt);
  await page.close();
  return ms;
}

/** Navigation start → the notebook's runtime ready; then click Run → first output. */
async function carnetReady(context: BrowserContext): Promise<{ ready: number; click: number }> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_m, observer) => {
      if (document.querySelector('.runtime-status[data-state="ready"]')) {
        (window as unknown as { readyAt: number }).readyAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(notebookUrl);
  await page.waitForFunction(() => (window as unknown as { readyAt?: number }).readyAt !== undefined, null, {
    timeout: 60_000,
  });
  const ready = await page.evaluate(() => (window as unknown as { readyAt: number }).readyAt);
  const click = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const cell = document.querySelector('.nb-code[data-cell-number="1"]')!;
        const outputs = cell.querySelector('.nb-outputs')!;
        const run = cell.querySelector<HTMLButtonElement>('.nb-run')!;
        let t0 = 0;
        new MutationObserver((_m, observer) => {
          if (outputs.textContent) {
            observer.disconnect();
            resolve(performance.now() - t0);
          }
        }).observe(outputs, { subtree: true, childList: true, characterData: true });
        t0 = performance.now();
        run.click();
      }),
  );
  await page.close();
  return { ready, click };
}

const cold = { bare: [] as number[], carnet: [] as number[], click: [] as number[] };
const warm = { bare: [] as number[], carnet: [] as number[], click: [] as number[] };
for (let round = 0; round < rounds; round++) {
  // Interleaved, so that noise hits both sides alike.
  for (const side of round % 2 === 0 ? ['bare', 'carnet'] : ['carnet', 'bare']) {
    const context = await browser.newContext();
    if (side === 'bare') {
      cold.bare.push(await bareReady(context));
      warm.bare.push(await bareReady(context));
    } else {
      const first = await carnetReady(context);
      const second = await carnetReady(context);
      cold.carnet.push(first.ready);
      cold.click.push(first.click);
      warm.carnet.push(second.ready);
      warm.click.push(second.click);
    }
    await context.close();
  }
}

const summary = (label: string, s: typeof cold) => {
  const bareMs = median(s.bare);
  const carnetMs = median(s.carnet);
  const ratio = carnetMs / bareMs;
  const click = median(s.click);
  console.log(
    `${label.padEnd(5)} bare ${bareMs.toFixed(0)} ms · Carnet ready ${carnetMs.toFixed(0)} ms · ratio ${ratio.toFixed(2)} (target ≤ 1.15) · click → output ${click.toFixed(1)} ms (target < 50)`,
  );
  return { bareMs, carnetMs, ratio, clickMs: click };
};
console.log(`Runtime start-up, medians of ${rounds} rounds (Chromium headless, Pyodide from the same server):`);
const results = { cold: summary('cold', cold), warm: summary('warm', warm) };
record('runtime', results);

await browser.close();
bare.close();
await carnet.stop();
