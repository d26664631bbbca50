"""Seal, draw, judge or validate a course's exercise module (server side, in the sandbox).

    python3 -I -S seal.py            <modules folder> <module>              < options   # the seal (JSON)
    python3 -I -S seal.py --validate <modules folder> <module>              < options   # the authors' check
    python3 -I -S seal.py --draw     <modules folder> <module> <attribute>  < request   # a fresh draw
    python3 -I -S seal.py --judge    <modules folder> <module> <attribute>  < request   # the module judges

<module> is `corrections.exo_duree` or just `exo_duree`. Run it from the notebook's folder:
modules read `data/…`. Exit status: 0 done, 1 validation failed, 2 the module failed to import.

The seal (`carnet-seal/2`, python/README.md) says, for each exercise, how learners practise it
(`mode`: `local` in the browser from its public form, `server` by the server running the module,
`none` when its inputs cannot leave the server) and how a submission is judged (`judge`: `sealed`
by the library from the full sealed form, `module` by the module itself in a trusted run), with
what it keeps for the server. No seal or draw contains a solution; every one stays on the server.
"""

import ast
import contextlib
import dis
import importlib
import inspect
import io
import json
import os
import platform
import random
import re
import sys
import textwrap
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import nbautoeval  # noqa: E402
from carnet_seal import calls  # noqa: E402
from nbautoeval import table  # noqa: E402
from nbautoeval.encoding import References, Unsealable, encode, lookup  # noqa: E402
from nbautoeval.exercise import Exercise  # noqa: E402
from nbautoeval.exercise_class import ExerciseClass  # noqa: E402
from nbautoeval.sealed import load_exercise  # noqa: E402
from nbautoeval.sealing import (  # noqa: E402
    check_behaviour,
    encode_dataset,
    held_back,
    inputs_form,
    library_class,
    public_form,
    seal_standard,
)

FORMAT = "carnet-seal/2"
MAX_OUTPUT = 10_000
DEFAULT_SHARE = (1, 3)


def import_module(folder, name):
    """Imports an exercise module from a `modules/` folder; returns (module, its full name)."""
    folder = os.path.abspath(folder)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    if "." not in name and os.path.exists(os.path.join(folder, "corrections", name + ".py")):
        name = "corrections." + name
    return importlib.import_module(name), name


def forget_course_modules(folder):
    """Removes the course's modules from sys.modules: the next import runs them again."""
    folder = os.path.abspath(folder) + os.sep
    for key, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) or ""
        if path.startswith(folder) or key == "corrections" or key.startswith("corrections."):
            del sys.modules[key]


def exercises_of(module):
    """[(attribute, exercise)] in definition order, each exercise once."""
    seen, found = set(), []
    for attribute, value in vars(module).items():
        if isinstance(value, Exercise) and id(value) not in seen:
            seen.add(id(value))
            found.append((attribute, value))
    return found


def _capture(exo, method, *args):
    """The HTML of the tables `exo.method(*args)` shows (nothing printed or displayed)."""
    shown = []
    table.set_display_hook(shown.append)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(exo, method)(*args)
    finally:
        table.set_display_hook(None)
    return [t._repr_html_() for t in shown]


def _example_without(exo, hidden):
    """The example table's HTML without the rows of held-back datasets (`nb_examples=0` shows
    every dataset): what a server-checked exercise's stand-in shows."""
    shown = []
    table.set_display_hook(shown.append)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exo.example()
    finally:
        table.set_display_hook(None)
    if not shown:
        return ""
    example, rows, position = shown[-1], [], -1
    for row in example.rows:
        if isinstance(row, table.Section) or isinstance(exo, ExerciseClass):
            if (row.scenario or 0) - 1 not in hidden:
                rows.append(row)
            continue
        position += 1
        if position not in hidden:
            rows.append(row)
    kept = table.Table(example.kind, example.headers, rows, example.font_size, example.header_font_size, example.verdicts)
    return kept._repr_html_()


def ko_variants(module, exo):
    """The module's wrong variants of an exercise: attributes named `<name>_ko…`."""
    pattern = re.compile(re.escape(exo.name) + r"_ko\w*$")
    return [(name, value) for name, value in vars(module).items() if pattern.match(name)]


