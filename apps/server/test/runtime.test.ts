// What the server gives the in-browser runtime: Pyodide itself, a version's file listing and
// modules archive, and the notebook page's configuration — and what it must never give.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilesListing, RuntimeConfig } from '@carnet/runtime';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { importCourse } from '../src/lib/import/import-course.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { DEMO_COURSE } from './fixtures.ts';

const jsonScript = <T>(html: string, id: string): T =>
  JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(html)![1]!) as T;

describe.each(DIALECTS)('runtime resources on %s', (dialect) => {
  let t: TestDb;
  let app: FastifyInstance;
  let tag: string;
  beforeAll(async () => {
    t = await createTestDb(dialect);
    tag = (await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir })).tag;
    const config = loadConfig({}, { dataDir: t.dataDir, pyodidePackagesUrl: 'https://cdn.example.org/pyodide/v314' });
    app = await buildApp({ config, db: t.db, logger: false });
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  async function notebookConfig(route: string): Promise<{
    runtime: { workerUrl: string; runtime: RuntimeConfig };
    page: { cells: { id: string; tags: string[]; source: string }[]; strings: Record<string, string> };
    html: string;
  }> {
    const res = await get(`/courses/demo/${route}`);
    expect(res.statusCode).toBe(200);
    return {
      runtime: jsonScript(res.body, 'carnet-runtime'),
      page: jsonScript(res.body, 'carnet-notebook'),
      html: res.body,
    };
  }

  it('configures a notebook page: its folder, the course modules, packages, strings', async () => {
    const { runtime, page, html } = await notebookConfig('w1/w1-s2-c1-chaines');
    expect(html).toMatch(/<script type="module" async src="\/assets\/notebook-\w+\.js"><\/script>/);
    expect(runtime.workerUrl).toMatch(/^\/assets\/runtime-worker-\w+\.js$/);
    const config = runtime.runtime;
    expect(config.pyodideUrl).toMatch(/^\/pyodide\/[\d.]+-[0-9a-f]{12}\/$/);
    expect(config.packagesUrl).toBe('https://cdn.example.org/pyodide/v314/');
    expect(config.cwd).toBe('/home/pyodide/course/w1');
    expect(config.filesUrl).toBe(`/runtime/demo/${tag}/files.json`);
    expect(config.modules).toEqual({ url: `/runtime/demo/${tag}/modules.zip`, names: ['geometrie', 'outils'] });
    expect(config.messages['exercisesUnavailable']).toContain('{module}');
    expect(page.strings['run']).toBe('Exécuter');
    const input = page.cells.find((c) => c.source.includes('input('))!;
    expect(input.tags).toContain('skip-execution');
  });

  it('never puts exercise solutions in a page', async () => {
    const { html } = await notebookConfig('w1/w1-s3-x1-duree');
    const solution = await get(`/files/demo/${tag}/modules/corrections/exo_duree.py`);
    expect(solution.statusCode).toBe(404);
    // The reference solution's body does not appear anywhere in the page.
    expect(html).not.toContain('(secondes % 3600) // 60');
    expect(html).not.toContain('divmod(minutes, 60)');
  });

  it('lists the public files for Python, without modules or private files, with the mappings', async () => {
    const res = await get(`/runtime/demo/${tag}/files.json`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const listing = JSON.parse(res.body) as FilesListing;
    expect(listing.base).toBe(`/files/demo/${tag}/`);
    const paths = listing.files.map((f) => f.path);
    expect(paths).toContain('data/poeme.txt');
    expect(paths).toContain('w1/w1-s1-c1-nombres.md');
    expect(paths.some((p) => p.startsWith('modules/'))).toBe(false);
    expect(paths.some((p) => p.endsWith('.quiz'))).toBe(false);
    expect(listing.mappings).toEqual(expect.arrayContaining([{ source: 'data', destination: 'data' }]));
    const poeme = listing.files.find((f) => f.path === 'data/poeme.txt')!;
    expect((await get(`${listing.base}data/poeme.txt`)).rawPayload.length).toBe(poeme.size);
    expect((await get(`/runtime/demo/0000000000000000/files.json`)).statusCode).toBe(404);
  });

  it('sends the modules archive without the exercise corrections', async () => {
    const res = await get(`/runtime/demo/${tag}/modules.zip`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const file = join(mkdtempSync(join(tmpdir(), 'carnet-modules-')), 'modules.zip');
    writeFileSync(file, res.rawPayload);
    const names = execFileSync(
      'python3',
      ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', file],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n');
    expect(names).toContain('outils.py');
    expect(names).toContain('geometrie/__init__.py');
    expect(names.some((n) => n.startsWith('corrections'))).toBe(false);
  });

  it('serves Pyodide under an immutable URL, compressed once, decodable', async () => {
    const { runtime } = await notebookConfig('w1/w1-s1-c1-nombres');
    const base = runtime.runtime.pyodideUrl;
    const wasm = await get(`${base}pyodide.asm.wasm`, { 'accept-encoding': 'br' });
    expect(wasm.statusCode).toBe(200);
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['content-encoding']).toBe('br');
    expect(wasm.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(wasm.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const bytes = brotliDecompressSync(wasm.rawPayload);
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d])); // \0asm
    const plain = await get(`${base}pyodide.mjs`, { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('loadPyodide');
    expect((await get(`${base}package.json`)).statusCode).toBe(404);
    expect((await get(`/pyodide/0.0.0-000000000000/pyodide.mjs`)).statusCode).toBe(404);
  });

  it('serves the built assets compressed once and correctly', async () => {
    const { html } = await notebookConfig('w1/w1-s1-c1-nombres');
    const css = /href="(\/assets\/main-\w+\.css)"/.exec(html)![1]!;
    const br = await get(css, { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    const plain = await get(css);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(plain.body);
  });
});
