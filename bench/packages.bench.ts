/**
 * What a course module's third-party imports cost in a sandboxed job (ADR 038): the wall time of
 * whole jobs in the production sandbox (fork-server, one slot) that import numpy, pandas,
 * matplotlib (and plot), or the sandbox's IPython, against `print(1)` in the same run, rounds
 * interleaved. The system's packages (Debian's python3-numpy, -pandas, -matplotlib) must be there.
 *
 *   npx tsx bench/packages.bench.ts [--rounds 7]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../apps/server/src/config.ts';
import { sandboxLibraryDir } from '../apps/server/src/lib/exercises/library.ts';
import { prepareSandbox } from '../apps/server/src/lib/sandbox/setup.ts';
import { median, record } from './report.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const ROUNDS = Number(values.rounds);

const config = loadConfig(process.env);
const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false, slots: 1 });
if (!setup.sandbox) throw new Error(`No sandbox: ${setup.problem}`);
const sandbox = setup.sandbox;

const PROGRAMS: Record<string, string> = {
  'print(1)': 'print(1)',
  'from IPython.display import HTML': 'from IPython.display import HTML',
  'import numpy': 'import numpy',
  'import pandas': 'import pandas',
  'import matplotlib.pyplot': 'import matplotlib.pyplot',
  'pyplot, plot, savefig PNG': 'import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig("x.png")',
};

const times: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, code] of Object.entries(PROGRAMS)) {
    const started = performance.now();
    const result = await sandbox.run({
      program: { code },
      libraries: [sandboxLibraryDir()],
      limits: { wallMs: 30_000, cpuSeconds: 20 },
    });
    if (result.reason !== 'ok') throw new Error(`${name}: ${result.reason} ${result.stderr}`);
    (times[name] ??= []).push(performance.now() - started);
  }
}
(sandbox as { close?: () => void }).close?.();

const base = median(times['print(1)']!);
console.log(`Sandboxed jobs (fork-server), medians of ${ROUNDS} interleaved rounds:`);
const results: Record<string, { ms: number; ratio: number }> = {};
for (const [name, xs] of Object.entries(times)) {
  const ms = median(xs);
  results[name] = { ms, ratio: ms / base };
  console.log(`  ${name.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  (${(ms / base).toFixed(1)}× print(1))`);
}
record('packages', results);
process.exit(0);
