// The runtime with a Pyodide package repository (a wheel this test builds and serves itself,
// from another origin, as a CDN would), and a page of 100 code cells that must stay responsive.
import { createHash } from 'node:crypto';
import { readFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../apps/server/src/lib/zip.ts';
import { useCarnetInBrowser } from './harness.ts';
import { openNotebook, outputText, runCell, setCode, waitForState } from './notebook.ts';

const WHEEL = 'carnet_toy-1.0.0-py3-none-any.whl';

/** A pure-Python wheel, built here: `carnet_toy.bonjour()`. */
function buildWheel(): Buffer {
  const files: { path: string; data: Buffer }[] = [
    { path: 'carnet_toy/__init__.py', data: Buffer.from('def bonjour():\n    return "bonjour du paquet"\n') },
    {
      path: 'carnet_toy-1.0.0.dist-info/METADATA',
      data: Buffer.from('Metadata-Version: 2.1\nName: carnet-toy\nVersion: 1.0.0\n'),
    },
    {
      path: 'carnet_toy-1.0.0.dist-info/WHEEL',
      data: Buffer.from('Wheel-Version: 1.0\nGenerator: carnet-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    },
  ];
  const record = files
    .map((f) => `${f.path},sha256=${createHash('sha256').update(f.data).digest('base64url')},${f.data.length}`)
    .concat(['carnet_toy-1.0.0.dist-info/RECORD,,'])
    .join('\n');
  files.push({ path: 'carnet_toy-1.0.0.dist-info/RECORD', data: Buffer.from(`${record}\n`) });
  return zipFiles(files);
}

const requests: string[] = [];
let repository: Server;
let repositoryUrl = '';

beforeAll(async () => {
  const wheel = buildWheel();
  const require = createRequire(import.meta.url);
  const bundled = JSON.parse(
    readFileSync(join(dirname(require.resolve('pyodide/package.json')), 'pyodide-lock.json'), 'utf8'),
  ) as { info: object };
  const lock = {
    info: bundled.info,
    packages: {
      'carnet-toy': {
        name: 'carnet-toy',
        version: '1.0.0',
        file_name: WHEEL,
        install_dir: 'site',
        sha256: createHash('sha256').update(wheel).digest('hex'),
        package_type: 'package',
        imports: ['carnet_toy'],
        depends: [],
        unvendored_tests: false,
      },
    },
  };
  repository = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body =
      request.url === '/repo/pyodide-lock.json'
        ? Buffer.from(JSON.stringify(lock))
        : request.url === `/repo/${WHEEL}`
          ? wheel
          : null;
    // A CDN's headers: anyone may fetch (CORS), so a cross-origin isolated page can.
    response.setHeader('Access-Control-Allow-Origin', '*');
    if (!body) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => repository.listen(0, '127.0.0.1', resolve));
  repositoryUrl = `http://127.0.0.1:${(repository.address() as AddressInfo).port}/repo/`;
});

afterAll(() => new Promise<void>((resolve) => repository.close(() => resolve())));

/** A small course: one notebook importing the package, one of 100 code cells; carnet.yml declares the package. */
function extraCourse(): string {
  const folder = mkdtempSync(join(tmpdir(), 'carnet-extra-'));
  mkdirSync(join(folder, 'w1'));
  writeFileSync(join(folder, 'carnet.yml'), 'title: Paquets\nlanguage: fr\npackages: [carnet-toy]\n');
  const myst = (title: string, cells: string[]): string =>
    `---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n---\n\n# ${title}\n\n${cells.join('\n\n')}\n`;
  const code = (source: string): string => `\`\`\`{code-cell} ipython3\n${source}\n\`\`\``;
  writeFileSync(
    join(folder, 'w1', 'w1-s1-c1-paquet.md'),
    myst('Un paquet', [code('import carnet_toy\ncarnet_toy.bonjour()')]),
  );
  const many = Array.from({ length: 100 }, (_, i) => `Étape ${i + 1}.\n\n${code(`x${i} = ${i}\nx${i} * 2`)}`);
  writeFileSync(join(folder, 'w1', 'w1-s2-c1-cent-cellules.md'), myst('Cent cellules', many));
  return folder;
}

const running = useCarnetInBrowser(() => ({
  env: { CARNET_PYODIDE_PACKAGES_URL: repositoryUrl },
  courses: [{ folder: extraCourse(), slug: 'paquets' }],
}));

describe('packages from a Pyodide repository', () => {
  it('loads a declared package in the background, and imports it', async () => {
    const page = await openNotebook(running.browser, `${running.carnet.url}/courses/paquets/w1/w1-s1-c1-paquet`);
    // Declared in carnet.yml: fetched once Python is ready, before any cell imports it.
    await expect.poll(() => requests.includes(`/repo/${WHEEL}`), { timeout: 20_000 }).toBe(true);
    expect(await runCell(page, 0)).toBe('ok');
    expect(await outputText(page, 0)).toBe("'bonjour du paquet'");
    await page.context().close();
  });

  it('says when the repository lacks a package', async () => {
    const page = await openNotebook(running.browser, `${running.carnet.url}/courses/paquets/w1/w1-s1-c1-paquet`);
    await setCode(page, 0, 'import numpy');
    expect(await runCell(page, 0)).toBe('error');
    expect(await outputText(page, 0)).toContain("Le paquet numpy n'est pas dans le dépôt de paquets Pyodide");
    await page.context().close();
  });
});

describe('a page of 100 code cells', () => {
  it('opens, runs all and takes keystrokes without blocking the page', async () => {
    const page = await openNotebook(
      running.browser,
      `${running.carnet.url}/courses/paquets/w1/w1-s2-c1-cent-cellules`,
      { ready: false },
    );
    // Long tasks on the main thread while the page opens and Python loads.
    await page.evaluate(() => {
      (window as unknown as { longTasks: number[] }).longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          (window as unknown as { longTasks: number[] }).longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await waitForState(page, 'ready', 60_000);
    const started = Date.now();
    const statuses = await page.evaluate(() => window.carnetNotebook.runAll());
    const runAllMs = Date.now() - started;
    expect(statuses).toHaveLength(100);
    expect(statuses.every((s) => s === 'ok')).toBe(true);
    expect(await outputText(page, 99)).toBe('198');

    // A keystroke in the last cell's editor shows up at once.
    await page.locator('.nb-code[data-cell-number="100"] .nb-input').scrollIntoViewIfNeeded();
    await page.locator('.nb-code[data-cell-number="100"] .nb-input').click();
    const keyMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const content = document.querySelector('.nb-code[data-cell-number="100"] .cm-content')!;
          const t0 = performance.now();
          new MutationObserver((_m, observer) => {
            observer.disconnect();
            resolve(performance.now() - t0);
          }).observe(content, { childList: true, subtree: true, characterData: true });
          document.execCommand('insertText', false, '#');
        }),
    );
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    console.log(
      `100 cells: run all ${runAllMs} ms, keystroke ${keyMs.toFixed(1)} ms, longest main-thread task ${Math.round(Math.max(0, ...longTasks))} ms`,
    );
    expect(runAllMs).toBeLessThan(15_000);
    expect(keyMs).toBeLessThan(50);
    expect(Math.max(0, ...longTasks)).toBeLessThan(500);
    await page.context().close();
  });
});
