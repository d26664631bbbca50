"""Sealing: the full seal stays on the server; the browser's public form and the untrusted run's
inputs form let nothing out that a learner must not see (ADR 024, 034)."""

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
from nbautoeval.encoding import Ref, References, SealedException, Unsealable, decode, encode, lookup
from nbautoeval.sealed import load_exercise
from nbautoeval.sealing import held_back, inputs_form, public_form, seal_exercise

DEMO = ["exo_duree", "exo_compte_mots", "exo_syracuse", "exo_regexp_date", "exo_tirelire", "exo_somme_carres", "exo_moyenne"]
DEMO_OPTIONS = {
    "exo_compte_mots": {"hidden": "0"},
    "exo_somme_carres": {"helpers": ["carre"], "imports": [["corrections.exo_somme_carres", "carre"]]},
}


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
    "exo_somme_carres": [lambda xs: sum(x * x for x in xs), lambda xs: len(xs)],
}


def seal_demo(name):
    return sealer.seal_module(DEMO_MODULES, name, DEMO_OPTIONS.get(name, {}))


class HeldBackTest(unittest.TestCase):
    def test_every_third_dataset_example_rows_excepted(self):
        self.assertEqual(held_back(8, 2, (1, 3)), [2, 5])
        self.assertEqual(held_back(7, 1, (1, 3)), [2, 5])
        self.assertEqual(held_back(3, 1, (1, 3)), [2])
        self.assertEqual(held_back(2, 1, (1, 3)), [])  # fewer than three datasets: none
        self.assertEqual(held_back(9, 3, (1, 3)), [5, 7, 8])  # the 3rd is an example row: the last one instead
        self.assertEqual(held_back(6, 0, 2), [2, 5])  # a count; nb_examples=0 shows every visible row
        self.assertEqual(held_back(4, 1, 10), [1, 2, 3])  # never every dataset: the example row stays
        self.assertEqual(held_back(8, 2, 0), [])
        self.assertEqual(held_back(6, 6, (1, 3)), [])  # every dataset is an example row


class DemoCourseTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sealed = {name: seal_demo(name) for name in DEMO}

    def real(self, name):
        return importlib.import_module("corrections." + name)

    def entry(self, name):
        (entry,) = self.sealed[name]["exercises"]
        return entry

    def test_how_each_demo_exercise_is_practised_and_verified(self):
        modes = {name: (self.entry(name)["mode"], self.entry(name)["judge"], self.entry(name)["random"]) for name in DEMO}
        self.assertEqual(
            modes,
            {
                "exo_duree": ("local", "sealed", False),
                "exo_compte_mots": ("local", "sealed", False),
                "exo_syracuse": ("local", "sealed", False),
                "exo_regexp_date": ("local", "sealed", False),
                "exo_tirelire": ("local", "sealed", False),
                "exo_somme_carres": ("local", "sealed", True),
                "exo_moyenne": ("server", "module", False),
            },
        )
        self.assertEqual(self.entry("exo_duree")["checks"], {"hidden": 2, "extra": 0})
        self.assertEqual(self.entry("exo_compte_mots")["checks"], {"hidden": 0, "extra": 2})
        self.assertIn("validate", self.entry("exo_moyenne")["reason"])
        self.assertEqual(self.entry("exo_moyenne")["plan"]["hidden"], [2, 5])

    def test_the_public_form_has_only_what_the_learner_may_see(self):
        for name in DEMO:
            entry = self.entry(name)
            if entry["mode"] != "local":
                self.assertNotIn("public", entry)
                continue
            sealed, public = entry["sealed"], entry["public"]
            hidden = set(sealed["hidden"])
            self.assertTrue(hidden, name)
            key = "scenarios" if sealed["class"] == "ExerciseClass" else "datasets"
            self.assertEqual(len(public[key]), len(sealed[key]) - len(hidden))
            shown = [json.dumps(item, sort_keys=True) for item in public[key]]
            # (Random draws may repeat a dataset: only fixed ones are compared.)
            for index in [] if entry["random"] else hidden:
                self.assertNotIn(json.dumps(sealed[key][index], sort_keys=True), shown)
            self.assertNotIn("hidden", public)
            checks = public["server_checks"]
            self.assertEqual(checks["fresh"], entry["random"])
            self.assertEqual(checks["hidden"], len(sealed[key]) if entry["random"] else len(hidden))

    def test_the_inputs_form_has_no_expected_value(self):
        for name in DEMO:
            inputs = self.entry(name)["inputs"]
            text = json.dumps(inputs)
            self.assertEqual(inputs["format"], "carnet-inputs/1")
            for key in ("expected", "rows", "example_html", "result_renderer", "hidden"):
                self.assertNotIn(f'"{key}"', text, name)
            if self.entry(name)["judge"] == "sealed":
                for value in self.entry(name)["sealed"]["expected"] if "expected" in self.entry(name)["sealed"] else []:
                    if isinstance(value, str) and len(value) > 3:
                        self.assertNotIn(json.dumps(value), text, name)

    def test_stand_in_tables_equal_the_real_ones_on_the_rows_the_learner_sees(self):
        checked = 0
        for name in DEMO:
            entry = self.entry(name)
            if entry["mode"] != "local":
                continue
            module = self.real(name)
            exo = getattr(module, name)
            standin = load_exercise(entry["public"])
            hidden = set(entry["sealed"]["hidden"])
            with self.subTest(name):
                self.assertEqual(show(standin, "example")._repr_html_(), entry["example_html"])
                if not entry["random"]:
                    self.assertEqual(show(exo, "example")._repr_html_(), entry["example_html"])
                kos = [v for k, v in vars(module).items() if re.fullmatch(re.escape(exo.name) + r"_ko\w*", k)]
                self.assertTrue(kos)
                for attempt in [exo.solution] + kos + ATTEMPTS[name]:
                    show(exo, "correction", attempt)
                    show(standin, "correction", attempt)
                    real = exo.last_result.to_dict()["rows"]
                    if entry["sealed"]["class"] == "ExerciseClass":
                        real = [row for row in real if row["scenario"] - 1 not in hidden]
                        fake = standin.last_result.to_dict()["rows"]
                        fake = [dict(row, scenario=None) for row in fake]
                        real = [dict(row, scenario=None) for row in real]
                    else:
                        real = [row for index, row in enumerate(real) if index not in hidden]
                        fake = standin.last_result.to_dict()["rows"]
                    if not entry["random"]:
                        self.assertEqual(fake, real)
                    self.assertTrue(standin.last_result.sealed)
                    checked += 1
                show(standin, "correction", exo.solution)
                self.assertTrue(standin.last_result.ok)
                self.assertEqual(standin.last_result.server_checks, entry["public"]["server_checks"]["hidden"])
                summary = show(standin, "correction", exo.solution)._repr_html_()
                self.assertIn("par le serveur", summary)
        self.assertGreaterEqual(checked, 20)

    def test_no_solution_anywhere_in_the_seal(self):
        for name in DEMO:
            text = json.dumps(self.sealed[name], ensure_ascii=False)
            with open(os.path.join(DEMO_MODULES, "corrections", name + ".py"), encoding="utf-8") as handle:
                source = handle.read()
            blocks = re.findall(r"# @BEG@[^\n]*\n(.*?)# @END@", source, re.S)
            self.assertTrue(blocks)
            for block in blocks:
                for line in block.splitlines():
                    line = line.strip()
                    if len(line) > 12 and not line.startswith('"""'):
                        with self.subTest(name, line=line):
                            self.assertNotIn(line, text)
                            self.assertNotIn(json.dumps(line)[1:-1], text)
        self.assertNotIn(self.real("exo_regexp_date").regexp_date, json.dumps(self.sealed["exo_regexp_date"]))

    def test_helpers_a_notebook_imports_are_handed_out_as_source(self):
        helpers = self.sealed["exo_somme_carres"]["helpers"]
        self.assertEqual([h["name"] for h in helpers], ["carre"])
        self.assertIn("def carre(x):", helpers[0]["source"])
        self.assertNotIn("somme_carres", helpers[0]["source"])

    def test_solution_is_not_available_until_revealed(self):
        standin = load_exercise(self.entry("exo_duree")["public"])
        with self.assertRaises(SolutionUnavailable) as caught:
            standin.solution
        self.assertIn("solution", str(caught.exception))
        self.assertFalse(hasattr(standin, "solution"))
        regexp = load_exercise(self.entry("exo_regexp_date")["public"])
        with self.assertRaises(SolutionUnavailable):
            regexp.regexp
        standin.reveal(len)
        self.assertIs(standin.solution, len)


