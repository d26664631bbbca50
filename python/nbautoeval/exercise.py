"""Exercises on functions: ExerciseFunction and its variants (numpy, generators, regexps)."""

import collections.abc
import itertools
import re

from .args import Args
from .content import TextContent, content_from_json
from .renderers import Call, CallRenderer, Renderer
from .table import MESSAGES, Row, Table, record, show


class SolutionUnavailable(AttributeError):
    """Reading the solution of a sealed exercise (in the browser, before it is revealed)."""


UNAVAILABLE_MESSAGE = (
    "La solution de cet exercice n'est pas disponible ici : elle est publiée quand l'exercice est "
    "réussi ou que sa semaine est terminée. (The solution is not available until it is revealed.)"
)


class _Hidden:
    """Stands for the solution in a sealed exercise."""

    def __init__(self, name):
        self.__name__ = name

    def __repr__(self):
        return f"<solution of {self.__name__}: not available>"


class Exercise:
    """What every exercise shares: options, the solution, example() and correction() tables."""

    default_headers = ("appel", "attendu", "obtenu")
    hidden_function_headers = ("arguments", "attendu", "obtenu")

    def __init__(
        self,
        solution,
        datasets,
        *,
        copy_mode="deep",
        nb_examples=1,
        call_renderer=None,
        result_renderer=None,
        column_headers=None,
        font_size="small",
        header_font_size="medium",
        name=None,
        **extra,
    ):
        self.solution = solution
        # A placeholder (a course subclass sets the real list later) is kept as is, unchecked.
        self.datasets = datasets
        self.copy_mode = copy_mode
        self.nb_examples = nb_examples
        self.call_renderer = call_renderer if call_renderer is not None else CallRenderer()
        self.result_renderer = result_renderer if result_renderer is not None else Renderer()
        self.column_headers = column_headers
        self.font_size = font_size
        self.header_font_size = header_font_size
        self.name = name or getattr(solution, "__name__", None) or type(self).__name__
        self.last_result = None
        self._sealed = None
        for key, value in extra.items():
            setattr(self, key, value)

    # The raw reference; a sealed exercise does not have it.
    @property
    def solution(self):
        if isinstance(self._solution, _Hidden):
            raise SolutionUnavailable(UNAVAILABLE_MESSAGE)
        return self._solution

    @solution.setter
    def solution(self, value):
        self._solution = value

    def reveal(self, solution):
        """Gives a sealed exercise its solution once the platform may show it."""
        self._solution = solution

    # -- pieces the tables are made of (a sealed exercise reads them from its seal) ----------

    def validate(self, expected, obtained):
        """Whether a learner's result is right: plain ==."""
        return expected == obtained

    def _compare(self, expected, obtained):
        """(ok, reason): a comparison that raises is a KO row with the reason, not a crash."""
        try:
            return bool(self.validate(expected, obtained)), None
        except Exception as error:
            return False, MESSAGES["comparison_failed"].format(reason=f"{type(error).__name__}: {error}")

    def _clone(self, dataset):
        clone = getattr(dataset, "clone", None)
        if clone is None:
            return dataset
        try:
            return clone(self.copy_mode)
        except Exception as error:
            raise TypeError(
                f"{self.name}: cannot copy the arguments {dataset!r} ({error}); "
                "use copy_mode='none' for arguments that cannot be deep-copied"
            ) from error

    def _headers(self):
        if self.column_headers:
            return tuple(self.column_headers)
        if getattr(self.call_renderer, "show_function", True) is False:
            return self.hidden_function_headers
        return self.default_headers

    def _render(self, value):
        try:
            return self.result_renderer.render(value)
        except Exception as error:
            return TextContent(f"<cannot render: {type(error).__name__}: {error}>")

    def _example_count(self, how_many, total):
        count = self.nb_examples if how_many is None else how_many
        return total if not count else min(count, total)

    def _show(self, table):
        show(table)

    def _server_note(self):
        """What the table says of the checks the server makes on data the browser does not have."""
        count = getattr(self, "_server_checks", 0)
        if not count:
            return None
        key = "server_fresh" if getattr(self, "_server_fresh", False) else "server_checks"
        return MESSAGES[key].format(count=count)

    def _record(self, table):
        kind = self._sealed["class"] if self._sealed else type(self).__name__
        self.last_result = table.result(self.name, kind, sealed=bool(self._sealed))
        # Rows the browser could not check: the server's verdict counts them too.
        self.last_result.server_checks = getattr(self, "_server_checks", 0)
        record(self.last_result)


