"""Carnet's kernel: what runs around a learner's cells in the browser (Pyodide).

The worker (worker.ts) loads this module once, calls `setup()` with the page's configuration and a
bridge of JavaScript functions, then `run_cell()` for each cell, whose IPython syntax magics.ts has
already turned into calls on `__carnet__`. Outputs leave through the bridge as JSON text:
`bridge.emit(kind, json)` with kind "display", "clear", "result" or "error". Streams (print) go
through Pyodide's stdout and stderr, which the worker forwards.
"""

import builtins
import json
import linecache
import os
import sys
import types

_state = types.SimpleNamespace(bridge=None, messages={}, ns=None, filename="<cell-0>", failed={})

# Modules a browser can never provide; importing them says so instead of "No module named".
BROWSER_IMPOSSIBLE = {"tkinter", "_tkinter", "turtle", "turtledemo", "curses", "readline", "multiprocessing"}


def _message(key, **values):
    text = _state.messages.get(key, key)
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _emit(kind, payload):
    _state.bridge.emit(kind, json.dumps(payload))


def _flush():
    sys.stdout.flush()
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# Rich display


_REPRS = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("text/latex", "_repr_latex_"),
    ("application/json", "_repr_json_"),
)


def _plain(obj):
    if type(obj) in (list, dict, tuple, set, frozenset):
        import pprint

        return pprint.pformat(obj, width=79, sort_dicts=False)
    return repr(obj)


def mimebundle(obj):
    """The representations of an object, richest first, as IPython computes them."""
    data, metadata = {}, {}
    if not isinstance(obj, type):
        method = getattr(obj, "_repr_mimebundle_", None)
        if callable(method):
            try:
                result = method()
                if isinstance(result, tuple):
                    result, meta = result
                    metadata.update(meta or {})
                data.update(result or {})
            except Exception:
                pass
        for mime, name in _REPRS:
            method = getattr(obj, name, None)
            if mime in data or not callable(method):
                continue
            try:
                value = method()
            except Exception:
                continue
            if isinstance(value, tuple):
                value, meta = value
                metadata[mime] = meta
            if value is None:
                continue
            if isinstance(value, (bytes, bytearray)):
                import base64

                value = base64.b64encode(value).decode("ascii")
            elif mime == "application/json" and not isinstance(value, str):
                value = json.dumps(value)
            data[mime] = value
    if "text/plain" not in data:
        data["text/plain"] = _plain(obj)
    return {"data": {k: v for k, v in data.items() if isinstance(v, str)}, "metadata": metadata}


def display(*objs, raw=False, clear=False, **_ignored):
    """IPython's display(): shows each object below the cell, with its richest representation."""
    _flush()
    if clear:
        clear_output(wait=True)
    for obj in objs:
        bundle = {"data": obj, "metadata": {}} if raw else mimebundle(obj)
        _emit("display", bundle)


def clear_output(wait=False):
    """Clears the cell's outputs (at the next output when wait is true)."""
    _flush()
    _emit("clear", {"wait": bool(wait)})


class DisplayObject:
    """IPython.display's base: data given directly, or read from a file of the virtual disk."""

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if filename is not None:
            with open(filename, "rb" if self._binary else "r") as handle:
                data = handle.read()
        self.data, self.url, self.filename, self.metadata = data, url, filename, metadata

    _binary = False

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object>"


class HTML(DisplayObject):
    def _repr_html_(self):
        return self.data


class Markdown(DisplayObject):
    def _repr_markdown_(self):
        return self.data


class Latex(DisplayObject):
    def _repr_latex_(self):
        return self.data


class Math(DisplayObject):
    def _repr_latex_(self):
        text = (self.data or "").strip().strip("$")
        return f"$\\displaystyle {text}$"


class SVG(DisplayObject):
    def _repr_svg_(self):
        data = self.data
        return data.decode("utf-8") if isinstance(data, bytes) else data


class JSON(DisplayObject):
    def _repr_json_(self):
        return self.data


