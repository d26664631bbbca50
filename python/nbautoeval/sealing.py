"""Sealing (server side): an exercise as JSON with its datasets and expected results, no solution.

`seal_exercise(exo)` runs the reference once per dataset and gives the *full* sealed form, which
stays on the server (the trusted judge reads it). Two projections leave it:

- `public_form(sealed)`: what the browser's stand-in gets — the datasets the learner may see,
  their expected results and rows, and how many checks the server keeps to itself;
- `inputs_form(sealed)`: what the untrusted grading run gets — every input the learner's object
  must be called with, and never an expected value.
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

FORMAT = "carnet-sealed-exercise/2"
INPUTS_FORMAT = "carnet-inputs/1"
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


def check_behaviour(exo, base=None):
    """Raises Unsealable when the exercise behaves otherwise than its library class (a course
    subclass with methods of its own, a replaced method, a renderer of the course's)."""
    base = base or library_class(exo)
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


def held_back(total, nb_examples, share):
    """Indices of the datasets kept for the server: every third one (the 3rd, 6th, 9th…) that
    example() does not show, as many as `share` says — a fraction of `total` when it has three
    or more (`(1, 3)`), or a count (`2`) — and never all of them."""
    if isinstance(share, tuple):
        numerator, denominator = share
        count = total * numerator // denominator if total >= 3 and denominator else 0
    else:
        count = int(share or 0)
    examples = nb_examples if nb_examples and nb_examples > 0 else 0
    count = max(0, min(count, total - max(examples, 1)))
    picks = [i for i in range(2, total, 3) if i >= examples][:count]
    for i in reversed(range(examples, total)):
        if len(picks) >= count:
            break
        if i not in picks:
            picks.append(i)
    return sorted(picks)


def _dataset(dataset, where, refs=None):
    if type(dataset) not in (Args, GeneratorArgs):
        raise Unsealable(f"{where} is a {type(dataset).__name__}, not Args or GeneratorArgs")
    seen = set()

    def value(item, label):
        return encode(item, refs=refs, _seen=seen, _path=f"{where} argument {label}")

    data = {
        "class": type(dataset).__name__,
        "args": [value(item, i + 1) for i, item in enumerate(dataset.args)],
        "keywords": {k: value(v, k) for k, v in dataset.keywords.items()},
    }
    if isinstance(dataset, GeneratorArgs):
        data["islice"] = list(dataset.islice) if dataset.islice is not None else None
    return data


def encode_dataset(dataset, where="dataset", refs=None):
    """An Args or GeneratorArgs as JSON (Unsealable with the reason when it cannot be)."""
    return _dataset(dataset, where, refs)


def dataset_from_json(data, resolve=None):
    """The Args or GeneratorArgs `encode_dataset()` encoded."""
    from .encoding import decode

    args = [decode(value, resolve) for value in data["args"]]
    keywords = {k: decode(v, resolve) for k, v in data["keywords"].items()}
    if data["class"] == "GeneratorArgs":
        islice = data.get("islice")
        return GeneratorArgs(*args, islice=tuple(islice) if islice is not None else None, **keywords)
    return Args(*args, **keywords)


def _result(value, where, refs):
    return encode(value, results=True, refs=refs, _path=f"the expected result of {where}")


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


def _seal_function(exo, data, datasets, refs):
    encoded, rows, expected = [], [], []
    data["function_name"] = exo._function_name()
    for index, dataset in enumerate(datasets):
        where = f"dataset {index + 1}"
        before = _dataset(dataset, where, refs)
        call = exo._call_content(index, dataset)
        value = exo._reference_value(index, dataset)
        if _dataset(dataset, where, refs) != before:
            raise Unsealable(f"the reference changes the arguments of {where} (copy_mode={exo.copy_mode!r})")
        encoded.append(before)
        expected.append(_result(value, where, refs))
        rows.append({"call": call.to_json(), "expected": exo._expected_content(index, value).to_json()})
    data.update(datasets=encoded, expected=expected, rows=rows)
    if isinstance(exo, ExerciseGenerator):
        data["max_iterations"] = exo.max_iterations
    if isinstance(exo, ExerciseRegexp):
        data["match_mode"] = exo.match_mode
        data["groups"] = exo.groups


def _seal_class(exo, data, scenarios, refs):
    data["class_name"] = exo._class_name()
    data["obj_name"] = exo.obj_name
    data["check_init"] = exo.check_init
    sealed = []
    for index, scenario in enumerate(scenarios):
        where = f"scenario {index + 1}"
        if not isinstance(scenario, ClassScenario):
            raise Unsealable(f"{where} is not a ClassScenario")
        init = _dataset(scenario.init_args, f"{where} (init)", refs)
        rows, expected = [], []
        for number, (call, value, content) in enumerate(exo._reference_rows(index, scenario)):
            expected.append(_result(value, f"{where}, row {number + 1}", refs))
            rows.append({"call": call.to_json(), "expected": content.to_json()})
        steps = [{"code": step.code, "statement": bool(step.statement)} for step in scenario.steps]
        sealed.append({"init": init, "steps": steps, "rows": rows, "expected": expected})
    data["scenarios"] = sealed


def seal_exercise(exo, *, extra=(), share=0, refs=None):
    """The full sealed form of an exercise (a JSON-ready dict, for the server only): every dataset
    — the module's, then `extra` ones the author keeps for the server — with its expected result,
    and `hidden`, the indices the browser never sees (`extra` ones, and those `share` holds back,
    see held_back). Raises Unsealable with the reason."""
    base = library_class(exo)
    check_behaviour(exo, base)
    return seal_standard(exo, base, extra=extra, share=share, refs=refs)


def seal_standard(exo, base, *, extra=(), share=0, refs=None):
    """seal_exercise() without the behaviour check: the judge of the module itself may use it."""
    data = _common(exo, base)
    own = list(exo.scenarios if base is ExerciseClass else exo.datasets)
    every = own + list(extra)
    hidden = held_back(len(own), exo.nb_examples, share) + list(range(len(own), len(every)))
    try:
        if base is ExerciseClass:
            _seal_class(exo, data, every, refs)
        else:
            _seal_function(exo, data, every, refs)
    except RecursionError:
        raise Unsealable("the data is nested too deeply") from None
    data["hidden"] = hidden
    data["extra"] = len(extra)
    return data


def _visible(items, hidden):
    return [item for index, item in enumerate(items) if index not in hidden]


def public_form(sealed, *, fresh=False):
    """What the browser gets: the sealed form without the held-back and server-only datasets
    (their inputs, expected results and rows), with how many checks only the server makes.
    `fresh`: the server checks a new draw of the datasets each time (all of its checks are unseen)."""
    hidden = set(sealed.get("hidden", ()))
    public = {key: value for key, value in sealed.items() if key not in ("hidden", "extra")}
    if sealed["class"] == "ExerciseClass":
        public["scenarios"] = _visible(sealed["scenarios"], hidden)
        total = len(sealed["scenarios"])
    else:
        for key in ("datasets", "expected", "rows"):
            public[key] = _visible(sealed[key], hidden)
        total = len(sealed["datasets"])
    public["server_checks"] = {"hidden": total if fresh else len(hidden), "fresh": bool(fresh)}
    return public


def inputs_form(sealed):
    """What the untrusted run gets: the library class, the options its learner side uses, and
    every dataset (or scenario: init arguments and steps) — no expected value, no row."""
    options = {"copy_mode": sealed["options"]["copy_mode"]}
    for key in ("function_name", "max_iterations", "match_mode", "groups", "class_name", "obj_name"):
        if key in sealed:
            options[key] = sealed[key]
    inputs = {"format": INPUTS_FORMAT, "class": sealed["class"], "name": sealed["name"], "options": options}
    if sealed["class"] == "ExerciseClass":
        inputs["scenarios"] = [{"init": s["init"], "steps": s["steps"]} for s in sealed["scenarios"]]
    else:
        inputs["datasets"] = list(sealed["datasets"])
    return inputs
