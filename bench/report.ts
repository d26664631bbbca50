import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Keeps the last figures of a benchmark in bench/results/<name>.json (not committed). */
export function record(name: string, results: unknown): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ date: new Date().toISOString(), ...(results as object) }, null, 2),
  );
}

/** One load test's figures: throughput, latency percentiles (ms), failed requests. */
export interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The median of several rounds of the same load (errors are summed). */
export function medianLoad(runs: Load[]): Load {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}
