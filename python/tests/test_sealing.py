"""Sealing: the stand-in behaves like the real module, without its solution."""

import collections
import decimal
import fractions
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest
from collections import Counter

from tests.helpers import DEMO_MODULES, SEAL, show

from carnet_seal import seal as sealer
from nbautoeval import (
    Args,
    CallRenderer,
    ExerciseFunction,
    GeneratorArgs,
    PPrintRenderer,
    Renderer,
    SolutionUnavailable,
    TextContent,
)
from nbautoeval.encoding import SealedException, Unsealable, decode, encode
from nbautoeval.sealed import load_exercise
from nbautoeval.sealing import seal_exercise

DEMO = ["exo_duree", "exo_compte_mots", "exo_syracuse", "exo_regexp_date", "exo_tirelire"]


def standin_module(sealed):
    namespace = {}
    exec(compile(sealer.standin_source(sealed), "<stand-in>", "exec"), namespace)
    return namespace


class Tirelire:
    def __init__(self, p):
        self.p, self.total, self.n = p, 0, 0

    def __repr__(self):
        return f"Tirelire({self.p!r}, {self.total} €)"

    def __len__(self):
        return self.n

    def deposer(self, m):
        self.total += m
        self.n += 1

    def solde(self):
        return self.total

    def casser(self):
        raise RuntimeError("marteau introuvable")


# Learners' attempts, right and wrong, per module.
ATTEMPTS = {
    "exo_duree": [
        lambda s: "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60),
        lambda s: 1 / (s - 59),
        lambda s: None,
    ],
    "exo_compte_mots": [
        lambda t: Counter(w.strip(".,;:!?«»") for w in t.lower().split() if w.strip(".,;:!?«»")),
        lambda t: t.split(),
    ],
    "exo_syracuse": [lambda n: [n, 1], lambda n: iter([n]), lambda n: (n for n in range(n))],
    "exo_regexp_date": [r"(?P<jour>\d\d)/(?P<mois>\d\d)/(?P<annee>\d{4})$", r"(?P<jour>", r"\d+", ""],
    "exo_tirelire": [Tirelire, int],
}


class DemoCourseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sealed = {name: sealer.seal_module(DEMO_MODULES, name) for name in DEMO}

    def real(self, name):
        return importlib.import_module("corrections." + name)

    def test_every_demo_exercise_is_sealable(self):
        for name, sealed in self.sealed.items():
            self.assertEqual(sealed["format"], "carnet-seal/1")
            self.assertEqual(sealed["module"], "corrections." + name)
            (entry,) = sealed["exercises"]
            self.assertTrue(entry["sealable"], entry["reason"])
            self.assertEqual(entry["attribute"], name)

    def test_stand_in_tables_equal_the_real_ones(self):
        checked = 0
        for name, sealed in self.sealed.items():
            module = self.real(name)
            exo = getattr(module, name)
            standin = standin_module(sealed)[name]
            with self.subTest(name):
                example = show(exo, "example")._repr_html_()
                self.assertEqual(show(standin, "example")._repr_html_(), example)
                self.assertEqual(sealed["exercises"][0]["example_html"], example)
                kos = [v for k, v in vars(module).items() if re.fullmatch(re.escape(exo.name) + r"_ko\w*", k)]
                self.assertTrue(kos)
                for attempt in [exo.solution] + kos + ATTEMPTS[name]:
                    real = show(exo, "correction", attempt)
                    fake = show(standin, "correction", attempt)
                    self.assertEqual(fake._repr_html_(), real._repr_html_())
                    self.assertEqual(standin.last_result.to_dict()["rows"], exo.last_result.to_dict()["rows"])
                    self.assertTrue(standin.last_result.sealed)
                    checked += 1
                self.assertTrue(show(standin, "correction", exo.solution) and standin.last_result.ok)
                show(standin, "correction", kos[0])
                self.assertFalse(standin.last_result.ok)
        self.assertGreaterEqual(checked, 20)

    def test_no_solution_in_the_seal(self):
        for name, sealed in self.sealed.items():
            text = json.dumps(sealed, ensure_ascii=False)
            with open(os.path.join(DEMO_MODULES, "corrections", name + ".py"), encoding="utf-8") as handle:
                source = handle.read()
            blocks = re.findall(r"# @BEG@[^\n]*\n(.*?)# @END@", source, re.S)
            self.assertTrue(blocks)
            for block in blocks:
                for line in block.splitlines():
                    line = line.strip()
                    if len(line) > 12:
                        with self.subTest(name, line=line):
                            self.assertNotIn(line, text)
                            self.assertNotIn(json.dumps(line)[1:-1], text)
            self.assertNotIn("def ", text)
        self.assertNotIn(self.real("exo_regexp_date").regexp_date, json.dumps(self.sealed["exo_regexp_date"]))

    def test_solution_is_not_available_until_revealed(self):
        standin = standin_module(self.sealed["exo_duree"])["exo_duree"]
        with self.assertRaises(SolutionUnavailable) as caught:
            standin.solution
        self.assertIn("solution", str(caught.exception))
        self.assertFalse(hasattr(standin, "solution"))
        regexp = standin_module(self.sealed["exo_regexp_date"])["exo_regexp_date"]
        with self.assertRaises(SolutionUnavailable):
            regexp.regexp
        standin.reveal(len)
        self.assertIs(standin.solution, len)


