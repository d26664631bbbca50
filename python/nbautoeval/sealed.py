"""The browser side of sealed exercises: exercises rebuilt from what the server lets out.

A generated stand-in module `corrections/exo_x.py` holds the helpers the course hands to
learners (their source) and one line per exercise, by how the learner practises it:

    exo_x = load_exercise('<public form>')        # in the browser: the visible datasets and results
    exo_y = load_server_exercise('<description>') # correction() asks the server, which runs the module
    exo_z = load_unavailable_exercise('<why>')    # cannot be checked on this platform
"""

import builtins
import html
import json

from .encoding import decode, lookup
from .exercise import (
    UNAVAILABLE_MESSAGE,
    ExerciseFunction,
    ExerciseFunctionNumpy,
    ExerciseGenerator,
    ExerciseRegexp,
    ExerciseRegexpGroups,
    SolutionUnavailable,
    _Hidden,
)
from .exercise_class import ClassExpression, ClassScenario, ExerciseClass
from .renderers import renderer_from_spec
from .sealing import dataset_from_json
from .table import MESSAGES, ExerciseResult, RowResult, record, show

_FUNCTIONS = {cls.__name__: cls for cls in (ExerciseFunction, ExerciseFunctionNumpy, ExerciseGenerator)}


def _data(sealed):
    return json.loads(sealed) if isinstance(sealed, (str, bytes)) else sealed


def build_exercise(data, resolve=lookup):
    """An exercise of the library class `data` names, its solution hidden, from a sealed form (or
    the inputs form: datasets without rows); `resolve` finds what `$ref`s name."""
    kind = data["class"]
    options = dict(data.get("options", {}))
    nested = options.pop("function_name", None), options.pop("class_name", None)
    for key in ("max_iterations", "match_mode", "groups", "obj_name"):
        if key in data:
            options[key] = data[key]
    if "result_renderer" in data:
        options["result_renderer"] = renderer_from_spec(data["result_renderer"])
    if "headers" in data:
        options["column_headers"] = tuple(data["headers"])
    name = data["name"]
    if kind == "ExerciseClass":
        check_init = data.get("check_init", True)
        scenarios = [
            ClassScenario(
                dataset_from_json(s["init"], resolve),
                *[ClassExpression(step["code"], statement=step["statement"]) for step in s["steps"]],
            )
            for s in data["scenarios"]
        ]
        class_name = data.get("class_name") or nested[1] or name
        return ExerciseClass(_Hidden(class_name), scenarios, check_init=check_init, name=name, **options)
    datasets = [dataset_from_json(d, resolve) for d in data["datasets"]]
    if kind in ("ExerciseRegexp", "ExerciseRegexpGroups"):
        groups = options.pop("groups", None)
        hidden = _Hidden(name)
        if kind == "ExerciseRegexpGroups":
            return ExerciseRegexpGroups(name, hidden, groups or [], datasets, **options)
        return ExerciseRegexp(name, hidden, datasets, **options)
    function_name = data.get("function_name") or nested[0] or name
    return _FUNCTIONS[kind](_Hidden(function_name), datasets, name=name, **options)


def load_exercise(sealed):
    """An exercise the browser checks itself, from its public form (a dict or its JSON text): the
    learner's results are compared with the expected ones the server computed."""
    data = _data(sealed)
    exo = build_exercise(data)
    if data["class"] == "ExerciseClass":
        exo._sealed_expected = [[decode(value, lookup) for value in s["expected"]] for s in data["scenarios"]]
    else:
        exo._sealed_expected = [decode(value, lookup) for value in data["expected"]]
    exo._sealed = data
    checks = data.get("server_checks") or {}
    exo._server_checks = checks.get("hidden", 0)
    exo._server_fresh = bool(checks.get("fresh"))
    return exo


class _Shown:
    """HTML given as it is (made by the server), displayed as a table would be."""

    def __init__(self, markup, text=""):
        self.markup, self.text = markup, text

    def _repr_html_(self):
        return self.markup

    def __str__(self):
        return self.text or self.markup

    __repr__ = __str__


def _note(text):
    escaped = html.escape(text)
    return _Shown(f'<div class="nbae nbae-note"><p class="nbae-summary" role="status">{escaped}</p></div>', text)


# Set by the platform (the browser kernel): asks the server to check an exercise. Called with
# (module, attribute); returns {"html", "result": {ok, passed, total, rows}, "submission"} or
# {"message"} when it cannot (not logged in, offline…).
_server = {"check": None}


def set_server_check(function):
    """Installs how server-checked exercises reach the server (None: they say they cannot)."""
    _server["check"] = function


class _PlatformExercise:
    """What server-checked and unavailable exercises share: a name, an example shown as the
    server rendered it, and no solution."""

    def __init__(self, data):
        self._sealed = data
        self.name = data["name"]
        self.module, self.attribute = data.get("module"), data.get("attribute")
        self.last_result = None

    @property
    def solution(self):
        raise SolutionUnavailable(UNAVAILABLE_MESSAGE)

    def reveal(self, solution):
        self._revealed = solution

    def example(self, how_many=None):
        """Shows the example the server rendered at import."""
        markup = self._sealed.get("example_html")
        show(_Shown(markup) if markup else _note(MESSAGES["no_example"]))


class ServerExercise(_PlatformExercise):
    """An exercise whose module cannot be reproduced in the browser: correction() sends the
    learner's cells to the server, which runs them in its sandbox and answers with the table."""

    def correction(self, student=None, *args, **kwargs):
        """Shows the server's table for the cells run so far (the learner's object is re-run there)."""
        check = _server["check"] or getattr(getattr(builtins, "__carnet__", None), "server_check", None)
        if check is None:
            show(_note(MESSAGES["needs_server"]))
            return
        answer = check(self.module, self.attribute)
        if not isinstance(answer, dict) or "html" not in answer:
            message = answer.get("message") if isinstance(answer, dict) else None
            show(_note(message or MESSAGES["needs_server"]))
            return
        verdict = answer.get("result") or {}
        rows = [
            RowResult(row.get("call") or "", "", "", bool(row.get("ok")), row.get("error"), row.get("scenario"))
            for row in verdict.get("rows", [])
        ]
        self.last_result = ExerciseResult(self.name, self._sealed.get("class", "Exercise"), rows, sealed=True)
        self.last_result.submission = answer.get("submission")
        record(self.last_result)
        show(_Shown(str(answer["html"])))


class UnavailableExercise(_PlatformExercise):
    """An exercise the platform cannot check (its data cannot leave the server): says so."""

    def correction(self, student=None, *args, **kwargs):
        """Says why this exercise cannot be checked here."""
        show(_note(MESSAGES["unavailable"].format(reason=self._sealed.get("reason") or "")))


def load_server_exercise(description):
    """A server-checked exercise from its description (name, class, example, module, attribute)."""
    return ServerExercise(_data(description))


def load_unavailable_exercise(description):
    """An exercise that cannot be checked, from its description (name, example, reason)."""
    return UnavailableExercise(_data(description))