class Javascript(DisplayObject):
    def _repr_mimebundle_(self):
        return {"text/plain": _message("javascriptDisabled")}


class Image(DisplayObject):
    _binary = True

    def __init__(self, data=None, url=None, filename=None, format=None, width=None, height=None, **kw):
        if isinstance(data, str) and url is None and filename is None:
            if data.startswith(("http:", "https:", "data:")):
                url, data = data, None
            else:
                filename, data = data, None
        super().__init__(data, url, filename)
        name = (filename or url or "").lower()
        self.format = (format or ("jpeg" if name.endswith((".jpg", ".jpeg")) else "png")).lower()
        self.width, self.height = width, height

    def _repr_mimebundle_(self):
        size = {k: v for k, v in (("width", self.width), ("height", self.height)) if v}
        if self.data is None:
            from html import escape

            attrs = "".join(f' {k}="{escape(str(v))}"' for k, v in size.items())
            return {"text/html": f'<img src="{escape(self.url or "")}"{attrs}>'}
        import base64

        mime = "image/jpeg" if self.format in ("jpg", "jpeg") else "image/png"
        return {mime: base64.b64encode(self.data).decode("ascii")}, ({mime: size} if size else {})


def _install_ipython():
    """A small `IPython` package: enough for courses written for Jupyter (display and friends)."""
    ipython = types.ModuleType("IPython")
    ipython.__path__ = []
    disp = types.ModuleType("IPython.display")
    names = dict(
        display=display,
        clear_output=clear_output,
        HTML=HTML,
        Markdown=Markdown,
        Latex=Latex,
        Math=Math,
        SVG=SVG,
        JSON=JSON,
        Image=Image,
        Javascript=Javascript,
        DisplayObject=DisplayObject,
    )
    for name, value in names.items():
        setattr(disp, name, value)
    core = types.ModuleType("IPython.core")
    core.__path__ = []
    core.display = disp
    ipython.display = disp
    ipython.core = core
    ipython.get_ipython = lambda: _shell
    ipython.version_info = (8, 0, 0, "carnet")
    ipython.__version__ = "8.0.0+carnet"
    sys.modules.update({"IPython": ipython, "IPython.display": disp, "IPython.core": core})
    sys.modules["IPython.core.display"] = disp


class _Shell:
    """What `get_ipython()` returns: magics by name, the user namespace."""

    def run_line_magic(self, name, line):
        return line_magic(name, line)

    def run_cell_magic(self, name, line, cell):
        return cell_magic(name, line, cell)

    @property
    def user_ns(self):
        return _state.ns


_shell = _Shell()


# ---------------------------------------------------------------------------------------------
# Magics, shell escapes and help (magics.ts turns the IPython syntax into these calls)


def _not_available(what):
    print(_message("notAvailable", what=what), file=sys.stderr)


def _format_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"


def _parse_options(args, flags, valued):
    import shlex

    words = shlex.split(args, posix=False) if args else []
    options, rest = {}, []
    i = 0
    while i < len(words):
        word = words[i]
        if not rest and word.startswith("-") and len(word) > 1 and word[1:2] in flags + valued:
            letter = word[1]
            if letter in valued:
                value = word[2:] or (words[i + 1] if i + 1 < len(words) else "")
                i += 0 if word[2:] else 1
                options[letter] = value
            else:
                options[letter] = True
        else:
            rest = words[i:]
            break
        i += 1
    # Keep the statement's own spacing: cut the options off the original text.
    statement = args
    for word in words[: len(words) - len(rest)]:
        statement = statement.split(word, 1)[1] if word in statement else statement
    return options, statement.strip()


