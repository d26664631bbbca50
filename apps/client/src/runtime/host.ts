import type { PyodideAPI } from 'pyodide';
import { translateCell } from '@carnet/runtime';

type Pyodide = PyodideAPI;

/** What Python calls back into (kernel.py's `bridge`): synchronous, from inside a running cell. */
export interface KernelBridge {
  /** An output other than a stream: kind is display, clear, result or error; payload is JSON. */
  emit(kind: string, payload: string): void;
  /** Blocks until the learner answers; null when interrupted. */
  input(prompt: string, password: boolean): string | null;
  /** Blocks for `seconds`, waking early (KeyboardInterrupt) on an interrupt. */
  sleep(seconds: number): void;
  /** Fetches a URL synchronously (course modules archive). */
  fetchBytes(url: string): Uint8Array;
  /**
   * Asks the server to check an exercise on the cells run so far (a server-checked exercise);
   * blocks until it answers. Returns JSON: `{html, result, submission}` or `{message}`.
   */
  check(module: string, attribute: string): string;
}

/** Settings of kernel.py's `setup` (part of RuntimeConfig, resolved to file-system paths). */
export interface KernelSettings {
  cwd: string;
  modules: { url: string; names: string[]; folder: string } | null;
  exercises: { url: string; folder: string } | null;
  messages: Record<string, string>;
  /** Import names of every package Pyodide knows of, to explain why one is missing. */
  knownPackages: string[];
  packagesConfigured: boolean;
}

interface KernelModule {
  setup(config: string, bridge: KernelBridge): void;
  run_cell(code: string, count: number): Promise<string>;
  package_failed(name: string, error: string): void;
}

/** Where the kernel module lives in the virtual file system: outside the learner's folders. */
const KERNEL_DIR = '/carnet';

/**
 * The interpreter side of a notebook page, shared by the browser worker and the Node tests:
 * installs kernel.py, routes streams, loads packages a cell imports, runs cells.
 */
export class KernelHost {
  private kernel: KernelModule | null = null;
  /** The cells' sources run since this interpreter started, in order: what a server check re-runs. */
  readonly history: string[] = [];
  private readonly loadedPackages = new Set<string>();
  private packagesByImport = new Map<string, string>();

  constructor(
    readonly pyodide: Pyodide,
    private readonly options: {
      source: string;
      settings: KernelSettings;
      bridge: KernelBridge;
      stream: (name: 'stdout' | 'stderr', text: string) => void;
      /** Whether packages can be loaded (a package repository is configured). */
      canLoadPackages: boolean;
      /** Told before a cell waits for packages. */
      onPackages?: (names: string[]) => void;
    },
  ) {}

  /** Installs and sets up the kernel module; call once, before `run`. */
  install(): void {
    const { pyodide, options } = this;
    for (const name of ['stdout', 'stderr'] as const) {
      const decoder = new TextDecoder();
      const write = (buffer: Uint8Array): number => {
        const text = decoder.decode(buffer, { stream: true });
        if (text) options.stream(name, text);
        return buffer.length;
      };
      if (name === 'stdout') pyodide.setStdout({ write });
      else pyodide.setStderr({ write });
    }
    pyodide.FS.mkdirTree(KERNEL_DIR);
    pyodide.FS.writeFile(`${KERNEL_DIR}/_carnet_kernel.py`, options.source);
    pyodide.runPython(`import sys\nsys.path.append(${JSON.stringify(KERNEL_DIR)})`);
    this.kernel = pyodide.pyimport('_carnet_kernel') as unknown as KernelModule;
    this.kernel.setup(JSON.stringify(options.settings), options.bridge);
    for (const [name, info] of Object.entries(pyodide.lockfile.packages)) {
      for (const imported of info.imports) this.packagesByImport.set(imported, name);
    }
  }

  /** Runs a cell's source (IPython syntax allowed) as execution number `count`. */
  async run(source: string, count: number): Promise<'ok' | 'error' | 'interrupted'> {
    const kernel = this.kernel;
    if (!kernel) throw new Error('KernelHost.run before install');
    this.history.push(source);
    const code = translateCell(source);
    if (this.options.canLoadPackages) await this.loadPackagesFor(code);
    const status = await kernel.run_cell(code, count);
    return status as 'ok' | 'error' | 'interrupted';
  }

  /** Loads, from the configured repository, the packages a piece of code imports. */
  async loadPackagesFor(code: string): Promise<void> {
    const findImports = this.pyodide.pyimport('pyodide.code').find_imports as (code: string) => {
      toJs(): string[];
      destroy(): void;
    };
    let imports: string[] = [];
    try {
      const proxy = findImports(code);
      imports = proxy.toJs();
      proxy.destroy();
    } catch {
      return; // a syntax error: the run reports it
    }
    const wanted = new Set<string>();
    for (const name of imports) {
      const pkg = this.packagesByImport.get(name);
      if (pkg && !this.loadedPackages.has(pkg)) wanted.add(pkg);
    }
    if (wanted.size > 0) await this.loadPackages([...wanted]);
  }

  /** Loads packages by name; a failure is remembered so the import explains it. */
  async loadPackages(names: string[]): Promise<void> {
    const missing = names.filter((n) => !this.loadedPackages.has(n));
    if (missing.length === 0) return;
    this.options.onPackages?.(missing);
    const errors: string[] = [];
    await this.pyodide.loadPackage(missing, {
      messageCallback: () => {},
      errorCallback: (message: string) => errors.push(message),
      checkIntegrity: true,
    });
    const loaded = this.pyodide.loadedPackages as Record<string, string>;
    for (const name of missing) {
      if (loaded[name]) this.loadedPackages.add(name);
      else {
        const imports = this.pyodide.lockfile.packages[name]?.imports ?? [name];
        for (const imported of imports) this.kernel?.package_failed(imported, errors.join(' ') || 'load failed');
      }
    }
  }
}
