import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { sandboxLibraryDir } from '../exercises/library.ts';
import { BwrapSandbox, type PythonInstall } from './bwrap.ts';
import { ForkServerSandbox } from './fork-server.ts';
import { sandboxCourseRoot } from './layout.ts';
import type { Sandbox, SandboxLimits } from './sandbox.ts';
import { UnsafeSandbox } from './unsafe.ts';

const run = promisify(execFile);

/** What grading can count on in this process: pages read `unsafe` to show a warning banner. */
export interface GradingSetup {
  /** Undefined when grading is refused (see `problem`). */
  sandbox: Sandbox | undefined;
  /** True when programs run without isolation (CARNET_UNSAFE_GRADING). */
  unsafe: boolean;
  /** Why grading is refused or unsafe, with what to install; undefined when all is well. */
  problem: string | undefined;
}

export interface SandboxSettings {
  python: string;
  bwrap: string;
  unsafeGrading: boolean;
  limits?: Partial<SandboxLimits>;
  /** Jobs at a time (fork-server zygotes); default: the number of cores. */
  slots?: number;
  /** One bubblewrap per job instead of the fork-server (ADR 027): slower, for comparison and diagnosis. */
  noForkServer?: boolean;
}

/** What each zygote imports once: the exercise library and what the grading program uses. */
export const PRELOAD = [
  'json',
  'contextlib',
  'types',
  'nbautoeval',
  'nbautoeval.encoding',
  'nbautoeval.exercise_class',
  'nbautoeval.sealed',
  'nbautoeval.table',
  // The grading program itself (python/carnet_seal/grade.py): a job then only calls its main().
  'carnet_seal.grade',
];

/** The minimum CPython the exercise library supports. */
const MIN_PYTHON = [3, 11] as const;

const INSTALL_BWRAP =
  'Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), or set CARNET_BWRAP to its path.';
const INSTALL_PYTHON = `Install CPython ${MIN_PYTHON.join('.')} or later (Debian/Ubuntu: apt-get install python3), or set CARNET_PYTHON to its path.`;

const cache = new Map<string, Promise<GradingSetup>>();

/**
 * Finds bubblewrap and Python and runs one tiny program in the sandbox to prove it works (user
 * namespaces may be disabled). Refuses (sandbox undefined, `problem` says what to install) unless
 * the unsafe flag allows running without isolation. Memoised per settings.
 */
export function prepareSandbox(settings: SandboxSettings): Promise<GradingSetup> {
  const key = JSON.stringify(settings);
  let setup = cache.get(key);
  if (!setup) {
    setup = prepare(settings);
    cache.set(key, setup);
  }
  return setup;
}

async function prepare(settings: SandboxSettings): Promise<GradingSetup> {
  const problem = await sandboxProblem(settings);
  if (problem === undefined) return { sandbox: await bwrapSandbox(settings), unsafe: false, problem: undefined };
  if (!settings.unsafeGrading) return { sandbox: undefined, unsafe: false, problem };
  const python = findExecutable(settings.python);
  if (!python) return { sandbox: undefined, unsafe: true, problem: `${problem} ${INSTALL_PYTHON}` };
  const install = await probePython(python);
  return {
    sandbox: new UnsafeSandbox(python, settings.limits, typeof install === 'string' ? [] : install.sitePackages),
    unsafe: true,
    problem: `UNSAFE GRADING: learners' programs run WITHOUT a sandbox (CARNET_UNSAFE_GRADING=true). ${problem}`,
  };
}

async function bwrapSandbox(settings: SandboxSettings): Promise<Sandbox> {
  const python = await probePython(findExecutable(settings.python)!);
  const options = { bwrap: findExecutable(settings.bwrap)!, python: python as PythonInstall, limits: settings.limits };
  if (settings.noForkServer) return new BwrapSandbox(options);
  const sandbox = new ForkServerSandbox({
    ...options,
    slots: settings.slots,
    libraries: [sandboxLibraryDir()],
    preload: PRELOAD,
    courseRoot: sandboxCourseRoot(),
  });
  // The fork-server must work as the one-bubblewrap path does; else that path serves alone.
  const probe = await sandbox.run({ program: { code: 'print(6 * 7)' }, limits: { wallMs: 10_000 } });
  if (probe.reason === 'ok' && probe.stdout === '42\n') return sandbox;
  sandbox.close();
  console.warn(`The grading fork-server does not work here (${probe.message}); one bubblewrap per job instead.`);
  return sandbox.fallback;
}

/** Undefined when the real sandbox works; else what is wrong and what to do. */
async function sandboxProblem(settings: SandboxSettings): Promise<string | undefined> {
  const bwrap = findExecutable(settings.bwrap);
  if (!bwrap) return `bubblewrap (${settings.bwrap}) was not found. ${INSTALL_BWRAP}`;
  const pythonPath = findExecutable(settings.python);
  if (!pythonPath) return `Python (${settings.python}) was not found. ${INSTALL_PYTHON}`;
  const python = await probePython(pythonPath);
  if (typeof python === 'string') return python;
  const sandbox = new BwrapSandbox({ bwrap, python });
  const result = await sandbox.run({ program: { code: 'print(6 * 7)' }, limits: { wallMs: 10_000 } });
  if (result.reason === 'ok' && result.stdout === '42\n') return undefined;
  const why = (result.stderr || result.message).trim().split('\n').slice(-3).join(' ');
  return (
    `bubblewrap (${bwrap}) cannot start a sandbox here: ${why}. It needs unprivileged user namespaces: ` +
    'check sysctl kernel.unprivileged_userns_clone=1 (Debian), kernel.apparmor_restrict_unprivileged_userns=0 ' +
    "(Ubuntu 24.04+), user.max_user_namespaces > 0; in a container, the runtime's seccomp/AppArmor profile must allow unshare and mount."
  );
}

/** The interpreter's real executable, folders (site-packages too) and version; a message when unusable. */
export async function probePython(executable: string): Promise<PythonInstall | string> {
  // site.getsitepackages() without site's start-up (-S): the folders a plain `python3` would add.
  const script =
    'import json, os, site, sys; r = os.path.realpath; print(json.dumps([r(sys.executable), ' +
    'r(sys.base_prefix), r(sys.base_exec_prefix), list(sys.version_info[:3]), ' +
    '[r(p) for p in site.getsitepackages() if os.path.isdir(p)]]))';
  try {
    const runAs = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const { stdout } = await run(executable, ['-I', '-S', '-c', script], { env: {}, timeout: 10_000, ...runAs });
    const [real, prefix, execPrefix, version, sitePackages] = JSON.parse(stdout) as [
      string,
      string,
      string,
      number[],
      string[],
    ];
    if (version[0]! < MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1]! < MIN_PYTHON[1])) {
      return `Python ${version.join('.')} at ${executable} is too old. ${INSTALL_PYTHON}`;
    }
    const prefixes = [...new Set([prefix, execPrefix, dirname(real)])];
    return { executable: real, prefixes, sitePackages: [...new Set(sitePackages)], version: version.join('.') };
  } catch (error) {
    return `Python at ${executable} does not run as the sandbox's user (${(error as Error).message.split('\n')[0]}). ${INSTALL_PYTHON}`;
  }
}

/** An absolute path, or a name looked up in PATH; undefined when not executable. */
export function findExecutable(name: string): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : (process.env['PATH'] ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Next.
    }
  }
  return undefined;
}