class TimeitResult:
    """What `%timeit -o` returns, like IPython's."""

    def __init__(self, loops, repeat, timings):
        import statistics

        self.loops, self.repeat, self.timings = loops, repeat, timings
        self.all_runs = [t * loops for t in timings]
        self.best, self.worst = min(timings), max(timings)
        self.average = statistics.fmean(timings)
        self.stdev = statistics.pstdev(timings) if len(timings) > 1 else 0.0

    def __str__(self):
        runs = "run" if self.repeat == 1 else "runs"
        loops = "loop" if self.loops == 1 else "loops"
        return (
            f"{_format_time(self.average)} ± {_format_time(self.stdev)} per loop "
            f"(mean ± std. dev. of {self.repeat} {runs}, {self.loops:,} {loops} each)"
        )

    __repr__ = __str__


def _timeit(args, body=None):
    import timeit

    options, statement = _parse_options(args, "oq", "nr")
    setup = ""
    if body is not None:
        setup, statement = statement, body
    if not statement.strip():
        return None
    timer = timeit.Timer(statement, setup or "pass", globals=_state.ns)
    repeat = int(options.get("r", 7))
    number = int(options.get("n", 0))
    if number <= 0:
        # Like IPython: the smallest power of ten that takes at least 0.2 s.
        number = 1
        while True:
            if timer.timeit(number) >= 0.2 or number >= 10**9:
                break
            number *= 10
    timings = [t / number for t in timer.repeat(repeat=repeat, number=number)]
    result = TimeitResult(number, repeat, timings)
    if "q" not in options:
        print(result)
    return result if "o" in options else None


def _time(statement, compiled_name):
    import time

    started = time.perf_counter()
    try:
        code = compile(statement, compiled_name, "exec")
        exec(code, _state.ns)
    finally:
        print(f"Wall time: {_format_time(time.perf_counter() - started)}")


# Magics that set up a Jupyter environment and mean nothing here: accepted silently.
_QUIET_MAGICS = {"matplotlib", "autoreload", "aimport", "config"}


def line_magic(name, line):
    """A `%name line` magic."""
    if name == "timeit":
        return _timeit(line)
    if name == "time":
        return _time(line, _state.filename)
    if name in _QUIET_MAGICS:
        return None
    if name in ("load_ext", "reload_ext"):
        if line.strip() != "autoreload":
            _not_available(f"%{name} {line}".strip())
        return None
    if name == "pwd":
        return os.getcwd()
    if name == "cd":
        os.chdir(os.path.expanduser(line.strip() or "~"))
        print(os.getcwd())
        return None
    if name in ("ls", "cat", "head", "tail"):
        return shell(f"{name} {line}")
    if name == "who":
        print("\t".join(sorted(k for k in _state.ns if not k.startswith("_"))))
        return None
    _not_available(f"%{name}")
    return None


def cell_magic(name, args, body):
    """A `%%name args` cell magic with its body."""
    # The body started on the cell's second line: keep its line numbers in tracebacks.
    source = "\n" + body
    if name == "timeit":
        return _timeit(args, body)
    if name == "time":
        return _time(source, _state.filename)
    if name == "capture":
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exec(compile(source, _state.filename, "exec"), _state.ns)
        if args.strip():
            _state.ns[args.split()[0]] = types.SimpleNamespace(stdout=out.getvalue(), stderr=err.getvalue())
        return None
    if name == "writefile":
        options, path = _parse_options(args, "a", "")
        with open(path, "a" if "a" in options else "w") as handle:
            handle.write(body if body.endswith("\n") else body + "\n")
        print(_message("wroteFile" if "a" not in options else "appendedFile", path=path))
        return None
    if name in ("html", "HTML"):
        return display(HTML(body))
    if name == "markdown":
        return display(Markdown(body))
    if name == "latex":
        return display(Latex(body))
    if name == "ipythontutor":
        print(_message("tutorUnavailable"), file=sys.stderr)
        exec(compile(source, _state.filename, "exec"), _state.ns)
        return None
    _not_available(f"%%{name}")
    return None


