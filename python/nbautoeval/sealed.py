"""The browser side of sealed exercises: an exercise rebuilt from its seal, without its solution.

A generated stand-in module `corrections/exo_x.py` is just:

    from nbautoeval.sealed import load_exercise
    exo_x = load_exercise('<the sealed JSON>')
"""

import json

from .encoding import decode
from .exercise import (
    ExerciseFunction,
    ExerciseFunctionNumpy,
    ExerciseGenerator,
    ExerciseRegexp,
    ExerciseRegexpGroups,
    _Hidden,
)
from .exercise_class import ClassExpression, ClassScenario, ExerciseClass
from .renderers import renderer_from_spec
from .sealing import dataset_from_json

_FUNCTIONS = {cls.__name__: cls for cls in (ExerciseFunction, ExerciseFunctionNumpy, ExerciseGenerator)}


def load_exercise(sealed):
    """An exercise object from its sealed form (a dict or its JSON text)."""
    data = json.loads(sealed) if isinstance(sealed, (str, bytes)) else sealed
    kind = data["class"]
    options = dict(data["options"])
    options["result_renderer"] = renderer_from_spec(data["result_renderer"])
    options["column_headers"] = tuple(data["headers"])
    if kind == "ExerciseClass":
        scenarios = [
            ClassScenario(
                dataset_from_json(s["init"]),
                *[ClassExpression(step["code"], statement=step["statement"]) for step in s["steps"]],
            )
            for s in data["scenarios"]
        ]
        exo = ExerciseClass(
            _Hidden(data["class_name"]),
            scenarios,
            obj_name=data["obj_name"],
            check_init=data["check_init"],
            name=data["name"],
            **options,
        )
        exo._sealed_expected = [[decode(value) for value in s["expected"]] for s in data["scenarios"]]
    else:
        datasets = [dataset_from_json(d) for d in data["datasets"]]
        if kind in ("ExerciseRegexp", "ExerciseRegexpGroups"):
            options["match_mode"] = data["match_mode"]
            hidden = _Hidden(data["name"])
            if kind == "ExerciseRegexpGroups":
                exo = ExerciseRegexpGroups(data["name"], hidden, data["groups"], datasets, **options)
            else:
                exo = ExerciseRegexp(data["name"], hidden, datasets, **options)
        else:
            if kind == "ExerciseGenerator":
                options["max_iterations"] = data["max_iterations"]
            exo = _FUNCTIONS[kind](_Hidden(data["function_name"]), datasets, name=data["name"], **options)
        exo._sealed_expected = [decode(value) for value in data["expected"]]
    exo._sealed = data
    return exo
