import { join } from 'node:path';
import { buildApp } from '../apps/server/src/app.ts';
import { loadConfig } from '../apps/server/src/config.ts';
import { importCourse } from '../apps/server/src/lib/import/import-course.ts';
import { createTestDb } from '../apps/server/test/databases.ts';
const root = join(import.meta.dirname, '..');
const t = await createTestDb('sqlite');
await importCourse(t.db, { source: join(root, 'demo-course'), slug: 'demo', dataDir: t.dataDir });
const app = await buildApp({
  config: loadConfig({}, { dataDir: t.dataDir, logLevel: 'warn' }),
  db: t.db,
  logger: false,
});
app.get('/bench/minimal', async () => 'ok');
await app.ready();
for (const url of [
  '/bench/minimal',
  '/courses/demo/w1/w1-s2-c1-chaines',
  '/bench/minimal',
  '/courses/demo/w1/w1-s2-c1-chaines',
]) {
  const started = performance.now();
  for (let i = 0; i < 3000; i++) await app.inject({ method: 'GET', url });
  console.log(url, (((performance.now() - started) / 3000) * 1000).toFixed(0), 'µs/request');
}
await app.close();
await t.cleanup();