def _ls(args, out):
    import stat

    long = any(a.startswith("-") and "l" in a for a in args)
    show_all = any(a.startswith("-") and "a" in a for a in args)
    paths = [a for a in args if not a.startswith("-")] or ["."]
    status = 0
    for index, path in enumerate(paths):
        if not os.path.exists(path):
            print(f"ls: {path}: {_message('noSuchFile')}", file=sys.stderr)
            status = 1
            continue
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if show_all or not n.startswith("."))
            if len(paths) > 1:
                out.append(("\n" if index else "") + f"{path}:")
            entries = [(n, os.path.join(path, n)) for n in names]
        else:
            entries = [(path, path)]
        for name, full in entries:
            if long:
                info = os.stat(full)
                kind = "d" if stat.S_ISDIR(info.st_mode) else "-"
                out.append(f"{kind} {info.st_size:>10} {name}")
            else:
                out.append(name)
    return status


def _read_lines(path, command):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except FileNotFoundError:
        print(f"{command}: {path}: {_message('noSuchFile')}", file=sys.stderr)
    except IsADirectoryError:
        print(f"{command}: {path}: {_message('isDirectory')}", file=sys.stderr)
    return None


def shell(command, capture=False):
    """A `!command` shell escape, for the few commands courses use on their files."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return [] if capture else None
    out = []
    name, args = (words[0], words[1:]) if words else ("", [])
    if name == "ls":
        _ls(args, out)
    elif name in ("cat", "head", "tail"):
        count = None if name == "cat" else 10
        files = []
        i = 0
        while i < len(args):
            arg = args[i]
            if name != "cat" and arg == "-n" and i + 1 < len(args):
                count, i = int(args[i + 1]), i + 1
            elif name != "cat" and arg[:1] == "-" and arg[1:].lstrip("n").isdigit():
                count = int(arg[1:].lstrip("n"))
            elif not arg.startswith("-"):
                files.append(arg)
            i += 1
        for path in files:
            lines = _read_lines(path, name)
            if lines is None:
                continue
            if len(files) > 1 and name != "cat":
                out.append(f"==> {path} <==")
            out.extend(lines if count is None else (lines[:count] if name == "head" else lines[-count:]))
    elif name == "pwd":
        out.append(os.getcwd())
    elif name == "echo":
        out.append(" ".join(args))
    elif name:
        _not_available(f"!{name}")
    if capture:
        return out
    if out:
        print("\n".join(out))
    return None


def help(expression, detail=1):
    """`obj?` and `obj??`: signature, docstring, type (and source with ??), as IPython prints them."""
    import inspect

    try:
        obj = eval(expression, _state.ns)
    except Exception:
        print(f"Object `{expression}` not found.")
        return None
    lines = []
    try:
        signature = str(inspect.signature(obj))
        lines.append(("Signature:", f"{expression.rsplit('.', 1)[-1]}{signature}"))
    except (TypeError, ValueError):
        pass
    if not callable(obj) or isinstance(obj, type):
        lines.append(("String form:", _plain(obj)[:200]))
    if detail >= 2:
        try:
            lines.append(("Source:", "\n" + inspect.getsource(obj).rstrip()))
        except (OSError, TypeError):
            pass
    doc = inspect.getdoc(obj)
    if doc and not (detail >= 2 and lines and lines[-1][0] == "Source:"):
        lines.append(("Docstring:", doc))
    elif not doc:
        lines.append(("Docstring:", "<no docstring>"))
    lines.append(("Type:", type(obj).__name__))
    for label, text in lines:
        text = text.replace("\n", "\n" + " " * 11)
        print(f"{label:<11}{text}")
    return None


# ---------------------------------------------------------------------------------------------
# Imports: course modules on demand, exercises not yet, packages the browser cannot have


class _Archive:
    """Python files that arrive as one archive, fetched and unpacked on the first import of one of
    its top-level names: the course's `modules/`, the exercise library and stand-ins."""

    def __init__(self, names, url, folder):
        self.names, self.url, self.folder, self.loaded = set(names), url, folder, False

    def find_spec(self, name, path=None, target=None):
        if self.loaded or path is not None or name.split(".")[0] not in self.names:
            return None
        self.loaded = True
        import importlib
        import io
        import zipfile

        data = bytes(_state.bridge.fetchBytes(self.url).to_py())
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(self.folder)
        importlib.invalidate_caches()
        return None  # the path finder, next in line, now finds the files