def exercise_module(source):
    """A module `corrections.<name>` written in a fresh modules folder; returns (folder, name)."""
    folder = tempfile.mkdtemp(prefix="nbae-")
    os.makedirs(os.path.join(folder, "corrections"))
    open(os.path.join(folder, "corrections", "__init__.py"), "w").close()
    name = "exo_t%d" % abs(hash(source))
    with open(os.path.join(folder, "corrections", name + ".py"), "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(source))
    return folder, name


def run_seal(*args, cwd=None):
    return subprocess.run([sys.executable, "-I", "-S", SEAL, *args], capture_output=True, text=True, cwd=cwd)


class UnsealableTest(unittest.TestCase):
    def reason(self, exo):
        with self.assertRaises(Unsealable) as caught:
            seal_exercise(exo)
        return str(caught.exception)

    def test_custom_validation(self):
        class Loose(ExerciseFunction):
            def validate(self, expected, obtained):
                return True

        self.assertIn("validate", self.reason(Loose(abs, [Args(1)])))
        exo = ExerciseFunction(abs, [Args(1)])
        exo.validate = lambda e, o: True
        self.assertIn("validate", self.reason(exo))

    def test_custom_result_renderer(self):
        class Mine(Renderer):
            pass

        self.assertIn("renderer", self.reason(ExerciseFunction(abs, [Args(1)], result_renderer=Mine())))
        seal_exercise(ExerciseFunction(abs, [Args(1)], result_renderer=PPrintRenderer(width=20)))

    def test_course_call_renderer(self):
        class Head(CallRenderer):
            def render(self, call):
                return TextContent(f"{self.visible_function_name(call)}: {call.args.args[0][:2]}…", is_code=True)

        exo = ExerciseFunction(sorted, [Args([5, 4, 3]), Args([2, 1, 0], reverse=True)], call_renderer=Head())
        standin = load_exercise(json.dumps(seal_exercise(exo)))
        # The call column was rendered on the server, by the course's renderer: the stand-in shows it.
        for attempt in (sorted, lambda items, reverse=False: items):
            self.assertEqual(show(standin, "correction", attempt)._repr_html_(), show(exo, "correction", attempt)._repr_html_())
        self.assertIn("sorted: [5, 4]…", show(standin, "example")._repr_html_())

    def test_values_that_cannot_be_sealed(self):
        class Point:
            pass

        self.assertIn("Point", self.reason(ExerciseFunction(id, [Args(Point())])))
        self.assertIn("Point", self.reason(ExerciseFunction(lambda: Point(), [Args()], name="p")))
        shared = [1]
        self.assertIn("shares", self.reason(ExerciseFunction(len, [Args(shared, shared)])))
        generator = (i for i in range(3))
        self.assertIn("generator", self.reason(ExerciseFunction(list, [Args(generator)], copy_mode="none")))

    def test_reference_that_mutates_shared_arguments(self):
        def pop(items):
            return items.pop()

        self.assertIn("changes the arguments", self.reason(ExerciseFunction(pop, [Args([1, 2])], copy_mode="none")))
        seal_exercise(ExerciseFunction(pop, [Args([1, 2])]))

    def test_random_reference_is_reported_by_the_seal_script(self):
        folder, name = exercise_module(
            """
            import random
            from nbautoeval import Args, ExerciseFunction
            def draw(n):
                return random.random() * n
            exo_draw = ExerciseFunction(draw, [Args(1), Args(2)])
            """
        )
        result = run_seal(folder, name)
        self.assertEqual(result.returncode, 0, result.stderr)
        (entry,) = json.loads(result.stdout)["exercises"]
        self.assertFalse(entry["sealable"])
        self.assertIn("random", entry["reason"])
        self.assertNotIn("sealed", entry)
        standin = run_seal("--standin", folder, name)
        self.assertEqual(standin.returncode, 3)
        self.assertIn("served open", standin.stderr)


class EncodingTest(unittest.TestCase):
    def test_round_trip(self):
        values = [
            None, True, 0, -5, 10**30, 1.5, -0.0, float("inf"), float("-inf"), "é\n", [], [1, [2]],
            (), (1,), {"a": 1, 2: (3,)}, {1, 2}, frozenset({"x"}), set(), b"\x00\xff", bytearray(b"ab"),
            3 + 4j, range(1, 9, 2), fractions.Fraction(1, 3), decimal.Decimal("1.10"),
            collections.OrderedDict(a=1), Counter("abca"), {(1, 2): frozenset()},
        ]
        for value in values:
            with self.subTest(value=value):
                data = json.loads(json.dumps(encode(value)))
                back = decode(data)
                self.assertEqual(type(back), type(value))
                self.assertEqual(back, value)
                self.assertEqual(repr(back), repr(value)) if not isinstance(value, (set, frozenset)) else None
        nan = decode(json.loads(json.dumps(encode(float("nan")))))
        self.assertTrue(nan != nan)

    def test_exceptions_as_results(self):
        data = encode(ValueError("x"), results=True)
        back = decode(json.loads(json.dumps(data)))
        self.assertIsInstance(back, SealedException)
        self.assertEqual(repr(back), "ValueError('x')")
        self.assertNotEqual(back, back.__class__("ValueError", "ValueError('x')"))
        with self.assertRaises(Unsealable):
            encode(ValueError("x"))

    def test_numpy(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy is not installed")
        array = numpy.arange(6, dtype="float32").reshape(2, 3)
        back = decode(json.loads(json.dumps(encode(array))))
        self.assertEqual(back.dtype, array.dtype)
        self.assertTrue((back == array).all())
        scalar = decode(json.loads(json.dumps(encode(numpy.int16(3)))))
        self.assertEqual((type(scalar), scalar), (numpy.int16, 3))
        with self.assertRaises(Unsealable):
            encode(numpy.array([object()]))


class SealScriptTest(unittest.TestCase):
    def test_demo_modules_in_isolated_mode(self):
        for name in DEMO:
            with self.subTest(name):
                result = run_seal(DEMO_MODULES, name)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(json.loads(result.stdout)["exercises"][0]["sealable"])
                validation = run_seal("--validate", DEMO_MODULES, "corrections." + name)
                self.assertEqual(validation.returncode, 0, validation.stdout)
                report = json.loads(validation.stdout)
                self.assertTrue(report["ok"])
                (item,) = report["exercises"]
                self.assertTrue(item["solution"]["ok"])
                self.assertTrue(item["ko_variants"] and not any(k["ok"] for k in item["ko_variants"]))
                standin = run_seal("--standin", DEMO_MODULES, name)
                self.assertEqual(standin.returncode, 0)
                self.assertIn(f"{name} = _load_exercise(", standin.stdout)

    def test_validation_failures(self):
        folder, name = exercise_module(
            """
            from nbautoeval import Args, ExerciseFunction
            def inc(n):
                return n + 1
            def inc_ko(n):
                return n + 1
            def inc_ko2(n):
                return n
            print("module output is not JSON")
            exo_inc = ExerciseFunction(inc, [Args(1), Args(2)])
            """
        )
        result = run_seal("--validate", folder, name)
        self.assertEqual(result.returncode, 1)
        report = json.loads(result.stdout)
        self.assertFalse(report["ok"])
        self.assertEqual(report["exercises"][0]["problems"], ["inc_ko is all-OK: it should have a KO row"])
        self.assertEqual([k["name"] for k in report["exercises"][0]["ko_variants"]], ["inc_ko", "inc_ko2"])
        self.assertIn("module output", report["output"])

    def test_import_error(self):
        folder, name = exercise_module("raise RuntimeError('broken module')\n")
        result = run_seal(folder, name)
        self.assertEqual(result.returncode, 2)
        self.assertIn("broken module", json.loads(result.stdout)["error"])

    def test_data_files_and_cwd_and_random_datasets(self):
        folder, name = exercise_module(
            """
            import random
            from nbautoeval import Args, ExerciseFunction
            WORDS = open("data/words.txt").read().split()
            def upper(w):
                return w.upper()
            exo_upper = ExerciseFunction(upper, [Args(w) for w in WORDS] + [Args(random.random())])
            """
        )
        notebook = tempfile.mkdtemp(prefix="nbae-nb-")
        os.makedirs(os.path.join(notebook, "data"))
        with open(os.path.join(notebook, "data", "words.txt"), "w") as handle:
            handle.write("un deux")
        first = run_seal(folder, name, cwd=notebook)
        self.assertEqual(first.returncode, 0, first.stdout)
        sealed = json.loads(first.stdout)
        entry = sealed["exercises"][0]
        self.assertTrue(entry["sealable"], entry["reason"])
        drawn = entry["sealed"]["datasets"][2]["args"][0]
        standin = standin_module(sealed)["exo_upper"]
        self.assertEqual(standin.datasets[2].args[0], drawn)  # what the learner gets is the server's draw
        shown = show(standin, "correction", lambda w: w.upper())
        self.assertEqual(shown.rows[2].cells[2].text, "AttributeError(\"'float' object has no attribute 'upper'\")")
        self.assertEqual(standin.last_result.passed, 2)
        second = json.loads(run_seal(folder, name, cwd=notebook).stdout)
        self.assertNotEqual(second["exercises"][0]["sealed"]["datasets"][2]["args"][0], drawn)


class GeneratorSealTest(unittest.TestCase):
    def test_generator_options_survive(self):
        def naturals():
            n = 0
            while True:
                yield n
                n += 1

        from nbautoeval import ExerciseGenerator
        from nbautoeval.sealed import load_exercise

        exo = ExerciseGenerator(naturals, [GeneratorArgs(), GeneratorArgs(islice=(1, 3))], max_iterations=4)
        standin = load_exercise(json.dumps(seal_exercise(exo)))
        for attempt in (naturals, lambda: iter(range(2)), lambda: 3):
            self.assertEqual(show(standin, "correction", attempt)._repr_html_(), show(exo, "correction", attempt)._repr_html_())


if __name__ == "__main__":
    unittest.main()
