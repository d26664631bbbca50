/**
 * The Python that runs before the learner's code, in the same fresh process: it applies the
 * resource limits (hard = soft, so the program cannot raise them back), lays out `sys.path`, and
 * runs the program as `__main__`. Passed with `-c`, so nothing on disk can replace it; `-I -S`
 * means no environment variables, no user site, no `site` module before it.
 */

/** Exit status the bootstrap uses when the program ran out of memory (MemoryError not caught). */
export const EXIT_MEMORY = 120;

/** What the bootstrap reads from argv[1] (JSON). */
export interface BootstrapConfig {
  /** Resource name (without RLIMIT_) → limit, applied in order. */
  rlimits: [string, number][];
  cwd: string;
  /** Put at the front of sys.path, in order. */
  path: string[];
  /** The program file, and the name tracebacks show for it. */
  file: string;
  filename: string;
  argv: string[];
}

export const BOOTSTRAP = `
import resource, sys, json
_c = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
for _name, _value in _c["rlimits"]:
    _r = getattr(resource, "RLIMIT_" + _name)
    _hard = _value + 1 if _name == "CPU" else _value
    resource.setrlimit(_r, (_value, _hard))
import os
os.chdir(_c["cwd"])
sys.path[0:0] = _c["path"]
sys.argv = [_c["filename"]] + _c["argv"]
with open(_c["file"], "rb") as _f:
    _source = _f.read()
import types
_main = types.ModuleType("__main__")
_main.__file__ = _c["filename"]
sys.modules["__main__"] = _main
def _run():
    try:
        code = compile(_source, _c["filename"], "exec")
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
del _f, _name, _value, _r, _hard
_run()
`;