class _Exercises:
    """An exercise module the server could not prepare (no sandbox, or it failed): says so.
    Placed last: the exercise archive, when there is one, is searched first."""

    names = {"corrections", "nbautoeval"}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(_message("exercisesUnavailable", module=name), name=name)
        return None


class _Unavailable:
    """Last in line: a missing module the browser cannot have gets an explanation."""

    def __init__(self, packages, configured):
        self.packages, self.configured = packages, configured

    def find_spec(self, name, path=None, target=None):
        if path is not None:
            return None
        if name in _state.failed:
            raise ModuleNotFoundError(_message("packageFailed", name=name, error=_state.failed[name]), name=name)
        if name in self.packages:
            key = "packageMissing" if self.configured else "packagesNotConfigured"
            raise ModuleNotFoundError(_message(key, name=name), name=name)
        if name in BROWSER_IMPOSSIBLE:
            raise ModuleNotFoundError(_message("impossibleInBrowser", name=name), name=name)
        return None


# ---------------------------------------------------------------------------------------------
# Input, sleep, figures


def _input(prompt=""):
    _flush()
    value = _state.bridge.input(str(prompt), False)
    if not isinstance(value, str):  # JavaScript null: interrupted
        raise KeyboardInterrupt
    return value


def _getpass(prompt="Password: ", stream=None):
    _flush()
    value = _state.bridge.input(str(prompt), True)
    if not isinstance(value, str):
        raise KeyboardInterrupt
    return value


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _flush()
    _state.bridge.sleep(float(seconds))


def _show_figures(*_args, **_kwargs):
    """matplotlib's open figures become PNG images below the cell, as with `%matplotlib inline`."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    import io

    for number in pyplot.get_fignums():
        figure = pyplot.figure(number)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        import base64

        _flush()
        _emit("display", {"data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii")}, "metadata": {}})
    pyplot.close("all")


# ---------------------------------------------------------------------------------------------
# Running cells


def _is_runtime_frame(filename):
    return filename == __file__ or "/_pyodide/" in filename or "/pyodide/" in filename or filename.startswith("<frozen")


def _trim(te):
    """Drops the runtime's own frames from a TracebackException (and those it chains)."""
    import traceback

    seen = set()
    while te is not None and id(te) not in seen:
        seen.add(id(te))
        frames = list(te.stack)
        first = next((i for i, f in enumerate(frames) if f.filename.startswith("<cell-")), len(frames))
        kept = [f for f in frames[first:] if not _is_runtime_frame(f.filename)]
        te.stack = traceback.StackSummary.from_list(kept)
        for group in getattr(te, "exceptions", None) or []:
            _trim(group)
        te = te.__cause__ or te.__context__


def format_error(error):
    """A traceback as the learner needs it: their cells with their line numbers, no runtime frames."""
    import re
    import traceback

    te = traceback.TracebackException.from_exception(error)
    _trim(te)
    text = "".join(te.format())
    cell = _message("cell")
    line = _message("line")

    def label(match):
        where = f"{cell} [{match.group(1)}], {line} {match.group(2)}"
        return where + (f", in {match.group(3)}" if match.group(3) and match.group(3) != "<module>" else "")

    return re.sub(r'File "<cell-(\d+)>", line (\d+)(?:, in (\S+))?', label, text)


def _exercise_results():
    """nbautoeval's recorded results (empty until a course imports the library)."""
    library = sys.modules.get("nbautoeval")
    return list(getattr(library, "results", None) or [])


