import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { Sandbox, SandboxJob, SandboxResult } from '../src/lib/sandbox/sandbox.ts';
import { ForkServerSandbox } from '../src/lib/sandbox/fork-server.ts';
import { prepareSandbox } from '../src/lib/sandbox/setup.ts';

// Hostile programs in the real bubblewrap sandbox (issue 5, section 5). Each one must be
// contained, reported as a failed run with a clear reason, and must not disturb an honest job
// running at the same time. Short limits keep the file fast.

const config = loadConfig({});
const SECRET = `s3cret-${Math.random().toString(36).slice(2)}`;
const LIMITS = { wallMs: 3000, cpuSeconds: 2 };
let sandbox: Sandbox;
let serverDir: string;
let listener: Server;
let listenerPort = 0;
let connections = 0;

beforeAll(async () => {
  process.env['CARNET_SECRET_FOR_TEST'] = SECRET;
  const setup = await prepareSandbox({ python: config.python, bwrap: config.bwrap, unsafeGrading: false });
  // No skipping: grading needs the real sandbox, and CI installs bubblewrap (.ci/run).
  expect(setup.problem).toBeUndefined();
  sandbox = setup.sandbox!;
  expect(sandbox.kind).toBe('bubblewrap');
  // Every hostile program below goes through the fork-server (ADR 027).
  expect(sandbox).toBeInstanceOf(ForkServerSandbox);
  serverDir = mkdtempSync(join(tmpdir(), 'carnet-server-'));
  writeFileSync(join(serverDir, 'carnet.db'), `database ${SECRET}`);
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env['CARNET_SECRET_FOR_TEST'];
  rmSync(serverDir, { recursive: true, force: true });
  await new Promise((resolve) => listener.close(resolve));
});

const HONEST = `
def mean(xs):
    return sum(xs) / len(xs)
print([mean(list(range(1, n + 1))) for n in range(1, 21)])
`;
const HONEST_OUTPUT = `[${Array.from({ length: 20 }, (_, i) => ((i + 2) / 2).toFixed(1)).join(', ')}]\n`;

/** Runs the hostile job, and an honest one that starts while it runs; checks the honest one. */
async function contained(job: SandboxJob): Promise<SandboxResult> {
  const hostile = sandbox.run({ limits: LIMITS, ...job });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  const honest = await sandbox.run({ program: { code: HONEST } });
  const latency = performance.now() - started;
  expect(honest.reason, honest.stderr).toBe('ok');
  expect(honest.stdout).toBe(HONEST_OUTPUT);
  // Reasonable on a loaded 2-core machine: a run alone takes ~50 ms.
  expect(latency).toBeLessThan(2000);
  const result = await hostile;
  expect(result.reason).not.toBe('ok');
  expect(result.message.length).toBeGreaterThan(10);
  return result;
}

/**
 * Job processes left behind by this test process (there must be none between tests): a bwrap of
 * one-process jobs, or any process under an idle fork-server zygote (which itself stays, ADR 027).
 */
function strayProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' });
  const lines = out.split('\n').map((line) => {
    const [pid, ppid] = line.trim().split(/\s+/);
    return { pid, ppid, line };
  });
  // This process's zygotes (their bubblewrap is our child), and their supervisors.
  const ours = new Set([String(process.pid)]);
  for (let depth = 0; depth < 3; depth++) {
    for (const l of lines)
      if (l.ppid !== undefined && ours.has(l.ppid) && l.line.includes('zygote.py')) ours.add(l.pid!);
  }
  const zygotes = new Set(
    lines
      .filter((l) => ours.has(l.pid!) && /^\s*\d+\s+\d+\s+\S*python[\d.]*\s.*zygote\.py/.test(l.line))
      .map((l) => l.pid),
  );
  return lines
    .filter(
      ({ line, ppid }) =>
        line.includes('carnet-hostile') ||
        (line.includes('bwrap') && !line.includes('zygote.py') && line.includes(` ${process.pid} `)) ||
        (ppid !== undefined && zygotes.has(ppid)),
    )
    .map((l) => l.line);
}

