"""Verified grades: a learner's code run on an exercise's inputs, then judged elsewhere (ADR 034).

    python3 -I -S grade.py --obtain   < {"cells": [...], "module", "attribute", "inputs": <inputs form>}
    python3 -I -S grade.py --judge    < {"sealed": <full sealed exercise>, "obtained": <values>}

`--obtain` is UNTRUSTED — everything in its process belongs to the learner. It receives the cells
and the *inputs* the learner's object must be called with: no expected value, no seal, no
reference module. `corrections.*` are the course's grading stand-ins (helpers and inert exercise
objects, found on sys.path); the target exercise becomes a recorder whose `correction(obj)` calls
`obj` on every input through the library's learner-side paths. The cells run in one namespace (a
cell that raises does not stop the next; `input()` reads end-of-file); then one line is written:
MARKER + the obtained values of the last correction(). The server refuses a run that writes
none, or more than one, or values that do not fit the inputs (python/carnet_seal/calls.py).

`--judge` is TRUSTED: it never sees learner code. It rebuilds the exercise from its full seal and
runs the library's correction with the obtained values in place of the learner's results.
"""

import contextlib
import importlib
import io
import json
import os
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from carnet_seal import calls  # noqa: E402
from nbautoeval import table  # noqa: E402
from nbautoeval.encoding import decode, lookup  # noqa: E402
from nbautoeval.exercise import SolutionUnavailable, UNAVAILABLE_MESSAGE  # noqa: E402
from nbautoeval.sealed import build_exercise  # noqa: E402
from nbautoeval.sealing import inputs_form  # noqa: E402

MARKER = "@@carnet-obtained/1@@ "
# The folder of the grading stand-ins on sys.path (lib/grading/course.ts STANDINS_DIR).
STANDINS_DIR = ".carnet-grading"
MAX_STDOUT = 10_000


class Recorder:
    """The target exercise in the untrusted run: correction(obj) records what obj gives on the
    inputs; example() shows nothing (the run displays nothing); no solution."""

    def __init__(self, inputs):
        self._inputs = inputs
        self._exercise = calls.inputs_exercise(inputs, lookup)
        self.name = inputs["name"]
        self.obtained = None

    @property
    def solution(self):
        raise SolutionUnavailable(UNAVAILABLE_MESSAGE)

    @property
    def datasets(self):
        return self._exercise.datasets

    def example(self, *args, **kwargs):
        return None

    def correction(self, student, *args, **kwargs):
        self.obtained = calls.obtain(self._exercise, self._inputs, student)


def _standin_module(name, source):
    """The graded exercise's module from its grading stand-in's source, given with the job: no
    file to find and compile (the untrusted run's file-system caches are cold in each fork). Its
    packages are made too, on the stand-ins folder, where the learner's other imports are found."""
    folders = [entry for entry in sys.path if os.path.basename(entry) == STANDINS_DIR]
    parts = name.split(".")
    for depth in range(1, len(parts)):
        package = ".".join(parts[:depth])
        if package not in sys.modules:
            module = types.ModuleType(package)
            module.__path__ = [os.path.join(folder, *parts[:depth]) for folder in folders]
            sys.modules[package] = module
            if depth > 1:
                setattr(sys.modules[".".join(parts[: depth - 1])], parts[depth - 1], module)
    module = types.ModuleType(name)
    module.__file__ = f"<grading stand-in of {name}>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    sys.modules[name] = module
    if len(parts) > 1:
        setattr(sys.modules[".".join(parts[:-1])], parts[-1], module)
    return module


def obtain(job):
    """Runs the cells; returns the report to print after the marker."""
    source = job.get("standin")
    module = _standin_module(job["module"], source) if source else importlib.import_module(job["module"])
    recorder = Recorder(job["inputs"])
    setattr(module, job["attribute"], recorder)
    table.set_display_hook(lambda _table: None)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    output = io.StringIO()
    errors = []
    sys.stdin = io.StringIO("")
    for index, source in enumerate(job["cells"]):
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                exec(compile(source, f"<cell {index + 1}>", "exec"), namespace)
            except BaseException as error:  # SystemExit, KeyboardInterrupt: the next cell still runs
                # Only the type: a message could carry what the learner's code read of the inputs.
                errors.append({"cell": index + 1, "error": type(error).__name__})
        if output.tell() > MAX_STDOUT:
            output = io.StringIO()
    report = {"errors": errors}
    if recorder.obtained is not None:
        report["obtained"] = recorder.obtained
    return report


def judge(job):
    """The verdict of the library's comparison, the learner's results given as obtained values."""
    sealed = job["sealed"]
    exo = build_exercise(sealed, None)
    if sealed["class"] == "ExerciseClass":
        exo._sealed_expected = [[decode(value) for value in s["expected"]] for s in sealed["scenarios"]]
    else:
        exo._sealed_expected = [decode(value) for value in sealed["expected"]]
    exo._sealed = sealed
    inputs = inputs_form(sealed)
    student = calls.Student()
    finish = calls.replay(exo, student, inputs, job["obtained"])
    shown = []
    table.set_display_hook(shown.append)
    try:
        exo.correction(student)
    finally:
        table.set_display_hook(None)
    if not finish():
        raise calls.Mismatch("the exercise did not use every obtained value")
    return calls.verdict_of(shown[-1], exo.last_result, inputs, set(sealed.get("hidden", [])), given=finish.given)


def main(argv):
    mode = argv[0] if argv else None
    if mode not in ("--obtain", "--judge"):
        print(__doc__, file=sys.stderr)
        return 64
    text = sys.stdin.read()
    real_stdout = sys.stdout
    if mode == "--judge":
        try:
            print(json.dumps(judge(json.loads(text)), ensure_ascii=False))
        except calls.Mismatch as error:
            print(json.dumps({"mismatch": str(error)}))
        except BaseException:  # noqa: B036 — a verdict or a reason, always one line of JSON
            print(json.dumps({"error": traceback.format_exc()[-2000:]}))
            return 2
        return 0
    try:
        report = obtain(json.loads(text))
    except Exception as error:
        report = {"error": f"{type(error).__name__}: {error}"[:300]}
    real_stdout.write("\n" + MARKER + json.dumps(report, ensure_ascii=False) + "\n")
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