class ExerciseFunction(Exercise):
    """A function to write, checked on datasets (Args) against a reference solution."""

    def _function_name(self):
        return getattr(self._solution, "__name__", self.name)

    def _reference_function(self):
        return self._solution

    def _student_function(self, student):
        return student

    def _apply(self, function, dataset):
        return dataset.call(function)

    def _run(self, function, dataset):
        try:
            return self._apply(function, dataset)
        except Exception as error:  # KeyboardInterrupt and SystemExit propagate
            return error

    def _call_content(self, index, dataset):
        if self._sealed:
            return content_from_json(self._sealed["rows"][index]["call"])
        return self.call_renderer.render(Call(self._function_name(), dataset))

    def _reference_value(self, index, dataset):
        if self._sealed:
            return self._sealed_expected[index]
        return self._run(self._reference_function(), self._clone(dataset))

    def _expected_content(self, index, value):
        if self._sealed:
            return content_from_json(self._sealed["rows"][index]["expected"])
        return self._render(value)

    def example(self, how_many=None):
        """Shows the first nb_examples datasets (0: all) with the reference's results."""
        datasets = list(self.datasets)
        rows = []
        for index, dataset in enumerate(datasets[: self._example_count(how_many, len(datasets))]):
            call = self._call_content(index, dataset)
            expected = self._expected_content(index, self._reference_value(index, dataset))
            rows.append(Row([call, expected], ["example", "example"]))
        self._show(Table("example", self._headers()[:2], rows, self.font_size, self.header_font_size, verdicts=False))

    def correction(self, student):
        """Shows each dataset's expected and obtained results, records the verdicts."""
        rows = []
        for index, dataset in enumerate(self.datasets):
            call = self._call_content(index, dataset)
            expected = self._reference_value(index, dataset)
            obtained = self._run(self._student_function(student), self._clone(dataset))
            ok, reason = self._compare(expected, obtained)
            state = "ok" if ok else "ko"
            obtained_content = self._render(obtained)
            if reason:
                obtained_content.note = reason
            cells = [call, self._expected_content(index, expected), obtained_content]
            rows.append(Row(cells, [state, "ok", state], ok, reason))
        table = Table(
            "correction", self._headers()[:3], rows, self.font_size, self.header_font_size, note=self._server_note()
        )
        self._record(table)
        self._show(table)


class ExerciseFunctionNumpy(ExerciseFunction):
    """Results compared with numpy's isclose (broadcasting, any container), else ==."""

    def validate(self, expected, obtained):
        import numpy  # only this class needs numpy

        try:
            return bool(numpy.all(numpy.isclose(expected, obtained)))
        except Exception:
            try:
                return bool(numpy.all(expected == obtained))
            except Exception:
                return False


class ExerciseGenerator(ExerciseFunction):
    """A generator function to write; its items (at most max_iterations) are compared."""

    def __init__(self, generator_function, datasets, max_iterations=None, **options):
        super().__init__(generator_function, datasets, **options)
        self.max_iterations = max_iterations

    @property
    def generator_function(self):
        return self.solution

    def _apply(self, function, dataset):
        result = function(*dataset.args, **dataset.keywords)
        if not isinstance(result, (collections.abc.Iterator, range)):
            raise TypeError(f"not an iterator! {result!r}"[:200])
        if self.max_iterations is None:
            items = list(result)
        else:
            items = list(itertools.islice(result, self.max_iterations + 1))
            if len(items) == self.max_iterations + 1:
                items[-1] = "..."
        islice = getattr(dataset, "islice", None)
        if islice is not None:
            items = list(itertools.islice(items, *islice))
        return items


def _regexp_function(pattern, mode, groups, name):
    """The one-argument function a regexp exercise calls on each input string."""

    def function(string):
        if groups is not None:
            finder = re.search if mode == "search" else re.match
            match = finder(pattern, string)
            if match is None:
                return None
            values = []
            for group in groups:
                try:
                    values.append((group, match.group(group)))
                except IndexError:
                    values.append((group, "Undefined"))
            return values
        if mode in ("match", "search"):
            match = (re.search if mode == "search" else re.match)(pattern, string)
            return match is not None and match.start() == 0 and match.end() == len(string)
        if mode == "findall":
            return re.findall(pattern, string)
        if mode == "finditer":
            return [match.span() for match in re.finditer(pattern, string)]
        raise ValueError(f"unknown match_mode {mode!r}")

    function.__name__ = name
    return function


class ExerciseRegexp(ExerciseFunction):
    """A regular expression to write; each input string is matched with it."""

    default_headers = ("chaîne", "match ?", "obtenu")
    hidden_function_headers = default_headers
    groups = None

    def __init__(self, name, regexp, inputs, *, match_mode="match", **options):
        options.setdefault("call_renderer", CallRenderer(show_function=False))
        super().__init__(regexp, inputs, name=name, **options)
        self.match_mode = match_mode

    @property
    def regexp(self):
        return self.solution

    def _function_name(self):
        return self.name

    def _reference_function(self):
        return _regexp_function(self._solution, self.match_mode, self.groups, self.name)

    def _student_function(self, student):
        return _regexp_function(student, self.match_mode, self.groups, self.name)


class ExerciseRegexpGroups(ExerciseRegexp):
    """A regular expression with named groups; the groups' values are compared."""

    default_headers = ("chaîne", "groupes", "obtenu")
    hidden_function_headers = default_headers

    def __init__(self, name, regexp, groups, inputs, **options):
        super().__init__(name, regexp, inputs, **options)
        self.groups = list(groups)


__all__ = [
    "Args",
    "Exercise",
    "ExerciseFunction",
    "ExerciseFunctionNumpy",
    "ExerciseGenerator",
    "ExerciseRegexp",
    "ExerciseRegexpGroups",
    "SolutionUnavailable",
]
