#!/usr/bin/env node
// The `carnet` command: runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('carnet is not built yet: run "npm run build" (or "npm start") in the repository first.');
  process.exit(2);
}
await import(cli.href);
