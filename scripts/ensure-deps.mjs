#!/usr/bin/env node
// Installs npm dependencies when they are missing or stale (the lockfile or a package.json
// changed, or Node did), so that `npm start` and `npm test` work on a fresh clone.
// Plain Node with no dependencies: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.carnet-install-stamp');
const inputs = [
  'package.json',
  'package-lock.json',
  'packages/course-format/package.json',
  'packages/render/package.json',
  'apps/server/package.json',
  'apps/client/package.json',
];

// Only what shapes node_modules counts: editing a script in package.json does not reinstall.
const INSTALL_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'workspaces',
  'bin',
  'allowScripts',
  'overrides',
];
const hash = createHash('sha256').update(process.version);
for (const file of inputs) {
  const path = join(root, file);
  let content = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (file.endsWith('package.json') && content) {
    const json = JSON.parse(content);
    content = JSON.stringify(INSTALL_FIELDS.map((field) => json[field] ?? null));
  }
  hash.update(`${file}\0${content}\0`);
}
const stamp = hash.digest('hex');

function nativeModulesLoad() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: root,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (current === stamp && nativeModulesLoad()) process.exit(0);

console.log('Installing dependencies (the first time, better-sqlite3 compiles from source: about two minutes)…');
const command = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
const result = spawnSync('npm', [command, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(
    `npm ${command} failed (exit ${result.status}). Node ${process.version}; Carnet needs Node 20.19 or later.`,
  );
  process.exit(result.status ?? 1);
}
if (!nativeModulesLoad()) {
  // npm may have skipped install scripts (allowScripts): build the native module explicitly.
  const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
  if (rebuild.status !== 0 || !nativeModulesLoad()) {
    console.error(
      'better-sqlite3 could not be built: install python3, make and g++ (apt-get install python3 make g++).',
    );
    process.exit(1);
  }
}
writeFileSync(stampFile, stamp);