def _share(text):
    """`1/3` → (1, 3), `2` → 2, `0` → 0: how many datasets to hold back (carnet.yml `hidden`)."""
    if isinstance(text, (list, tuple)):
        return tuple(int(x) for x in text)
    text = str(text).strip()
    if "/" in text:
        numerator, denominator = text.split("/", 1)
        return int(numerator), int(denominator)
    return int(text)


# -- what may travel ---------------------------------------------------------------------------


class Course:
    """What the seal knows of the course: its folder, its public module names, the helpers
    notebooks import from correction modules, and every exercise's solution (which never travels)."""

    def __init__(self, folder, options):
        self.folder = os.path.abspath(folder) + os.sep
        self.public = set(options.get("public_modules", []))
        self.imported = {tuple(pair) for pair in options.get("imports", [])}
        self.helpers = {}  # (module, name) -> source, in dependency order
        self.handed_solutions = set()  # helpers that are an exercise's solution (a notebook imports them)
        self.problems = []

    def solutions(self):
        found = set()
        for key, module in list(sys.modules.items()):
            if key.startswith("corrections.") and module is not None:
                for _attribute, exo in exercises_of(module):
                    found.add(id(getattr(exo, "_solution", None)))
        found.discard(id(None))
        return found

    def is_course(self, module):
        target = sys.modules.get(module)
        path = getattr(target, "__file__", None) or ""
        return path.startswith(self.folder)

    def allow(self, module, name, value):
        """Whether `module.name` may be named to the browser and the untrusted run."""
        if module == "__main__":
            return False
        if not self.is_course(module):
            return True  # the standard library, the system's packages: the browser has its own
        if not module.startswith("corrections"):
            return module.split(".")[0] in self.public
        if id(value) in self.solutions() and (module, name) not in self.imported:
            return False  # a solution, which no notebook hands to learners
        try:
            self.helper(module, name)
        except Unsealable as error:
            self.problems.append(str(error))
            return False
        return True

    def references(self):
        return References(allow=self.allow)

    def helper(self, module, name, _stack=()):
        """Records the source of `module.name` (and what it uses of its module) as a helper."""
        key = (module, name)
        if key in self.helpers:
            return
        if key in _stack:
            raise Unsealable(f"{module}.{name} refers to itself through its module's names")
        owner = sys.modules[module]
        value = getattr(owner, name)
        if isinstance(value, Exercise):
            raise Unsealable(f"{module}.{name} is an exercise, not a helper")
        if id(value) in self.solutions():
            if key not in self.imported:
                raise Unsealable(f"{module}.{name} is an exercise's solution")
            self.handed_solutions.add(key)
        parts = []
        if inspect.isfunction(value) or inspect.isclass(value):
            if getattr(value, "__module__", None) != module or value.__qualname__ != name:
                parts.append(self._import_line(value, name, module))
            else:
                try:
                    source = textwrap.dedent(inspect.getsource(value))
                except (OSError, TypeError) as error:
                    raise Unsealable(f"the source of {module}.{name} cannot be read ({error})") from None
                for used in sorted(_globals_used(value, source)):
                    if used in vars(owner) and used != name:
                        self._dependency(owner, module, used, _stack + (key,))
                parts.append(source)
        elif isinstance(value, types.ModuleType):
            parts.append(f"import {value.__name__} as {name}" if value.__name__ != name else f"import {name}")
        else:
            try:
                data = encode(value, refs=self.references())
            except Unsealable as error:
                raise Unsealable(f"{module}.{name} cannot be handed to the browser: {error}") from None
            parts.append(f"{name} = _carnet_value({json.dumps(json.dumps(data))})")
        self.helpers[key] = "\n".join(parts)

    def _dependency(self, owner, module, used, stack):
        value = vars(owner)[used]
        if isinstance(value, Exercise):
            raise Unsealable(f"{module}.{stack[-1][1]} uses the exercise {used}")
        self.helper(module, used, stack)

    def _import_line(self, value, name, module):
        source_module = getattr(value, "__module__", None)
        qualname = getattr(value, "__qualname__", "")
        if not source_module or "<" in qualname or "." in qualname:
            raise Unsealable(f"{module}.{name} cannot be named from the browser")
        if self.is_course(source_module) and not self.allow(source_module, qualname, value):
            raise Unsealable(f"{module}.{name} comes from {source_module}, which the browser may not have")
        alias = "" if qualname == name else f" as {name}"
        return f"from {source_module} import {qualname}{alias}"

    def helpers_of(self):
        return [
            {"module": m, "name": n, "source": s, "solution": (m, n) in self.handed_solutions}
            for (m, n), s in self.helpers.items()
        ]


