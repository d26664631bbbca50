"""The learner's side of an exercise, across processes that do not trust each other (ADR 034).

An exercise's `correction(student)` calls the reference and the learner's object on each dataset.
Grading splits it: the untrusted run (`obtain`) only calls the learner's object on the *inputs*
it is given and reports what it obtained; a trusted run puts those obtained values back where the
learner's calls were (`replay`), so the exercise's own correction — the library's, or a course
subclass's — compares them with results the learner's process never saw.

The inputs are recorded from the exercise itself (`record_plan`): what correction() passes to the
learner's object, in order, whatever the exercise class does to choose it.
"""

import contextlib
import io

from nbautoeval import table
from nbautoeval.args import Args
from nbautoeval.encoding import Unsealable, decode, encode
from nbautoeval.exercise_class import ExerciseClass, StepError
from nbautoeval.sealing import INPUTS_FORMAT, dataset_from_json, encode_dataset

MAX_REPR = 300


class Mismatch(Exception):
    """The obtained values do not fit the exercise's calls (too many, too few, another shape)."""


class Student:
    """Stands for the learner's object in a trusted run of correction(): its calls are routed."""

    def __init__(self):
        self.on_call = None

    def __call__(self, *args, **keywords):
        return self.on_call(Args(*args, **keywords))

    def __repr__(self):
        return "<the learner's object>"


def _route(exo, student, on_run, on_scenario, on_call):
    """Sends the learner's side of `exo` (its `_run`, `_run_scenario`, direct calls) to the given
    functions; returns a function that undoes it."""
    student.on_call = on_call
    if isinstance(exo, ExerciseClass):
        original = exo._run_scenario
        exo._run_scenario = lambda cls, scenario: on_scenario(scenario) if cls is student else original(cls, scenario)
        return lambda: vars(exo).pop("_run_scenario", None)
    run, function = exo._run, exo._student_function
    exo._run = lambda f, dataset: on_run(dataset) if f is student else run(f, dataset)
    exo._student_function = lambda s: s if s is student else function(s)

    def undo():
        vars(exo).pop("_run", None)
        vars(exo).pop("_student_function", None)

    return undo


def _options(exo, base):
    options = {"copy_mode": exo.copy_mode}
    if base is ExerciseClass:
        options.update(class_name=exo._class_name(), obj_name=exo.obj_name)
    else:
        options["function_name"] = exo._function_name()
        for key in ("max_iterations", "match_mode", "groups"):
            if hasattr(exo, key):
                options[key] = getattr(exo, key)
    return options


def _scenario_json(exo, scenario, refs):
    init = encode_dataset(scenario.init_args, "a scenario's init", refs)
    return {"init": init, "steps": [{"code": s.code, "statement": bool(s.statement)} for s in scenario.steps]}


def record_plan(exo, base, refs):
    """The inputs correction() gives the learner's object, in order (an inputs form), and the table
    it shows with a right answer; raises Unsealable when an input cannot travel or correction()
    cannot run without arguments of the notebook."""
    student = Student()
    datasets, via, scenarios = [], [], []

    def on_run(dataset):
        datasets.append(encode_dataset(dataset, f"dataset {len(datasets) + 1}", refs))
        via.append("run")
        return exo._run(exo._reference_function(), dataset)

    def on_call(args):
        datasets.append(encode_dataset(args, f"call {len(datasets) + 1}", refs))
        via.append("call")
        return args.call(exo._reference_function())

    def on_scenario(scenario):
        scenarios.append(_scenario_json(exo, scenario, refs))
        return ExerciseClass._run_scenario(exo, exo._solution, scenario)

    undo = _route(exo, student, on_run, on_scenario, on_call)
    shown = []
    table.set_display_hook(shown.append)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exo.correction(student)
    except TypeError as error:
        raise Unsealable(f"correction() cannot run on its own ({error}): it needs arguments only a notebook gives") from None
    finally:
        table.set_display_hook(None)
        undo()
    plan = {"format": INPUTS_FORMAT, "class": base.__name__, "name": exo.name, "options": _options(exo, base)}
    if base is ExerciseClass:
        plan["scenarios"] = scenarios
    else:
        plan["datasets"] = datasets
        if any(v != "run" for v in via):
            plan["via"] = via
    return plan, (shown[-1] if shown else None)


# -- the untrusted side ----------------------------------------------------------------------


class Inert:
    """An exercise of the course in the untrusted run, other than the graded one: example() and
    correction() do nothing (the run shows nothing), and it holds no data."""

    def __init__(self, name):
        self.name = name
        self.datasets = []

    @property
    def solution(self):
        from nbautoeval.exercise import UNAVAILABLE_MESSAGE, SolutionUnavailable

        raise SolutionUnavailable(UNAVAILABLE_MESSAGE)

    def example(self, *args, **kwargs):
        return None

    def correction(self, *args, **kwargs):
        return None


