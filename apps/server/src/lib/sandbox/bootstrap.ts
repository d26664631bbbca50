/**
 * The Python that runs before the learner's code, in the same fresh process: it applies the
 * resource limits (hard = soft, so the program cannot raise them back), lays out `sys.path`, and
 * runs the program as `__main__`. Passed with `-c`, so nothing on disk can replace it; `-I -S`
 * means no environment variables, no user site, no `site` module before it.
 */

/** Exit status the bootstrap uses when the program ran out of memory (MemoryError not caught). */
export const EXIT_MEMORY = 120;

/**
 * What the bootstrap reads from its arguments: argv[1] the working directory, [2] the program
 * file, [3] the name tracebacks show, [4] the limits (`NAME=value` by line, without RLIMIT_),
 * [5] the sys.path entries put first (by line), [6] those appended after the standard library
 * (the system's site-packages, by line), then the program's own arguments. No `json` import: it
 * would cost more than the rest of the start-up.
 */
export interface BootstrapConfig {
  rlimits: [string, number][];
  cwd: string;
  path: string[];
  /** After the standard library: the system's packages (numpy…) never shadow it or the course. */
  sitePackages: string[];
  file: string;
  filename: string;
  argv: string[];
}

/** The bootstrap's arguments (after `-c BOOTSTRAP`). */
export function bootstrapArgs(config: BootstrapConfig): string[] {
  for (const entry of [config.cwd, config.file, ...config.path, ...config.sitePackages]) {
    if (entry.includes('\n')) throw new Error(`a path of the job contains a line break: ${JSON.stringify(entry)}`);
  }
  return [
    config.cwd,
    config.file,
    config.filename,
    config.rlimits.map(([name, value]) => `${name}=${value}`).join('\n'),
    config.path.join('\n'),
    config.sitePackages.join('\n'),
    ...config.argv,
  ];
}

export const BOOTSTRAP = `
import resource, sys
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
for _line in sys.argv[4].split("\\n"):
    _name, _value = _line.split("=")
    _value = int(_value)
    resource.setrlimit(getattr(resource, "RLIMIT_" + _name), (_value, _value + 1 if _name == "CPU" else _value))
import os
os.chdir(sys.argv[1])
sys.path[0:0] = [p for p in sys.argv[5].split("\\n") if p]
sys.path += [p for p in sys.argv[6].split("\\n") if p]
_file, _filename = sys.argv[2], sys.argv[3]
sys.argv = [_filename] + sys.argv[7:]
with open(_file, "rb") as _f:
    _source = _f.read()
_main = type(sys)("__main__")
_main.__file__ = _filename
sys.modules["__main__"] = _main
def _run():
    try:
        code = compile(_source, _filename, "exec")
        exec(code, _main.__dict__)
    except SystemExit:
        raise
    except MemoryError:
        sys.stdout.flush()
        sys.stderr.write("MemoryError: the program used more memory than allowed\\n")
        sys.stderr.flush()
        os._exit(${EXIT_MEMORY})
    except BaseException as e:
        import traceback
        tb = e.__traceback__
        tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb
        traceback.print_exception(type(e), e, tb)
        sys.exit(1)
del _f, _line, _name, _value
_run()
`;
