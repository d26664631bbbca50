"""Sealing (server side): an exercise as JSON with its datasets and expected results, no solution.

`seal_exercise(exo)` runs the reference once per dataset; `sealed.load_exercise()` rebuilds, in
the browser, an exercise that compares a learner's results with those expectations.
"""

from .args import Args, GeneratorArgs
from .encoding import Unsealable, encode
from .exercise import (
    ExerciseFunction,
    ExerciseFunctionNumpy,
    ExerciseGenerator,
    ExerciseRegexp,
    ExerciseRegexpGroups,
)
from .exercise_class import ClassScenario, ExerciseClass
from .renderers import LIBRARY_RENDERERS

FORMAT = "carnet-sealed-exercise/1"
LIBRARY_CLASSES = (
    ExerciseRegexpGroups,
    ExerciseRegexp,
    ExerciseGenerator,
    ExerciseFunctionNumpy,
    ExerciseFunction,
    ExerciseClass,
)
# Attributes a course subclass may define without changing how the exercise behaves.
_HARMLESS = {"__module__", "__doc__", "__qualname__", "__init__", "__dict__", "__weakref__",
             "__firstlineno__", "__static_attributes__", "__annotations__"}


def library_class(exo):
    """The library class an exercise is (or derives from)."""
    for cls in type(exo).__mro__:
        if cls in LIBRARY_CLASSES:
            return cls
    raise Unsealable(f"{type(exo).__name__} is not an exercise of the library")


def _check_behaviour(exo, base):
    own = []
    for cls in type(exo).__mro__:
        if cls is base:
            break
        own += [name for name in vars(cls) if name not in _HARMLESS]
    if own:
        raise Unsealable(
            f"course subclass {type(exo).__name__} defines {', '.join(sorted(set(own)))}: "
            "the browser cannot reproduce it without the module"
        )
    overridden = [name for name, value in vars(exo).items() if callable(value) and hasattr(base, name)]
    if overridden:
        raise Unsealable(f"the exercise replaces {', '.join(overridden)} (custom validation or rendering)")
    renderer = exo.result_renderer
    if LIBRARY_RENDERERS.get(type(renderer).__name__) is not type(renderer):
        raise Unsealable(f"its result renderer {type(renderer).__name__} is not one of the library's")


def _dataset(dataset, where):
    if type(dataset) not in (Args, GeneratorArgs):
        raise Unsealable(f"{where} is a {type(dataset).__name__}, not Args or GeneratorArgs")
    seen = set()
    data = {
        "class": type(dataset).__name__,
        "args": [encode(value, _seen=seen, _path=f"{where} argument {i + 1}") for i, value in enumerate(dataset.args)],
        "keywords": {k: encode(v, _seen=seen, _path=f"{where} argument {k}") for k, v in dataset.keywords.items()},
    }
    if isinstance(dataset, GeneratorArgs):
        data["islice"] = list(dataset.islice) if dataset.islice is not None else None
    return data


def dataset_from_json(data):
    """The Args or GeneratorArgs `_dataset()` encoded."""
    from .encoding import decode

    args = [decode(value) for value in data["args"]]
    keywords = {k: decode(v) for k, v in data["keywords"].items()}
    if data["class"] == "GeneratorArgs":
        islice = data.get("islice")
        return GeneratorArgs(*args, islice=tuple(islice) if islice is not None else None, **keywords)
    return Args(*args, **keywords)


def _result(value, where):
    return encode(value, results=True, _path=f"the expected result of {where}")


def _common(exo, base):
    return {
        "format": FORMAT,
        "class": base.__name__,
        "name": exo.name,
        "headers": list(exo._headers()),
        "options": {
            "copy_mode": exo.copy_mode,
            "nb_examples": exo.nb_examples,
            "font_size": exo.font_size,
            "header_font_size": exo.header_font_size,
        },
        "result_renderer": exo.result_renderer.spec(),
    }


def _seal_function(exo, data):
    datasets, rows, expected = [], [], []
    data["function_name"] = exo._function_name()
    for index, dataset in enumerate(exo.datasets):
        where = f"dataset {index + 1}"
        before = _dataset(dataset, where)
        call = exo._call_content(index, dataset)
        value = exo._reference_value(index, dataset)
        if _dataset(dataset, where) != before:
            raise Unsealable(f"the reference changes the arguments of {where} (copy_mode={exo.copy_mode!r})")
        datasets.append(before)
        expected.append(_result(value, where))
        rows.append({"call": call.to_json(), "expected": exo._expected_content(index, value).to_json()})
    data.update(datasets=datasets, expected=expected, rows=rows)
    if isinstance(exo, ExerciseGenerator):
        data["max_iterations"] = exo.max_iterations
    if isinstance(exo, ExerciseRegexp):
        data["match_mode"] = exo.match_mode
        data["groups"] = exo.groups


def _seal_class(exo, data):
    data["class_name"] = exo._class_name()
    data["obj_name"] = exo.obj_name
    data["check_init"] = exo.check_init
    scenarios = []
    for index, scenario in enumerate(exo.scenarios):
        where = f"scenario {index + 1}"
        if not isinstance(scenario, ClassScenario):
            raise Unsealable(f"{where} is not a ClassScenario")
        init = _dataset(scenario.init_args, f"{where} (init)")
        rows, expected = [], []
        for number, (call, value, content) in enumerate(exo._reference_rows(index, scenario)):
            expected.append(_result(value, f"{where}, row {number + 1}"))
            rows.append({"call": call.to_json(), "expected": content.to_json()})
        steps = [{"code": step.code, "statement": bool(step.statement)} for step in scenario.steps]
        scenarios.append({"init": init, "steps": steps, "rows": rows, "expected": expected})
    data["scenarios"] = scenarios


def seal_exercise(exo):
    """The sealed form of an exercise (a JSON-ready dict); raises Unsealable with the reason."""
    base = library_class(exo)
    _check_behaviour(exo, base)
    data = _common(exo, base)
    try:
        if base is ExerciseClass:
            _seal_class(exo, data)
        else:
            _seal_function(exo, data)
    except RecursionError:
        raise Unsealable("the data is nested too deeply") from None
    return data

