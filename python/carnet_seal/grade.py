"""Verified grades: a learner's code run against a sealed exercise, in two separate programs.

    python3 -I -S grade.py --obtain   < {"cells": [...], "seals": [<carnet-seal/1>...], "module", "attribute"}
    python3 -I -S grade.py --judge    < {"sealed": <sealed exercise>, "obtained": <what --obtain printed>}

`--obtain` is UNTRUSTED: it runs the learner's cells in order in one namespace (a cell that raises
does not stop the next ones; `input()` reads end-of-file), with the exercise modules replaced by
their sealed stand-ins, and records what the learner's object gives on the sealed datasets when
the cells call `<exercise>.correction(obj)` — through the library's own code paths. Its last
output line is MARKER + the obtained values, encoded with the library's tagged encoding.

`--judge` is TRUSTED: it never sees learner code; it rebuilds the exercise from its seal and runs
the library's correction with the obtained values in place of the learner's results. Whatever
the learner's code printed or patched can only have changed "obtained", never the comparison.
"""

import contextlib
import importlib.util
import io
import json
import os
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nbautoeval import table  # noqa: E402
from nbautoeval.encoding import Unsealable, decode, encode  # noqa: E402
from nbautoeval.exercise_class import ExerciseClass  # noqa: E402
from nbautoeval.sealed import load_exercise  # noqa: E402

MARKER = "@@carnet-obtained/1@@ "
MAX_STDOUT = 10_000
MAX_REPR = 300


class Unencodable:
    """An obtained value the tagged encoding cannot carry (another class): equal to nothing."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None

    def __repr__(self):
        return self.text


def _encode_obtained(value):
    try:
        return {"value": encode(value, results=True)}
    except (Unsealable, RecursionError, ValueError, TypeError):
        try:
            text = repr(value)
        except Exception as error:
            text = f"<repr failed: {type(error).__name__}>"
        return {"unencodable": text[:MAX_REPR]}


def _decode_obtained(item):
    if "unencodable" in item:
        return Unencodable(str(item["unencodable"]))
    return decode(item["value"])


# -- the untrusted side -----------------------------------------------------------------------


def _obtain_values(exo, student):
    """The learner's results on every sealed dataset, as the library computes them."""
    if isinstance(exo, ExerciseClass):
        scenarios = []
        for scenario in exo.scenarios:
            steps = exo._run_scenario(student, scenario)
            scenarios.append([dict(_encode_obtained(value), failed=bool(failed)) for value, failed in steps])
        return {"scenarios": scenarios}
    values = []
    for dataset in exo.datasets:
        values.append(_encode_obtained(exo._run(exo._student_function(student), exo._clone(dataset))))
    return {"values": values}


SEALS_DIR = ".carnet-seals"


def _standin(name, entries):
    """A `corrections.*` module whose exercises are built from their seals when first read."""
    module = types.ModuleType(name)

    def lazy(attribute):
        if attribute not in entries:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        exo = load_exercise(entries.pop(attribute))
        setattr(module, attribute, exo)
        return exo

    module.__getattr__ = lazy
    module.__dir__ = lambda: sorted(set(vars(module)) | set(entries))
    return module


def _entries(seal):
    return {
        entry["attribute"]: entry["sealed"]
        for entry in seal.get("exercises", [])
        if entry.get("sealable") and entry.get("sealed")
    }


class _SealFiles:
    """Stand-ins of the modules not given with the job, from `<module>.seal.json` files in the
    course's seals folder (on sys.path, ADR 027), when the learner's code imports them."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if not fullname.startswith("corrections."):
            return None
        for folder in sys.path:
            if os.path.basename(folder) != SEALS_DIR:
                continue
            file = os.path.join(folder, fullname + ".seal.json")
            if os.path.isfile(file):
                return importlib.util.spec_from_loader(fullname, _SealFileLoader(file))
        return None


class _SealFileLoader:
    def __init__(self, file):
        self.file = file

    def create_module(self, spec):
        with open(self.file, encoding="utf-8") as f:
            return _standin(spec.name, _entries(json.load(f)))

    def exec_module(self, module):
        sys.modules["corrections"].__dict__[module.__name__.split(".", 1)[-1]] = module


def _install_standins(seals, target):
    """`corrections.*` modules built from the seals (the same stand-ins the browser imports).

    Only the target exercise is built at once; the others when the learner's code first reads
    them, from the seals given or from the course's seal files, so a run pays for what it uses."""
    package = types.ModuleType("corrections")
    package.__path__ = []
    sys.modules["corrections"] = package
    sys.meta_path.append(_SealFiles)
    found = None
    for seal in seals:
        name = seal["module"]
        entries = _entries(seal)
        module = _standin(name, entries)
        if name == target[0] and target[1] in entries:
            found = getattr(module, target[1])
        sys.modules[name] = module
        setattr(package, name.split(".", 1)[-1], module)
    return found


def obtain(job, real_stdout):
    """Runs the cells; returns what to print after the marker (the last correction's values)."""
    target = _install_standins(job["seals"], (job["module"], job["attribute"]))
    if target is None:
        return {"error": f"no sealed exercise {job['module']}.{job['attribute']}"}
    captured = {}

    def correction(student):
        captured["obtained"] = _obtain_values(target, student)

    target.correction = correction
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
                errors.append({"cell": index + 1, "error": f"{type(error).__name__}: {error}"[:MAX_REPR]})
        if output.tell() > MAX_STDOUT:
            output = io.StringIO(output.getvalue()[:MAX_STDOUT])
            output.seek(0, io.SEEK_END)
    result = {"stdout": output.getvalue()[:MAX_STDOUT], "errors": errors}
    if "obtained" in captured:
        result["obtained"] = captured["obtained"]
    return result


# -- the trusted side -------------------------------------------------------------------------


def judge(job):
    """The verdict of the library's comparison, the learner's results given as obtained values."""
    exo = load_exercise(job["sealed"])
    obtained = job["obtained"]
    if isinstance(exo, ExerciseClass):
        scenarios = iter(obtained["scenarios"])
        exo._run_scenario = lambda _cls, _scenario: [
            (_decode_obtained(step), bool(step["failed"])) for step in next(scenarios)
        ]
    else:
        values = iter(obtained["values"])
        exo._run = lambda _function, _dataset: _decode_obtained(next(values))
    shown = []
    table.set_display_hook(shown.append)
    exo.correction(None)
    return exo.last_result.to_dict()


def main(argv):
    mode = argv[0] if argv else None
    if mode not in ("--obtain", "--judge"):
        print(__doc__, file=sys.stderr)
        return 64
    job = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    if mode == "--judge":
        try:
            print(json.dumps(judge(job), ensure_ascii=False))
        except Exception:
            print(json.dumps({"error": traceback.format_exc()[-2000:]}))
            return 2
        return 0
    result = obtain(job, real_stdout)
    real_stdout.write("\n" + MARKER + json.dumps(result, ensure_ascii=False) + "\n")
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