def _exercise_of(result):
    """(module, attribute) of the `corrections.*` exercise whose last result is `result`."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("corrections.") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if getattr(value, "last_result", None) is result:
                return name, attribute
    return None, None


def server_check(module, attribute):
    """An exercise the server checks: what the server answered for the cells run so far
    (nbautoeval.sealed calls it through builtins.__carnet__)."""
    _flush()
    answer = json.loads(str(_state.bridge.check(module, attribute)))
    return answer if isinstance(answer, dict) else {"message": _message("checkFailed")}


def _emit_exercise_results(before):
    """Tells the page about every correction() of this run (results newer than `before`)."""
    results = _exercise_results()
    fresh = []
    for result in reversed(results):
        if before is not None and result is before:
            break
        fresh.append(result)
    for result in reversed(fresh):
        module, attribute = _exercise_of(result)
        verdict = {k: getattr(result, k, None) for k in ("exercise", "kind", "ok", "passed", "total")}
        verdict["server_checks"] = getattr(result, "server_checks", 0) or 0
        verdict["submission"] = getattr(result, "submission", None)
        _emit("exercise", {"module": module, "attribute": attribute, "result": verdict})


async def run_cell(code, count):
    """Runs one cell as cell number `count`; returns "ok", "error" or "interrupted"."""
    from pyodide.code import eval_code_async

    previous = _exercise_results()
    before = previous[-1] if previous else None

    filename = f"<cell-{count}>"
    _state.filename = filename
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    status = "ok"
    try:
        result = await eval_code_async(
            code,
            _state.ns,
            filename=filename,
            return_mode="last_expr",
            quiet_trailing_semicolon=True,
            dedent=False,
        )
        _patch_matplotlib_show()
        _show_figures()
        if result is not None:
            _state.ns["_"] = result
            _state.ns[f"_{count}"] = result
            _flush()
            bundle = mimebundle(result)
            bundle["execution_count"] = count
            _emit("result", bundle)
    except BaseException as error:  # the learner's SystemExit and KeyboardInterrupt too
        _flush()
        status = "interrupted" if isinstance(error, KeyboardInterrupt) else "error"
        _emit(
            "error",
            {
                "ename": type(error).__name__,
                "evalue": str(error),
                "traceback": format_error(error),
            },
        )
    _flush()
    try:
        _emit_exercise_results(before)
    except Exception:  # never let reporting break the learner's run
        pass
    return status


def setup(config, bridge):
    """Prepares the interpreter for a notebook page; `config` is a JSON text (RuntimeConfig)."""
    options = json.loads(config)
    _state.bridge = bridge
    _state.messages = options.get("messages", {})
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    _state.ns = main.__dict__

    builtins.display = display
    builtins.__carnet__ = sys.modules[__name__]
    builtins.input = _input
    import getpass
    import time

    getpass.getpass = _getpass
    time.sleep = _sleep
    os.environ.setdefault("MPLBACKEND", "agg")
    _install_ipython()

    modules = options.get("modules")
    if modules:
        os.makedirs(modules["folder"], exist_ok=True)
        sys.path.insert(0, modules["folder"])
        sys.meta_path.insert(0, _Archive(modules["names"], modules["url"], modules["folder"]))
    exercises = options.get("exercises")
    if exercises:
        # Before the course's modules: `corrections` is the sealed stand-ins, never the originals.
        os.makedirs(exercises["folder"], exist_ok=True)
        sys.path.insert(0, exercises["folder"])
        sys.meta_path.insert(0, _Archive(_Exercises.names, exercises["url"], exercises["folder"]))
    sys.meta_path.append(_Exercises())
    sys.meta_path.append(_Unavailable(set(options.get("knownPackages", [])), bool(options.get("packagesConfigured"))))

    cwd = options.get("cwd")
    if cwd:
        os.makedirs(cwd, exist_ok=True)
        os.chdir(cwd)
        sys.path.insert(0, cwd)


def _patch_matplotlib_show():
    """Once matplotlib is imported, `plt.show()` shows the figures below the cell."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and pyplot.show is not _show_figures:
        pyplot.show = _show_figures


def package_failed(name, error):
    """Records that a package could not be loaded, for the import error message."""
    _state.failed[name] = error
