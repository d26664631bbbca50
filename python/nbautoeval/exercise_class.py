"""ExerciseClass: a class to write, checked through scenarios of expressions and statements."""

import builtins

from .content import TextContent, content_from_json
from .exercise import Exercise
from .table import Row, Section, Table


class ClassExpression:
    """A step of a scenario: an expression (or, with statement=True, a statement)."""

    def __init__(self, code, statement=False):
        self.code, self.statement = code, statement

    def __repr__(self):
        return f"{type(self).__name__}({self.code!r})"


class ClassStatement(ClassExpression):
    """A step that is executed; the instance's repr afterwards is compared."""

    def __init__(self, code):
        super().__init__(code, statement=True)


class ClassScenario:
    """An instance built from `init_args` (an Args), then steps run on it in sequence."""

    def __init__(self, init_args, *steps):
        self.init_args = init_args
        self.steps = [step if isinstance(step, ClassExpression) else ClassExpression(step) for step in steps]


class StepError(Exception):
    """What a step that raised gives: shown as `Exception <class 'T'>: msg`."""

    def __init__(self, error):
        super().__init__(f"Exception {type(error)}: {error}")
        self.error = error

    def __repr__(self):
        return self.args[0]


class SealedInstance:
    """An instance of the exercise's class as it was at one step: only its repr is kept."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


class ExerciseClass(Exercise):
    """Scenarios run on the reference class and on the learner's, step by step."""

    def __init__(
        self,
        solution,
        scenarios,
        *,
        obj_name="X",
        check_init=True,
        column_headers=("scénario {n}", "appel", "attendu", "obtenu"),
        **options,
    ):
        super().__init__(solution, scenarios, column_headers=column_headers, **options)
        self.scenarios = scenarios
        self.obj_name = obj_name
        self.check_init = check_init

    @property
    def datasets(self):
        return self.scenarios

    @datasets.setter
    def datasets(self, value):
        self.scenarios = value

    def _class_name(self):
        return getattr(self._solution, "__name__", self.name)

    def _code(self, step):
        return step.code.replace("INSTANCE", self.obj_name).replace("CLASS", self._class_name())

    def _init_text(self, scenario):
        tokens = ", ".join(scenario.init_args.tokens())
        return f"{self.obj_name} = {self._class_name()}({tokens}); repr({self.obj_name})"

    def _instance_of(self, value, cls):
        return isinstance(value, SealedInstance) or (isinstance(cls, type) and isinstance(value, cls))

    def _repr(self, value):
        try:
            return repr(value)
        except Exception as error:
            return f"<repr failed: {type(error).__name__}: {error}>"

    def validate(self, expected, obtained, reference_class=None, student_class=None):
        """Instances are compared by repr, other values by ==, an instance and a value differ."""
        expected_instance = self._instance_of(expected, reference_class)
        obtained_instance = self._instance_of(obtained, student_class)
        if expected_instance and obtained_instance:
            return self._repr(expected) == self._repr(obtained)
        if expected_instance or obtained_instance:
            return False
        return expected == obtained

    def _compare_with(self, expected, obtained, reference_class, student_class):
        try:
            return bool(self.validate(expected, obtained, reference_class, student_class)), None
        except Exception as error:
            return False, f"{type(error).__name__}: {error}"

    def _run_scenario(self, cls, scenario):
        """[(value, failed)] for the init row then each step; stops after a failed init."""
        try:
            instance = self._clone(scenario.init_args).init_obj(cls)
        except Exception as error:
            return [(StepError(error), True)]
        values = [(self._snapshot(instance, cls), False)]
        namespace = {"__builtins__": builtins, self.obj_name: instance, self._class_name(): cls}
        for step in scenario.steps:
            code = self._code(step)
            try:
                if step.statement:
                    exec(code, namespace)
                    value = namespace[self.obj_name]
                else:
                    value = eval(code, namespace)
                values.append((self._snapshot(value, cls), False))
            except Exception as error:
                values.append((StepError(error), True))
        return values

    def _snapshot(self, value, cls):
        """An instance as it is now (its repr): later steps change it."""
        if isinstance(cls, type) and isinstance(value, cls):
            return SealedInstance(self._repr(value))
        return value

    def _reference_rows(self, index, scenario):
        """[(call content, expected value, expected content)] for a scenario, stopping like it does."""
        if self._sealed:
            rows = self._sealed["scenarios"][index]["rows"]
            return [
                (content_from_json(row["call"]), self._sealed_expected[index][i], content_from_json(row["expected"]))
                for i, row in enumerate(rows)
            ]
        values = self._run_scenario(self._solution, scenario)
        calls = [self._init_text(scenario)] + [self._code(step) for step in scenario.steps]
        rows = []
        for i, (value, failed) in enumerate(values):
            shown = value
            if i == 0 and not failed and not self.check_init:
                shown = "--unchecked--"
            rows.append((TextContent(calls[i], is_code=True), value, self._render(shown)))
        return rows

    def _scenario_title(self, number):
        return str(self._headers()[0]).replace("{n}", str(number))

    def example(self, how_many=None):
        """Shows the first nb_examples scenarios (0: all) with the reference's results."""
        scenarios = list(self.scenarios)
        rows = []
        for index, scenario in enumerate(scenarios[: self._example_count(how_many, len(scenarios))]):
            rows.append(Section(self._scenario_title(index + 1), index + 1))
            for call, _value, expected in self._reference_rows(index, scenario):
                rows.append(Row([call, expected], ["example", "example"], scenario=index + 1))
        headers = self._headers()[1:3]
        self._show(Table("example", headers, rows, self.font_size, self.header_font_size, verdicts=False))

    def correction(self, student_class):
        """Runs every scenario on both classes and shows the table, recording the verdicts."""
        reference_class = None if self._sealed else self._solution
        rows = []
        for index, scenario in enumerate(self.scenarios):
            number = index + 1
            rows.append(Section(self._scenario_title(number), number))
            reference = self._reference_rows(index, scenario)
            student = self._run_scenario(student_class, scenario)
            for i, (call, expected, expected_content) in enumerate(reference):
                if i >= len(student):
                    break
                obtained, failed = student[i]
                reference_failed = isinstance(expected, (StepError, BaseException))
                if i == 0 and (failed or reference_failed):
                    ok, reason = False, None
                    obtained_content = self._render(obtained)
                elif i == 0 and not self.check_init:
                    ok, reason = True, None
                    obtained_content = self._render("--unchecked--")
                else:
                    ok, reason = self._compare_with(expected, obtained, reference_class, student_class)
                    obtained_content = self._render(obtained)
                if reason:
                    obtained_content.note = reason
                state = "ok" if ok else "ko"
                rows.append(Row([call, expected_content, obtained_content], [state, "ok", state], ok, reason, number))
                if i == 0 and not ok and (failed or reference_failed):
                    break
        table = Table(
            "correction", self._headers()[1:4], rows, self.font_size, self.header_font_size, note=self._server_note()
        )
        self._record(table)
        self._show(table)