describe('the bubblewrap sandbox', () => {
  it('runs an honest program with the course laid out: files read-only, data/ in a writable working directory, modules/ on sys.path', async () => {
    const result = await sandbox.run({
      files: {
        map: new Map<string, string>([
          ['modules/helpers.py', 'def double(x):\n    return 2 * x\n'],
          ['w1/data/numbers.txt', '1 2 3\n'],
        ]),
      },
      links: { data: 'w1/data' },
      pythonPath: ['modules'],
      program: {
        code: [
          'import os, helpers',
          'print(os.getcwd(), sorted(os.listdir(".")))',
          'print(helpers.double(sum(int(x) for x in open("data/numbers.txt").read().split())))',
          'open("scratch.txt", "w").write("mine")',
          'print(open("scratch.txt").read(), input(), input() if False else "")',
          'try:\n    input()\nexcept EOFError:\n    print("EOF")',
        ].join('\n'),
      },
      stdin: 'hello\n',
    });
    expect(result.stderr).toBe('');
    expect(result.reason).toBe('ok');
    expect(result.stdout).toBe("/home/learner ['data']\n12\nmine hello \nEOF\n");
  });

  it('reports an uncaught exception as an error with the learner’s traceback only', async () => {
    const result = await sandbox.run({ program: { code: 'x = 1\nraise ValueError("bad value")' } });
    expect(result.reason).toBe('error');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'Traceback (most recent call last):\n  File "<submission>", line 2, in <module>\nValueError: bad value\n',
    );
  });

  it('contains a fork bomb', async () => {
    const result = await contained({
      program: { code: 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass' },
    });
    expect(['timeout', 'cpu-time']).toContain(result.reason);
    expect(strayProcesses()).toEqual([]);
  });

  it('contains a memory bomb', async () => {
    const result = await contained({ program: { code: 'x = []\nwhile True:\n    x.append(bytearray(10**7))' } });
    expect(result.reason).toBe('memory');
    expect(result.message).toMatch(/more than 512 MB of memory/);
  });

  it('stops an infinite loop on its CPU time', async () => {
    const result = await contained({
      program: { code: 'while True:\n    pass' },
      limits: { wallMs: 8000, cpuSeconds: 1 },
    });
    expect(result.reason).toBe('cpu-time');
    expect(result.message).toMatch(/more than 1 s of CPU time/);
  });

  it('stops time.sleep(3600) on the wall clock', async () => {
    const started = performance.now();
    const result = await contained({ program: { code: 'import time\nprint("zzz", flush=True)\ntime.sleep(3600)' } });
    expect(result.reason).toBe('timeout');
    expect(result.stdout).toBe('zzz\n');
    expect(performance.now() - started).toBeLessThan(LIMITS.wallMs + 1500);
  });

  it('keeps a disk-filling program inside its small working directory', async () => {
    const result = await contained({
      program: {
        code: 'i = 0\nwhile True:\n    open(f"f{i}", "wb").write(b"x" * 2**20)\n    i += 1',
      },
    });
    expect(result.reason).toBe('error');
    expect(result.stderr).toMatch(/No space left on device/);
    const big = await contained({ program: { code: 'open("big", "wb").write(b"x" * 20 * 2**20)' } });
    // CPython ignores SIGXFSZ: the write fails with EFBIG instead of killing the process.
    expect(big.reason).toBe('error');
    expect(big.stderr).toMatch(/File too large/);
  });

  it('has no network at all', async () => {
    const result = await contained({
      program: {
        code: [
          'import socket',
          'for host, port in [("127.0.0.1", ' + listenerPort + '), ("127.0.0.1", 5432), ("1.1.1.1", 80)]:',
          '    try:',
          '        socket.create_connection((host, port), timeout=1)',
          '        print("CONNECTED", host, port)',
          '    except OSError as e:',
          '        print("refused", host, port)',
          'try:',
          '    socket.getaddrinfo("example.org", 80)',
          '    print("RESOLVED")',
          'except OSError:',
          '    print("no dns")',
          'raise SystemExit(3)',
        ].join('\n'),
      },
    });
    expect(result.stdout).not.toMatch(/CONNECTED|RESOLVED/);
    expect(result.stdout).toMatch(/no dns/);
    expect(connections).toBe(0);
  });

  it("cannot read the server's files, environment or processes", async () => {
    const source = import.meta.filename;
    const result = await contained({
      program: {
        code: [
          'import os, glob',
          'found = []',
          'print("env", sorted(os.environ))',
          'print("etc", " ".join(sorted(os.listdir("/etc"))))',
          `for path in [${JSON.stringify(join(serverDir, 'carnet.db'))}, ${JSON.stringify(source)}, "/etc/passwd", "/root", "/work"]:`,
          '    try:',
          '        found.append((path, open(path, "rb").read()[:100]))',
          '    except OSError as e:',
          '        print("denied", path, type(e).__name__)',
          'for path in glob.glob("/proc/*/environ") + glob.glob("/proc/*/cmdline"):',
          '    try:',
          '        data = open(path, "rb").read()',
          '        found.append((path, data))',
          '    except OSError:',
          '        pass',
          'print("pids", sorted(os.listdir("/proc"), key=str)[-5:])',
          'print(repr(found))',
          'raise SystemExit(2)',
        ].join('\n'),
      },
    });
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain('database');
    expect(result.stdout).toContain(
      "env ['HOME', 'LANG', 'MPLBACKEND', 'MPLCONFIGDIR', 'NUMEXPR_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'PWD', 'TMPDIR']",
    );
    // Of /etc, only what the system's packages read (ADR 038), when the host has it.
    const etc = /^etc (.*)$/m.exec(result.stdout)?.[1]?.split(' ') ?? [];
    expect(etc.filter((name) => !['alternatives', 'fonts', 'ld.so.cache', 'matplotlibrc'].includes(name))).toEqual([]);
    expect(etc).toContain('ld.so.cache');
    expect(result.stdout).toMatch(/denied .*carnet\.db FileNotFoundError/);
    expect(result.stdout).toMatch(/denied .*sandbox\.test\.ts FileNotFoundError/);
    expect(result.stdout).toMatch(/denied \/etc\/passwd FileNotFoundError/);
    expect(result.stdout).not.toContain(String(process.pid) + "'");
    expect(result.exitCode).toBe(2);
  });

  it('cannot signal other processes: the server, other jobs', async () => {
    const neighbour = sandbox.run({ program: { code: 'import time\ntime.sleep(1.5)\nprint("alive")' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await contained({
      program: {
        code: [
          'import os, signal',
          'killed = []',
          `for pid in [1, ${process.pid}, ${process.ppid}] + list(range(2, 40000, 1)):`,
          '    if pid == os.getpid():',
          '        continue',
          '    try:',
          '        os.kill(pid, signal.SIGKILL)',
          '        killed.append(pid)',
          '    except OSError:',
          '        pass',
          'print("killed", killed)',
          'try:',
          '    os.kill(-1, signal.SIGKILL)',
          'except OSError as e:',
          '    print("kill -1", e)',
          'raise SystemExit(4)',
        ].join('\n'),
      },
    });
    // Only processes of its own namespace are visible: bubblewrap's init (pid 1) ignores the signal.
    expect(result.stdout).toMatch(/^killed \[1\]\n/);
    expect(result.exitCode).toBe(4);
    expect((await neighbour).stdout).toBe('alive\n');
  });

  it('cannot write outside its working directory', async () => {
    const courseFile = new Map([['w1/notebook.md', 'original']]);
    const result = await contained({
      files: { map: courseFile },
      program: {
        code: [
          'import os',
          'for path in ["/course/w1/notebook.md", "/course/new", "/usr/evil", "/evil", "/tmp/x", "/opt/carnet/main.py", "/proc/evil", "/dev/evil", "/etc/evil"]:',
          '    try:',
          '        open(path, "w").write("x")',
          '        print("WROTE", path)',
          '    except OSError as e:',
          '        print("denied", path, e.strerror)',
          'raise SystemExit(5)',
        ].join('\n'),
      },
    });
    expect(result.stdout).not.toContain('WROTE');
    expect(result.stdout.trim().split('\n')).toHaveLength(9);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('carnet-sandbox-'))).toEqual([]);
  });

  it('cuts 1 GB of output at the cap', async () => {
    const started = performance.now();
    const result = await contained({
      program: { code: 'import sys\nchunk = "x" * 65536\nfor _ in range(16384):\n    sys.stdout.write(chunk)' },
    });
    expect(result.reason).toBe('output-limit');
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout.length).toBe(1024 * 1024);
    expect(performance.now() - started).toBeLessThan(LIMITS.wallMs);
  });

  it('survives deep recursion', async () => {
    const plain = await contained({ program: { code: 'def f(n):\n    return f(n + 1)\nf(0)' } });
    expect(plain.reason).toBe('error');
    expect(plain.stderr).toMatch(/RecursionError/);
    // Python-to-Python calls use no C stack in 3.11+: the frames grow until a limit stops them.
    const deep = await contained({
      program: { code: 'import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return f(n + 1)\nf(0)' },
    });
    expect(['memory', 'cpu-time', 'timeout']).toContain(deep.reason);
    // Through C functions, the C stack overflows: a crash.
    const native = await contained({
      program: { code: 'import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return list(map(f, [n + 1]))\nf(0)' },
    });
    expect(native.reason).toBe('crashed');
  });

  it('reports a segfault via ctypes as a crash', async () => {
    const result = await contained({ program: { code: 'import ctypes\nctypes.string_at(0)' } });
    expect(result.reason).toBe('crashed');
    expect(result.signal).toBe('SIGSEGV');
    expect(result.message).toBe('The Python interpreter crashed (SIGSEGV).');
  });

  it('leaves nothing behind', () => {
    expect(strayProcesses()).toEqual([]);
    expect(readFileSync(join(serverDir, 'carnet.db'), 'utf8')).toBe(`database ${SECRET}`);
  });
});
