#!/usr/bin/env node
// Builds the browser client (content-hashed files + manifest) and bundles the server CLI.
// Plain Node and esbuild: it runs before anything else is built.
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function buildClient() {
  const outdir = join(root, 'apps/client/dist');
  rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      main: 'apps/client/src/main.css',
      enhance: 'apps/client/src/enhance.client.ts',
      quiz: 'apps/client/src/quiz.client.ts',
      notebook: 'apps/client/src/notebook.client.ts',
      video: 'apps/client/src/video.client.ts',
      'forum-panel': 'apps/client/src/forum-panel.client.ts',
      'forum-suggest': 'apps/client/src/forum-suggest.client.ts',
      'activity-follow': 'apps/client/src/activity-follow.client.ts',
      'runtime-worker': 'apps/client/src/runtime/worker.ts',
      icon: 'apps/client/src/icon.svg',
    },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    // Shared code and what loads on demand (Markdown and LaTeX outputs) go in chunks.
    splitting: true,
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file', '.png': 'file', '.svg': 'copy', '.py': 'text' },
    metafile: true,
    logLevel: 'warning',
  });
  const manifest = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!output.entryPoint || file.endsWith('.map')) continue;
    // Logical names: main.css, enhance.js (from enhance.client.ts), runtime-worker.js, icon.svg.
    const entry = output.entryPoint.split('/').pop();
    const name = entry.endsWith('.client.ts')
      ? entry.replace(/\.client\.ts$/, '.js')
      : entry === 'worker.ts'
        ? 'runtime-worker.js'
        : entry;
    manifest[name] = relative(outdir, join(root, file));
  }
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

async function buildServer() {
  const outdir = join(root, 'apps/server/dist');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  // npm dependencies stay external (native modules, big trees); our workspace packages are bundled.
  const external = new Set();
  for (const pkg of ['apps/server', 'packages/course-format', 'packages/render']) {
    const json = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
    for (const dep of Object.keys(json.dependencies ?? {})) external.add(dep);
  }
  await esbuild.build({
    absWorkingDir: root,
    // The grade report's worker thread is its own bundle, beside the CLI (lib/grades/report-stream.ts).
    entryPoints: {
      cli: 'apps/server/src/cli/index.ts',
      'grade-report-worker': 'apps/server/src/lib/grades/report-worker.ts',
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external: [...external].flatMap((d) => [d, `${d}/*`]),
    banner: {
      js: "import { createRequire as __carnetRequire } from 'node:module'; const require = __carnetRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

const started = performance.now();
await Promise.all([buildClient(), buildServer()]);
console.log(`Built the client and the server in ${Math.round(performance.now() - started)} ms.`);