def _globals_used(value, source):
    """The global names a function's or class's definition reads: its code (nested code and
    methods included) and what runs when it is defined — decorators, bases, default values,
    annotations, a class body's own statements."""
    codes = []
    names = set()
    if inspect.isclass(value):
        for item in vars(value).values():
            function = getattr(item, "__func__", item)
            if inspect.isfunction(function):
                codes.append(function.__code__)
            elif isinstance(item, property):
                codes += [f.__code__ for f in (item.fget, item.fset, item.fdel) if f is not None]
    else:
        codes.append(value.__code__)
    while codes:
        code = codes.pop()
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                names.add(instruction.argval)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    try:
        node = ast.parse(source).body[0]
    except (SyntaxError, IndexError):
        return names
    for part in _definition_time(node):
        names.update(n.id for n in ast.walk(part) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return names


def _definition_time(node):
    """The parts of a def or class statement Python evaluates when it runs the statement."""
    parts = list(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        parts += node.bases + [keyword.value for keyword in node.keywords]
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                parts += _definition_time(statement)
            else:
                parts.append(statement)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        parts += [d for d in arguments.defaults + arguments.kw_defaults if d is not None]
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs + [arguments.vararg, arguments.kwarg]
        parts += [a.annotation for a in every if a is not None and a.annotation is not None]
        if node.returns is not None:
            parts.append(node.returns)
    return parts


# -- sealing -----------------------------------------------------------------------------------


def _extra_datasets(module, attribute, expressions):
    """The datasets an author keeps for the server: the module's `<attribute>_hidden` list and the
    carnet.yml expressions (evaluated in the module's namespace); problems are reported, not fatal."""
    found, problems = [], []
    listed = getattr(module, f"{attribute}_hidden", None)
    if listed is not None:
        if isinstance(listed, (list, tuple)):
            found += list(listed)
        else:
            problems.append(f"{attribute}_hidden should be a list of datasets, not {type(listed).__name__}")
    for item in expressions:
        try:
            found.append(eval(item["expression"], vars(module)))  # the author's code, in the author's module
        except Exception as error:
            problems.append(f"carnet.yml line {item.get('line', '?')}: {item['expression']!r} failed: {error!r}")
    return found, problems


def _standard_tables_match(module, exo, sealed):
    """Whether a stand-in built from the seal shows the real exercise's tables (deterministic)."""
    check = dict(sealed)
    if sealed["extra"]:
        keep = slice(0, len(sealed["scenarios" if sealed["class"] == "ExerciseClass" else "datasets"]) - sealed["extra"])
        for key in ("scenarios",) if sealed["class"] == "ExerciseClass" else ("datasets", "expected", "rows"):
            check[key] = sealed[key][keep]
    check["hidden"], check["extra"] = [], 0
    standin = load_exercise(public_form(check))
    standin._server_checks = 0
    if _capture(standin, "example") != _capture(exo, "example"):
        return "example() shows something else on a second run (a random reference?)"
    for label, attempt in [("solution", exo.solution)] + ko_variants(module, exo):
        if _capture(standin, "correction", attempt) != _capture(exo, "correction", attempt):
            return f"correction({label}) differs from one run to the next (random or stateful reference?)"
    return None


def seal_entry(course, module, attribute, exo, options):
    """One exercise's entry of the seal."""
    entry = {"attribute": attribute, "class": type(exo).__name__, "name": exo.name, "problems": []}
    try:
        entry["example_html"] = (_capture(exo, "example") or [""])[0]
    except Exception as error:
        entry["example_html"] = ""
        entry["problems"].append(f"example() failed: {error!r}")
    settings = options.get("exercises", {}).get(attribute, {})
    share = _share(settings.get("hidden", options.get("hidden", DEFAULT_SHARE)))
    extra, problems = _extra_datasets(module, attribute, settings.get("datasets", []))
    entry["problems"] += problems
    refs = course.references()
    try:
        base = library_class(exo)
    except Unsealable as error:
        return dict(entry, mode="none", judge=None, reason=str(error))
    standard_reason = None
    try:
        check_behaviour(exo, base)
    except Unsealable as error:
        standard_reason = str(error)
    if standard_reason is None:
        try:
            sealed = seal_standard(exo, base, extra=extra, share=share, refs=refs)
            standard_reason = _standard_tables_match(module, exo, sealed)
        except Unsealable as error:
            standard_reason = str(error)
        if standard_reason is None:
            checks = {"hidden": len(sealed["hidden"]) - sealed["extra"], "extra": sealed["extra"]}
            return dict(
                entry, mode="local", judge="sealed", reason=None, sealed=sealed, inputs=inputs_form(sealed), checks=checks
            )
    # The browser cannot reproduce it: the server runs the module for practice and for grades.
    try:
        plan, _shown = calls.record_plan(exo, base, refs)
        again, _unused = calls.record_plan(exo, base, refs)
    except Unsealable as error:
        return dict(entry, mode="none", judge=None, reason=f"{standard_reason}; and {error}")
    except Exception as error:
        return dict(entry, mode="none", judge=None, reason=f"{standard_reason}; correction() failed: {error!r}")
    if plan != again:
        return dict(entry, mode="none", judge=None, reason=f"{standard_reason}; its checks change from one run to the next")
    count = len(plan["scenarios" if base is ExerciseClass else "datasets"])
    rows = [row for row in (_shown.rows if _shown else []) if isinstance(row, table.Row)]
    # Rows are held back by the call they check: only when each call has its row (or scenario).
    aligned = base is ExerciseClass or len(rows) == count
    plan["hidden"] = held_back(count, exo.nb_examples, share) if aligned else []
    if extra:
        entry["problems"].append("server-only datasets are not used by exercises the server checks with their module")
    checks = {"hidden": len(plan["hidden"]), "extra": 0}
    if plan["hidden"]:
        entry["example_html"] = _example_without(exo, set(plan["hidden"]))
    inputs = {key: value for key, value in plan.items() if key != "hidden"}
    return dict(entry, mode="server", judge="module", reason=standard_reason, plan=plan, inputs=inputs, checks=checks)


def _signature(course, exo, judge):
    """The inputs an import of the module gives an exercise (its own datasets, or its plan of
    calls): two imports that differ mean datasets drawn at random."""
    base = library_class(exo)
    refs = course.references()
    if judge == "module":
        plan, _ = calls.record_plan(exo, base, refs)
        return plan
    if base is ExerciseClass:
        return [calls._scenario_json(exo, scenario, refs) for scenario in exo.scenarios]
    return [encode_dataset(dataset, "dataset", refs) for dataset in exo.datasets]


def seal_module(folder, name, options):
    """The seal of every exercise of a module (a JSON-ready dict)."""
    course = Course(folder, options)
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        module, name = import_module(folder, name)
        for helper in options.get("helpers", []):
            try:
                course.helper(name, helper)
            except (Unsealable, AttributeError) as error:
                course.problems.append(f"{name}.{helper} is imported by a notebook but cannot be handed out: {error}")
        entries = [seal_entry(course, module, attribute, exo, options) for attribute, exo in exercises_of(module)]
        first = {}
        for entry in entries:
            if entry["mode"] != "none":
                first[entry["attribute"]] = _signature(course, getattr(module, entry["attribute"]), entry["judge"])
        # A second, fresh import: datasets drawn at random when the module loads differ.
        forget_course_modules(folder)
        try:
            again, _ = import_module(folder, name)
            for entry in entries:
                exo = getattr(again, entry["attribute"], None)
                if entry["attribute"] in first and isinstance(exo, Exercise):
                    try:
                        entry["random"] = _signature(course, exo, entry["judge"]) != first[entry["attribute"]]
                    except Exception:
                        entry["random"] = True
        finally:
            forget_course_modules(folder)
    for entry in entries:
        entry.setdefault("random", False)
        if entry["mode"] == "local":
            entry["public"] = public_form(entry["sealed"], fresh=entry["random"])
        if entry.get("random"):
            entry["checks"]["fresh"] = True
    return {
        "format": FORMAT,
        "module": name,
        "library": nbautoeval.__version__,
        "python": platform.python_version(),
        "output": output.getvalue()[:MAX_OUTPUT],
        "exercises": entries,
        "helpers": course.helpers_of(),
        "problems": course.problems,
        "numpy": "numpy" in sys.modules,
        "options": options,
    }


# -- at grading time: a fresh draw, and the module as judge ---------------------------------------


def _seeded_import(folder, name, seed, with_numpy):
    """Imports the module after seeding `random` (and numpy's generator): the same seed gives the
    same draw, in the draw run and in the judge's run."""
    random.seed(seed)
    if with_numpy:
        try:
            import numpy

            numpy.random.seed(seed % 2**32)
        except ImportError:
            pass
    return import_module(folder, name)[0]


def draw(folder, name, attribute, request):
    """A fresh draw of a random exercise, for one submission: the full sealed form (judge `sealed`)
    or the plan of calls (judge `module`) of a new import seeded with the request's seed."""
    course = Course(folder, request.get("options", {}))
    with contextlib.redirect_stdout(io.StringIO()):
        module = _seeded_import(folder, name, int(request["seed"]), request.get("numpy", False))
        exo = getattr(module, attribute)
        base = library_class(exo)
        options = request.get("options", {})
        settings = options.get("exercises", {}).get(attribute, {})
        if request["judge"] == "sealed":
            extra, _ = _extra_datasets(module, attribute, settings.get("datasets", []))
            sealed = seal_standard(exo, base, extra=extra, share=0, refs=course.references())
            # Every check of a fresh draw is new to the learner; none is shown before.
            return {"sealed": sealed, "inputs": inputs_form(sealed)}
        plan, _ = calls.record_plan(exo, base, course.references())
        inputs = dict(plan)
        plan["hidden"] = []
        return {"plan": plan, "inputs": inputs}


def _restricted(course):
    """Resolves what obtained values name: builtins and the course's own modules only."""
    from nbautoeval.encoding import Ref

    def resolve(module, name):
        if module == "builtins" or course.is_course(module) or module.split(".")[0] in course.public:
            try:
                return lookup(module, name)
            except Exception:
                return Ref(module, name)
        return Ref(module, name)

    return resolve


def judge_module(folder, name, attribute, request):
    """The module itself judges: its exercise's correction() runs with the obtained values in place
    of the learner's results. Returns the verdict and the table for the learner (held-back rows
    shown only as a numbered check)."""
    course = Course(folder, request.get("options", {}))
    plan, obtained = request["plan"], request["obtained"]
    with contextlib.redirect_stdout(io.StringIO()):
        module = _seeded_import(folder, name, int(request["seed"]), request.get("numpy", False))
        exo = getattr(module, attribute)
        student = calls.Student()
        finish = calls.replay(exo, student, plan, obtained, _restricted(course), course.references())
        shown = []
        table.set_display_hook(shown.append)
        try:
            exo.correction(student)
        finally:
            table.set_display_hook(None)
        if not finish():
            raise calls.Mismatch("the exercise did not use every obtained value")
    if not shown or exo.last_result is None:
        raise calls.Mismatch("the exercise showed no correction table")
    hidden = set(plan.get("hidden", []))
    return calls.verdict_of(shown[-1], exo.last_result, plan, hidden, with_table=True, given=finish.given)


# -- the authors' check ------------------------------------------------------------------------


def _attempt(exo, attempt):
    shown = []
    table.set_display_hook(shown.append)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exo.correction(attempt)
    finally:
        table.set_display_hook(None)
    result = exo.last_result
    return {"ok": result.ok, "passed": result.passed, "total": result.total}


def _server_rows(entry, attempt):
    """The server's verdict on `attempt` for an exercise the browser checks, on the rows the browser
    sees: its results obtained on the seal's inputs, then judged from the full seal as grading does
    (grade.py --judge; a random exercise on the seal's draw, the one its stand-in holds)."""
    from carnet_seal import grade

    inputs = entry["inputs"]
    obtained = calls.obtain(calls.inputs_exercise(inputs, lookup), inputs, attempt)
    # Through JSON, as between the two grading runs.
    verdict = grade.judge({"sealed": entry["sealed"], "obtained": json.loads(json.dumps(obtained))})
    return [{"call": row["call"], "ok": row["ok"]} for row in verdict["rows"] if not row["hidden"]]


def _server_verdicts(entry, attempts):
    """[{attempt, rows} or {attempt, error}] for the reference and each `_ko` variant."""
    verdicts = []
    for label, attempt in attempts:
        try:
            verdicts.append({"attempt": label, "rows": _server_rows(entry, attempt)})
        except Exception as error:
            verdicts.append({"attempt": label, "error": repr(error)})
    return verdicts


def validate_module(folder, name, options):
    """The authors' check: example() runs, the solution is all-OK, every `_ko` variant has a KO,
    and how each exercise is practised and verified (with its hidden checks). For exercises the
    browser checks, the server's verdict on each attempt (`server_verdicts`), and the seal, for
    `carnet validate` to compare with the browser's stand-in."""
    report = {"format": "carnet-validation/2", "module": name, "ok": True, "exercises": []}
    output = io.StringIO()
    seal = seal_module(folder, name, options)
    with contextlib.redirect_stdout(output):
        module, report["module"] = import_module(folder, name)
        by_attribute = {e["attribute"]: e for e in seal["exercises"]}
        for attribute, exo in exercises_of(module):
            entry = by_attribute[attribute]
            item = {"attribute": attribute, "class": type(exo).__name__, "name": exo.name, "problems": []}
            try:
                _capture(exo, "example")
            except Exception as error:
                item["problems"].append(f"example() failed: {error!r}")
            try:
                item["solution"] = _attempt(exo, exo.solution)
                if not item["solution"]["ok"]:
                    item["problems"].append("the reference solution is not all-OK")
            except Exception as error:
                item["problems"].append(f"correction(solution) failed: {error!r}")
            item["ko_variants"] = []
            for ko_name, ko in ko_variants(module, exo):
                try:
                    outcome = dict(name=ko_name, **_attempt(exo, ko))
                except Exception as error:
                    outcome = {"name": ko_name, "ok": None, "error": repr(error)}
                    item["problems"].append(f"correction({ko_name}) failed: {error!r}")
                if outcome.get("ok"):
                    item["problems"].append(f"{ko_name} is all-OK: it should have a KO row")
                item["ko_variants"].append(outcome)
            item.update(
                mode=entry["mode"],
                judge=entry.get("judge"),
                reason=entry.get("reason"),
                random=entry.get("random", False),
                checks=entry.get("checks", {"hidden": 0, "extra": 0}),
            )
            if entry["mode"] == "local":
                attempts = [("solution", exo.solution)] + ko_variants(module, exo)
                item["server_verdicts"] = _server_verdicts(entry, attempts)
            item["problems"] += entry.get("problems", [])
            if entry["mode"] == "none":
                item["problems"].append(f"cannot be checked on this platform: {entry.get('reason')}")
            item["ok"] = not item["problems"]
            report["ok"] = report["ok"] and item["ok"]
            report["exercises"].append(item)
    report["problems"] = seal["problems"]
    report["seal"] = seal
    report["output"] = output.getvalue()[:MAX_OUTPUT]
    return report


def main(argv):
    mode = None
    if argv and argv[0] in ("--validate", "--draw", "--judge"):
        mode, argv = argv[0], argv[1:]
    if len(argv) != (3 if mode in ("--draw", "--judge") else 2):
        print(__doc__, file=sys.stderr)
        return 64
    folder, name = argv[0], argv[1]
    text = sys.stdin.read() if not sys.stdin.isatty() else ""
    request = json.loads(text) if text.strip() else {}
    try:
        if mode == "--validate":
            report = validate_module(folder, name, request)
            print(json.dumps(report, ensure_ascii=False, indent=1))
            return 0 if report["ok"] else 1
        if mode == "--draw":
            print(json.dumps(draw(folder, name, argv[2], request), ensure_ascii=False))
            return 0
        if mode == "--judge":
            print(json.dumps(judge_module(folder, name, argv[2], request), ensure_ascii=False))
            return 0
        sealed = seal_module(folder, name, request)
    except calls.Mismatch as error:
        print(json.dumps({"format": FORMAT, "module": name, "mismatch": str(error)}))
        return 3
    except Exception:
        print(json.dumps({"format": FORMAT, "module": name, "error": traceback.format_exc()[-4000:]}))
        return 2
    print(json.dumps(sealed, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