def encode_obtained(value):
    """An obtained value as data: exactly, or only its repr (then equal to nothing)."""
    from nbautoeval.encoding import References

    try:
        return {"value": encode(value, results=True, refs=References())}
    except (Unsealable, RecursionError, ValueError, TypeError, AttributeError):
        try:
            text = repr(value)
        except Exception as error:
            text = f"<repr failed: {type(error).__name__}>"
        return {"unencodable": text[:MAX_REPR]}


def obtain(exo, inputs, student):
    """What the learner's object gives on every input, through the library's learner-side paths."""
    if isinstance(exo, ExerciseClass):
        scenarios = []
        for scenario in exo.scenarios:
            steps = exo._run_scenario(student, scenario)
            entries = [dict(encode_obtained(value), failed=bool(failed)) for value, failed in steps]
            entries += [{"skipped": True}] * (len(scenario.steps) + 1 - len(entries))
            scenarios.append(entries)
        return {"scenarios": scenarios}
    via = inputs.get("via") or ["run"] * len(exo.datasets)
    values = []
    for dataset, how in zip(exo.datasets, via):
        if how == "call":
            try:
                value = dataset.call(student)
            except Exception as error:
                value = error
        else:
            value = exo._run(exo._student_function(student), exo._clone(dataset))
        values.append(encode_obtained(value))
    return {"values": values}


# -- the trusted side ------------------------------------------------------------------------


class _Unencodable:
    """An obtained value that could not be carried exactly: equal to nothing."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return False

    def __ne__(self, other):
        return True

    __hash__ = None

    def __repr__(self):
        return self.text


def _value(item, resolve):
    if not isinstance(item, dict) or not ({"value"} <= item.keys() or {"unencodable"} <= item.keys()):
        raise Mismatch("an obtained value is malformed")
    if "unencodable" in item:
        return _Unencodable(str(item["unencodable"])[:MAX_REPR])
    return decode(item["value"], resolve)


def check_shape(inputs, obtained):
    """Raises Mismatch unless `obtained` has one entry per input (per scenario step)."""
    if not isinstance(obtained, dict):
        raise Mismatch("the obtained values are malformed")
    if inputs["class"] == "ExerciseClass":
        scenarios = obtained.get("scenarios")
        if not isinstance(scenarios, list) or len(scenarios) != len(inputs["scenarios"]):
            raise Mismatch(f"{len(inputs['scenarios'])} scenarios were asked for, the run gave another number")
        for number, (entries, scenario) in enumerate(zip(scenarios, inputs["scenarios"]), 1):
            if not isinstance(entries, list) or len(entries) != len(scenario["steps"]) + 1:
                raise Mismatch(f"scenario {number}: {len(scenario['steps']) + 1} results were asked for")
            skipped = [isinstance(e, dict) and e.get("skipped") is True for e in entries]
            if skipped[0] or (any(skipped) and not entries[0].get("failed")):
                raise Mismatch(f"scenario {number}: steps were skipped after an init that did not fail")
            if any(skipped[i] and not skipped[i + 1] for i in range(len(skipped) - 1)):
                raise Mismatch(f"scenario {number}: a step ran after a skipped one")
        return
    values = obtained.get("values")
    if not isinstance(values, list) or len(values) != len(inputs["datasets"]):
        raise Mismatch(f"{len(inputs['datasets'])} results were asked for, the run gave another number")


def replay(exo, student, inputs, obtained, resolve=None, refs=None):
    """Routes the learner's side of `exo` to the obtained values, in order, so that its
    correction(student) compares them; with `refs`, each call must be the input it was obtained
    on. Returns a function that says whether every value was used (and undoes the routing)."""
    check_shape(inputs, obtained)
    given = []  # the values handed out, in order ([scenario's values] for classes): their errors
    if inputs["class"] == "ExerciseClass":
        pending = list(zip(inputs["scenarios"], obtained["scenarios"]))

        def on_scenario(scenario):
            if not pending:
                raise Mismatch("the exercise runs more scenarios than were obtained")
            expected, entries = pending.pop(0)
            if refs is not None and _scenario_json(exo, scenario, refs) != expected:
                raise Mismatch("a scenario differs from the one the learner's object ran")
            steps = []
            for entry in entries:
                if entry.get("skipped"):
                    break
                steps.append((_step(entry, resolve), bool(entry.get("failed"))))
            given.append([value for value, _failed in steps])
            return steps

        undo = _route(exo, student, None, on_scenario, None)
    else:
        pending = list(zip(inputs["datasets"], inputs.get("via") or ["run"] * len(inputs["datasets"]), obtained["values"]))

        def take(dataset, how):
            if not pending:
                raise Mismatch("the exercise makes more calls than were obtained")
            expected, expected_how, item = pending.pop(0)
            if how != expected_how or (refs is not None and encode_dataset(dataset, "a call", refs) != expected):
                raise Mismatch("a call differs from the one the learner's object answered")
            value = _value(item, resolve)
            given.append(value)
            return value

        undo = _route(exo, student, lambda d: take(d, "run"), None, lambda args: _raise_or(take(args, "call")))

    def finish():
        undo()
        return not pending

    finish.given = given
    return finish


def _raise_or(value):
    """A direct call's obtained exception is raised again, as the learner's call raised it."""
    if isinstance(value, BaseException):
        raise value
    return value


def _step(entry, resolve):
    value = _value(entry, resolve)
    if entry.get("failed") and not isinstance(value, BaseException):
        # A failed step is shown like the library shows one: Exception <class 'T'>: msg.
        return StepError(RuntimeError(str(value)))
    return value


def inputs_exercise(inputs, resolve):
    """An exercise object with the inputs' datasets (or scenarios) and no solution nor expected
    result: the untrusted run calls the learner's object through it."""
    from nbautoeval.sealed import build_exercise

    return build_exercise(inputs, resolve)


