// The fork-server sandbox (ADR 027): each job is forked from a long-lived zygote, then isolated
// in its own namespaces. A job must not reach the zygote, another job or the next job; hostile
// jobs must not break the zygote. (The hostile programs of sandbox.test.ts run through it too.)
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { sandboxLibraryDir } from '../src/lib/exercises/library.ts';
import { ForkServerSandbox } from '../src/lib/sandbox/fork-server.ts';
import { sandboxCourseRoot } from '../src/lib/sandbox/layout.ts';
import { findExecutable, PRELOAD, prepareSandbox, probePython } from '../src/lib/sandbox/setup.ts';

const config = loadConfig({});
let sandbox: ForkServerSandbox;

beforeAll(async () => {
  const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false });
  expect(setup.sandbox).toBeInstanceOf(ForkServerSandbox);
  const python = await probePython(findExecutable(config.python)!);
  if (typeof python === 'string') throw new Error(python);
  // One slot: every job below runs in the same zygote, one after the other.
  sandbox = new ForkServerSandbox({
    bwrap: findExecutable(config.bwrap)!,
    python,
    slots: 1,
    libraries: [sandboxLibraryDir()],
    preload: PRELOAD,
    courseRoot: sandboxCourseRoot(),
  });
  await sandbox.warm();
});
afterAll(() => sandbox.close());

const LIMITS = { wallMs: 3000, cpuSeconds: 2 };
const run = (code: string, extra = {}) => sandbox.run({ program: { code }, limits: LIMITS, ...extra });

/** The zygotes' bubblewrap processes started by this test process. */
function zygotes(): number[] {
  return execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('bwrap') && line.includes('zygote.py fork'))
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === process.pid)
    .map(([pid]) => pid!);
}

