// The Python half of the exercise library (python/): its stdlib unittest suite on the machine's
// CPython, so that `npm test` (and CI) fails when a Python test fails, with unittest's output.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const folder = dirname(fileURLToPath(import.meta.url));

it('passes the Python unittest suite (python3 -m unittest)', () => {
  const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 120_000,
  });
  if (run.error) throw run.error;
  const report = `${run.stdout}\n${run.stderr}`;
  expect(run.status, report).toBe(0);
  expect(report).toMatch(/Ran \d+ tests/);
}, 130_000);
