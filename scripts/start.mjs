#!/usr/bin/env node
// `npm start`: install what is missing, build, migrate the database, import the demo course
// (a no-op when it has not changed) and serve it on SQLite. Settings come from the environment
// (PORT, CARNET_DATA_DIR, DATABASE_URL…: see the README).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const carnet = join(root, 'apps/server/bin/carnet.js');

function step(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`npm start: ${what} failed.`);
    process.exit(result.status ?? 1);
  }
}

step([join(root, 'scripts/ensure-deps.mjs')], 'installing dependencies');
step([join(root, 'scripts/build.mjs')], 'the build');
step([carnet, 'migrate'], 'the database migration');
step([carnet, 'import', join(root, 'demo-course'), '--slug', 'demo'], 'importing the demo course');

const server = spawn(process.execPath, [carnet, 'serve'], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