describe('the fork-server sandbox', () => {
  it('runs each job as PID 2 of its own namespace, without capabilities or new privileges', async () => {
    const result = await run(
      [
        'import os',
        'status = dict(l.split(":\\t") for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)',
        'print(os.getpid(), sorted(p for p in os.listdir("/proc") if p.isdigit()), os.getuid())',
        'print(status["CapEff"], status["CapBnd"], status["NoNewPrivs"])',
        'print(os.listdir("/opt/courses"), os.path.exists("/tmp"), sorted(os.environ))',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      "2 ['1', '2'] 1000\n0000000000000000 0000000000000000 1\n[] False " +
        "['HOME', 'LANG', 'MPLBACKEND', 'MPLCONFIGDIR', 'NUMEXPR_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PWD', 'TMPDIR']\n",
    );
  });

  it('keeps jobs apart: a job cannot see, signal or read the zygote or a job running beside it', async () => {
    const two = new ForkServerSandbox({
      bwrap: findExecutable(config.bwrap)!,
      python: (await probePython(findExecutable(config.python)!)) as never,
      slots: 2,
      libraries: [sandboxLibraryDir()],
    });
    try {
      const neighbour = two.run({
        program: {
          code: 'import time\nopen("secret.txt", "w").write("neighbour-secret")\ntime.sleep(1.5)\nprint("alive")',
        },
        limits: LIMITS,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const attacker = await two.run({
        program: {
          code: [
            'import os, signal',
            'killed = []',
            // Not PID 1, the job's own init: killing it ends the job's whole namespace, this
            // program included, before it can print (a race the test must not depend on).
            'for pid in range(2, 5000):',
            '    if pid != os.getpid():',
            '        try:',
            '            os.kill(pid, signal.SIGKILL)',
            '            killed.append(pid)',
            '        except OSError:',
            '            pass',
            'found = []',
            // The system's read-only folders (/usr: numpy, pandas… thousands of files) hold nothing
            // a job wrote; walking them only made the test race its wall clock on a loaded machine.
            'SYSTEM = {"usr", "lib", "lib64", "bin", "sbin", "etc", "opt"}',
            'for root in ["/", "/proc"]:',
            '    for d, dirs, files in os.walk(root):',
            '        if d == "/":',
            '            dirs[:] = [x for x in dirs if x not in SYSTEM]',
            '        if "secret.txt" in files:',
            '            found.append(d)',
            'print("killed", killed, "found", found)',
          ].join('\n'),
        },
        limits: { wallMs: 15_000, cpuSeconds: 10 },
      });
      // Nothing to kill: the zygote, the supervisor and the neighbour are outside its PID namespace.
      expect(attacker.stdout).toBe('killed [] found []\n');
      expect((await neighbour).stdout).toBe('alive\n');
      // The zygotes survived: a next job runs.
      expect((await two.run({ program: { code: 'print(1)' } })).stdout).toBe('1\n');
    } finally {
      two.close();
    }
  });

  it('lets nothing of a job reach the next one: files, patched modules, the environment', async () => {
    const first = await run(
      [
        'import os, json, nbautoeval, sys',
        'open("left-behind.txt", "w").write("x")',
        'json.dumps = lambda *a, **k: "patched"',
        'nbautoeval.LEAK = "leak"',
        'sys.modules["planted"] = nbautoeval',
        'os.environ["LEAK"] = "1"',
        'print("done")',
      ].join('\n'),
    );
    expect(first.stdout).toBe('done\n');
    const second = await run(
      [
        'import os, json, sys, nbautoeval',
        'print(os.listdir("."), json.dumps(1), hasattr(nbautoeval, "LEAK"), "planted" in sys.modules, "LEAK" in os.environ)',
      ].join('\n'),
    );
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('[] 1 False False False\n');
  });

  it('survives a fork bomb and a memory bomb: the next job in the same zygote runs normally', async () => {
    const bomb = await run('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass');
    expect(['timeout', 'cpu-time']).toContain(bomb.reason);
    const memory = await run('x = []\nwhile True:\n    x.append(bytearray(10**7))');
    expect(memory.reason).toBe('memory');
    const next = await run('import os\nprint(sorted(p for p in os.listdir("/proc") if p.isdigit()))');
    expect(next.reason).toBe('ok');
    expect(next.stdout).toBe("['1', '2']\n");
  }, 30_000);

  it('restarts a zygote that died, and reports the job it was running', async () => {
    const running = run('import time\ntime.sleep(2)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const pid of zygotes()) process.kill(pid, 'SIGKILL');
    const killed = await running;
    expect(killed.reason).toBe('sandbox-error');
    const next = await run('print("fresh")');
    expect(next.stdout).toBe('fresh\n');
  });

  it('runs trusted programs in a reused worker, with the wall clock enforced from the server', async () => {
    const trusted = (code: string) =>
      sandbox.run({ trusted: true, program: { code }, limits: { wallMs: 1000 }, stdin: 'in' });
    expect((await trusted('import sys\nprint(sys.stdin.read())')).stdout).toBe('in\n');
    const slow = await trusted('while True:\n    pass');
    expect(slow.reason).toBe('timeout');
    expect((await trusted('print("again")')).stdout).toBe('again\n');
  });

  it("keeps the system's packages imported in the trusted worker (numpy cannot be imported twice), nothing else", async () => {
    const trusted = (code: string) => sandbox.run({ trusted: true, program: { code }, limits: { wallMs: 10_000 } });
    const check = 'import sys\nprint("numpy" in sys.modules, "colorsys" in sys.modules)\nimport numpy, colorsys';
    const first = await trusted(check);
    expect(first.reason, first.stderr).toBe('ok');
    expect(first.stdout).toBe('False False\n');
    const second = await trusted(check);
    // No "The NumPy module was reloaded" warning: the same numpy serves the next judge.
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe('True False\n');
  });

  it("gives jobs the system's packages read-only, after the standard library and the job's own paths", async () => {
    const result = await run(
      [
        'import sys, numpy, os',
        'site = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]',
        'stdlib = max(i for i, p in enumerate(sys.path) if p.endswith("lib-dynload"))',
        'print(numpy.__file__.startswith(tuple(site)), all(sys.path.index(p) > stdlib for p in site))',
        'try:\n    open(os.path.join(os.path.dirname(numpy.__file__), "planted.py"), "w")\nexcept OSError as e:\n    print(type(e).__name__)',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('True True\nOSError\n');
  });
});