def exercise_module(source, name=None):
    """A module `corrections.<name>` written in a fresh modules folder; returns (folder, name)."""
    folder = tempfile.mkdtemp(prefix="nbae-")
    os.makedirs(os.path.join(folder, "corrections"))
    open(os.path.join(folder, "corrections", "__init__.py"), "w").close()
    name = name or "exo_t%d" % abs(hash(source))
    with open(os.path.join(folder, "corrections", name + ".py"), "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(source))
    return folder, name


def run_seal(*args, cwd=None, stdin="{}"):
    return subprocess.run([sys.executable, "-I", "-S", SEAL, *args], capture_output=True, text=True, cwd=cwd, input=stdin)


class UnsealableValuesTest(unittest.TestCase):
    """seal_exercise() itself (no references allowed) refuses what it cannot carry exactly."""

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
        standin = load_exercise(json.dumps(public_form(seal_exercise(exo))))
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


class ReferencesTest(unittest.TestCase):
    def test_builtins_and_functions_by_name(self):
        refs = References()
        data = json.loads(json.dumps(encode([len, sorted, int, os.path.join], refs=refs)))
        self.assertEqual(data[0], {"$ref": ["builtins", "len"]})
        self.assertEqual(decode(data, lookup), [len, sorted, int, os.path.join])
        unresolved = decode(data)
        self.assertEqual(unresolved[0], Ref("builtins", "len"))
        self.assertNotEqual(unresolved[0], Ref("builtins", "sorted"))
        self.assertEqual(repr(unresolved[0]), "len")

    def test_what_cannot_be_named(self):
        refs = References()
        with self.assertRaises(Unsealable):
            encode(lambda x: x, refs=refs)
        with self.assertRaises(Unsealable):
            encode(References().encode, refs=refs)  # a bound method
        forbidden = References(allow=lambda module, name, value: name != "len")
        with self.assertRaises(Unsealable):
            encode(len, refs=forbidden)

    def test_instances_of_named_classes(self):
        refs = References()
        data = json.loads(json.dumps(encode(Counter("ab"), refs=refs)))  # a known type stays itself
        self.assertEqual(decode(data), Counter("ab"))
        point = fractions.Fraction(1, 3)
        self.assertEqual(decode(encode(point, refs=refs)), point)


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


class GeneratorSealTest(unittest.TestCase):
    def test_generator_options_survive(self):
        def naturals():
            n = 0
            while True:
                yield n
                n += 1

        from nbautoeval import ExerciseGenerator
        from nbautoeval.sealed import load_exercise
        from nbautoeval.sealing import public_form

        exo = ExerciseGenerator(naturals, [GeneratorArgs(), GeneratorArgs(islice=(1, 3))], max_iterations=4)
        standin = load_exercise(json.dumps(public_form(seal_exercise(exo))))
        for attempt in (naturals, lambda: iter(range(2)), lambda: 3):
            self.assertEqual(show(standin, "correction", attempt)._repr_html_(), show(exo, "correction", attempt)._repr_html_())




if __name__ == "__main__":
    unittest.main()
