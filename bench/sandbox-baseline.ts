/**
 * The baseline the grading benchmarks measure against, in the same run: a bare sandboxed
 * interpreter — `bwrap` with the same namespaces, the system read-only, `python3 -I -S -c pass`.
 */
import { spawn } from 'node:child_process';
import { findExecutable, probePython } from '../apps/server/src/lib/sandbox/setup.ts';

/** A function that runs one bare sandboxed interpreter and resolves when it has exited. */
export async function bareSandbox(config: { bwrap: string; python: string }): Promise<() => Promise<void>> {
  const bwrap = findExecutable(config.bwrap);
  if (!bwrap) throw new Error(`bubblewrap not found (${config.bwrap})`);
  const python = await probePython(findExecutable(config.python)!);
  if (typeof python === 'string') throw new Error(python);
  const args = [
    ...['--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/usr', '/usr'],
    ...['--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--symlink', 'usr/bin', '/bin'],
    ...['--proc', '/proc', '--dev', '/dev', '--clearenv', python.executable, '-I', '-S', '-c', 'pass'],
  ];
  const runAs = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return () =>
    new Promise((resolve, reject) => {
      const child = spawn(bwrap, args, { stdio: 'ignore', env: {}, ...runAs });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bare spawn exited ${code}`))));
    });
}

/** The value at percentile `p` (0–100) of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