# -- verdicts -----------------------------------------------------------------------------------


def error_type(value):
    """The type name of an exception the learner's object raised (as replayed), else None."""
    from nbautoeval.encoding import SealedException

    if isinstance(value, StepError):
        return type(value.error).__name__
    if isinstance(value, SealedException):
        return value.type_name
    if isinstance(value, BaseException):
        return type(value).__name__
    return None


def _errors(given, result, class_kind):
    """The error type of each row of `result`, from the values replayed in order."""
    if not class_kind:
        return [error_type(value) for value in given]
    errors, seen = [], {}
    for row in result.rows:
        scenario = (row.scenario or 1) - 1
        position = seen.get(scenario, 0)
        seen[scenario] = position + 1
        values = given[scenario] if scenario < len(given) else []
        errors.append(error_type(values[position]) if position < len(values) else None)
    return errors


def verdict_of(shown, result, inputs, hidden, with_table=False, given=()):
    """The verdict of a correction table: every row, for the server (`hidden` ones marked), and with
    `with_table` the table as the learner may see it. 0 rows is never a pass."""
    class_kind = inputs["class"] == "ExerciseClass"
    data_rows = [row for row in shown.rows if isinstance(row, table.Row)]
    errors = _errors(list(given), result, class_kind) if given else []
    rows = []
    for index, (row, texts) in enumerate(zip(data_rows, result.rows)):
        where = (texts.scenario or 0) - 1 if class_kind else index
        rows.append(
            {
                "index": where,
                "hidden": where in hidden,
                "call": texts.call,
                "expected": texts.expected,
                "obtained": texts.obtained,
                "ok": bool(texts.ok),
                "reason": texts.reason,
                "scenario": texts.scenario,
                "error": errors[index] if index < len(errors) else None,
            }
        )
    total = len(rows)
    passed = sum(1 for row in rows if row["ok"])
    verdict = {"ok": total > 0 and passed == total, "passed": passed, "total": total, "rows": rows}
    if with_table:
        verdict["table"] = mask_hidden(shown, hidden, class_kind)
    return verdict


def mask_hidden(shown, hidden, class_kind):
    """The table's HTML with each held-back row reduced to "hidden check k" and its verdict."""
    from nbautoeval.content import TextContent

    rows, number, seen, position = [], 0, {}, -1
    for row in shown.rows:
        if isinstance(row, table.Section):
            if class_kind and (row.scenario or 0) - 1 in hidden:
                continue
            rows.append(row)
            continue
        position += 1
        where = (row.scenario or 0) - 1 if class_kind else position
        if where in hidden:
            if where not in seen:
                number += 1
                seen[where] = number
            label = TextContent(hidden_label(seen[where], row.ok, row.reason), is_code=False)
            states = ["ok" if row.ok else "ko"] * len(row.cells)
            cells = [label] + [TextContent("", is_code=False) for _ in row.cells[1:]]
            rows.append(table.Row(cells, states, row.ok, None, row.scenario))
        else:
            rows.append(row)
    masked = table.Table(shown.kind, shown.headers, rows, shown.font_size, shown.header_font_size, shown.verdicts)
    return masked._repr_html_()


def hidden_label(number, ok, reason=None):
    """How a held-back check is named to the learner: its number and whether it passed."""
    if ok:
        return f"vérification cachée {number} : résultat juste"
    return f"vérification cachée {number} : résultat faux"



__all__ = ["Mismatch", "Student", "check_shape", "dataset_from_json", "obtain", "record_plan", "replay", "verdict_of"]
