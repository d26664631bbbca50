"""The grading protocol (ADR 034): the untrusted run gets inputs only and reports obtained values;
the trusted judges (the library with the full seal, or the module itself) compare. Every attack a
learner's process can make on its own report must end in a KO or a refused run, never a pass."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests.helpers import DEMO_MODULES, PYTHON, SEAL

from carnet_seal import calls
from carnet_seal import seal as sealer

GRADE = os.path.join(PYTHON, "carnet_seal", "grade.py")
MARKER = "@@carnet-obtained/1@@ "

RIGHT = 'def duree(s):\n    h, r = divmod(s, 3600)\n    m, s = divmod(r, 60)\n    return f"{h:02}:{m:02}:{s:02}"'
IMPORT = "from corrections.exo_duree import exo_duree"
CORRECTION = "exo_duree.correction(duree)"


def run(program, args, payload, path=()):
    """A program of python/ in isolated mode, `path` first on sys.path (as the sandbox lays it out)."""
    code = (
        f"import sys; sys.path[:0] = {list(path) + [PYTHON]!r}; "
        f"import runpy; sys.argv = [{program!r}] + {list(args)!r}; runpy.run_path({program!r}, run_name='__main__')"
    )
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return subprocess.run([sys.executable, "-I", "-S", "-c", code], input=text, capture_output=True, text=True)


def standins(modules):
    """A folder of grading stand-ins: `corrections.<name>` with inert exercises (no data)."""
    folder = tempfile.mkdtemp(prefix="carnet-grading-")
    os.makedirs(os.path.join(folder, "corrections"))
    open(os.path.join(folder, "corrections", "__init__.py"), "w").close()
    for module, attributes in modules.items():
        lines = ["from carnet_seal.calls import Inert"] + [f"{a} = Inert({a!r})" for a in attributes]
        with open(os.path.join(folder, "corrections", module + ".py"), "w") as handle:
            handle.write("\n".join(lines) + "\n")
    return folder


class Grading:
    """One demo exercise graded the way the server does, minus the sandbox."""

    def __init__(self, name, options=None):
        self.name = name
        (self.entry,) = sealer.seal_module(DEMO_MODULES, name, options or {})["exercises"]
        self.folder = standins({name: [name]})

    def obtain(self, cells):
        result = run(GRADE, ["--obtain"], {"cells": cells, "module": f"corrections.{self.name}",
                                          "attribute": self.name, "inputs": self.entry["inputs"]}, [self.folder])
        lines = [line for line in result.stdout.split("\n") if line.startswith(MARKER)]
        if len(lines) != 1:
            return {"frames": len(lines)}
        return json.loads(lines[0][len(MARKER):])

    def judge(self, obtained):
        result = run(GRADE, ["--judge"], {"sealed": self.entry["sealed"], "obtained": obtained})
        return json.loads(result.stdout)

    def grade(self, cells):
        report = self.obtain(cells)
        if "obtained" not in report:
            return report
        return self.judge(report["obtained"])


class UntrustedRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.duree = Grading("exo_duree")

    def test_honest_code(self):
        verdict = self.duree.grade([IMPORT, RIGHT, CORRECTION])
        self.assertEqual((verdict["ok"], verdict["passed"], verdict["total"]), (True, 8, 8))
        self.assertEqual([row["index"] for row in verdict["rows"] if row["hidden"]], [2, 5])
        wrong = self.duree.grade([IMPORT, "def duree(s):\n    return str(s)", CORRECTION])
        self.assertFalse(wrong["ok"])

    def test_the_run_holds_no_expected_value(self):
        # What the learner's process can read of the exercise: inputs, never a result.
        report = self.duree.obtain([
            IMPORT,
            "import sys, gc\nseen = repr([vars(o) for o in gc.get_objects() if hasattr(o, '__dict__') "
            "and type(o).__module__.startswith(('nbautoeval', 'carnet_seal'))])",
            "def duree(s):\n    return seen",
            CORRECTION,
        ])
        leaked = json.dumps(report)
        for expected in ("'01:02:05'", "'00:00:59'", "'23:59:59'", "'100:00:00'"):
            self.assertNotIn(expected, leaked)
        self.assertIn("obtained", report)

    def test_attack_expected_values_read_from_the_stand_in(self):
        # Issue 11, attack 1: there is nothing to read — and a forged `_run` only forges obtained values.
        attack = "exo_duree._exercise._run = lambda f, d: next(iter(getattr(exo_duree, '_sealed_expected', ['x'])))"
        verdict = self.duree.grade([IMPORT, attack, "exo_duree.correction(None)"])
        self.assertFalse(verdict["ok"])

    def test_attack_forged_reports(self):
        # Issue 11, attack 2: a report of one's own, then exiting; or one more from atexit.
        forged = json.dumps({"obtained": {"values": [{"value": "01:02:05"}] * 8}})
        exit_first = self.duree.obtain([IMPORT, f"import os\nos.write(1, b'\\n{MARKER}' + {forged!r}.encode() + b'\\n')\nos._exit(0)"])
        self.assertEqual(exit_first, json.loads(forged))  # one report, the learner's own: the server judges it
        verdict = self.duree.judge(exit_first["obtained"])
        self.assertFalse(verdict["ok"])  # the values one can forge are not the ones it takes
        twice = self.duree.obtain([IMPORT, RIGHT, CORRECTION, f"import atexit, os\natexit.register(lambda: os.write(1, b'\\n{MARKER}' + {forged!r}.encode() + b'\\n'))"])
        self.assertEqual(twice, {"frames": 2})

    def test_attack_fewer_rows(self):
        # Issue 11, attack 3: no rows (or another number) is a refused run, never 0/0.
        for values in ([], [{"value": "01:02:05"}] * 9):
            self.assertIn("mismatch", self.duree.judge({"values": values}))
        tirelire = Grading("exo_tirelire")
        start = ["from corrections.exo_tirelire import exo_tirelire", "class T:\n    pass"]
        for cells in (
            start + ["exo_tirelire._exercise._run_scenario = lambda *a: []", "exo_tirelire.correction(T)"],
            start + ["exo_tirelire.correction(T)", "exo_tirelire.obtained = {'scenarios': []}"],
        ):
            report = tirelire.obtain(cells)
            self.assertIn("mismatch", tirelire.judge(report["obtained"]), cells)
        self.assertIn("mismatch", tirelire.judge({"scenarios": [[{"skipped": True}]] * 3}))

    def test_a_run_that_never_corrects(self):
        self.assertEqual(self.duree.obtain([IMPORT, RIGHT]), {"errors": []})

    def test_deeply_nested_values_are_refused_not_crashing(self):
        deep = '{"value": ' + "[" * 5000 + "null" + "]" * 5000 + "}"
        payload = '{"sealed": ' + json.dumps(self.duree.entry["sealed"]) + ', "obtained": {"values": [' + ", ".join([deep] * 8) + "]}}"
        result = run(GRADE, ["--judge"], payload)
        answer = json.loads(result.stdout)
        self.assertTrue("error" in answer or "mismatch" in answer or answer.get("ok") is False, answer)


class CheckShapeTest(unittest.TestCase):
    def test_class_scenarios(self):
        inputs = {"class": "ExerciseClass", "scenarios": [{"init": {}, "steps": [{}, {}]}]}
        calls.check_shape(inputs, {"scenarios": [[{"value": 1, "failed": False}] * 3]})
        calls.check_shape(inputs, {"scenarios": [[{"value": 1, "failed": True}, {"skipped": True}, {"skipped": True}]]})
        for bad in (
            {"scenarios": [[{"value": 1}] * 2]},
            {"scenarios": [[{"value": 1, "failed": False}, {"skipped": True}, {"skipped": True}]]},
            {"scenarios": [[{"value": 1, "failed": True}, {"skipped": True}, {"value": 1}]]},
            {"scenarios": []},
            {"values": []},
            [],
        ):
            with self.assertRaises(calls.Mismatch, msg=bad):
                calls.check_shape(inputs, bad)


class ModuleJudgeTest(unittest.TestCase):
    """An exercise the browser cannot reproduce (a course subclass) is judged by its module."""

    @classmethod
    def setUpClass(cls):
        cls.moyenne = Grading("exo_moyenne")

    def judge(self, obtained, plan=None):
        payload = {"plan": plan or self.moyenne.entry["plan"], "obtained": obtained, "seed": 1, "numpy": False}
        return json.loads(run(SEAL, ["--judge", DEMO_MODULES, "corrections.exo_moyenne", "exo_moyenne"], payload).stdout)

    def obtained(self, function):
        cells = ["from corrections.exo_moyenne import exo_moyenne", function, "exo_moyenne.correction(moyenne)"]
        return self.moyenne.obtain(cells)["obtained"]

    def test_its_own_validation_and_table(self):
        exact = self.judge(self.obtained("def moyenne(n):\n    return sum(n) / len(n) if n else 0"))
        self.assertEqual((exact["ok"], exact["total"]), (True, 6))
        close = self.judge(self.obtained("def moyenne(n):\n    return round(sum(n) / len(n), 9) if n else 0"))
        self.assertTrue(close["ok"])  # within a millionth: the course's own rule
        wrong = self.judge(self.obtained("def moyenne(n):\n    return sum(n) / (len(n) + 1)"))
        self.assertFalse(wrong["ok"])
        table = wrong["table"]
        self.assertIn("vérification cachée 1", table)
        self.assertIn("vérification cachée 2", table)
        # The held-back datasets (the 3rd and the 6th) are in no part of the learner's table.
        self.assertNotIn("moyenne([])", table)
        self.assertNotIn("13.5, 14.25", table)
        self.assertIn("[12, 15, 9]", table)
        self.assertIn("[0.1, 0.2, 0.3]", table)

    def test_values_that_do_not_fit(self):
        self.assertIn("mismatch", self.judge({"values": []}))
        obtained = self.obtained("def moyenne(n):\n    return 0")
        other = dict(self.moyenne.entry["plan"], datasets=list(reversed(self.moyenne.entry["plan"]["datasets"])))
        self.assertIn("mismatch", self.judge(obtained, other))


class RandomDatasetsTest(unittest.TestCase):
    def test_a_fresh_draw_per_seed_and_the_same_for_the_same_seed(self):
        request = {"seed": 7, "judge": "sealed", "options": {}, "numpy": False}

        def draw(seed):
            result = run(SEAL, ["--draw", DEMO_MODULES, "corrections.exo_somme_carres", "exo_somme_carres"], dict(request, seed=seed))
            return json.loads(result.stdout)

        first, again, other = draw(7), draw(7), draw(8)
        self.assertEqual(first["inputs"], again["inputs"])
        self.assertNotEqual(first["inputs"]["datasets"], other["inputs"]["datasets"])
        self.assertNotIn("expected", json.dumps(first["inputs"]))
        self.assertEqual(len(first["sealed"]["expected"]), len(first["inputs"]["datasets"]))


def course_module(source, name, extra=None):
    """A modules folder holding `corrections.<name>` and, optionally, other modules."""
    folder = tempfile.mkdtemp(prefix="nbae-")
    os.makedirs(os.path.join(folder, "corrections"))
    open(os.path.join(folder, "corrections", "__init__.py"), "w").close()
    with open(os.path.join(folder, "corrections", name + ".py"), "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(source))
    for path, text in (extra or {}).items():
        with open(os.path.join(folder, path), "w", encoding="utf-8") as handle:
            handle.write(textwrap.dedent(text))
    return folder


class SealMoreTest(unittest.TestCase):
    """Functions, builtins and types given as arguments, and course helpers (issue 11 §2)."""

    def seal(self, folder, name, options=None):
        result = run(SEAL, [folder, name], options or {})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return json.loads(result.stdout)

    def test_builtins_types_and_public_helpers_by_reference(self):
        folder = course_module(
            """
            from nbautoeval import Args, ExerciseFunction
            from outils import double
            def applique(f, items):
                return [f(x) for x in items]
            exo_applique = ExerciseFunction(applique, [Args(len, ["ab", "c"]), Args(str, [1, 2]), Args(double, [3]), Args(abs, [-1])])
            """,
            "exo_applique",
            {"outils.py": "def double(x):\n    return 2 * x\n"},
        )
        sealed = self.seal(folder, "exo_applique", {"public_modules": ["outils"]})
        (entry,) = sealed["exercises"]
        self.assertEqual(entry["mode"], "local", entry["reason"])
        self.assertEqual(entry["inputs"]["datasets"][2]["args"][0], {"$ref": ["outils", "double"]})
        self.assertNotIn("def applique", json.dumps(sealed))

    def test_a_solution_never_travels_a_helper_does(self):
        folder = course_module(
            """
            from nbautoeval import Args, ExerciseFunction
            FACTEUR = 3
            def triple(x):
                return FACTEUR * x
            def compose(f, g, x):
                return f(g(x))
            exo_triple = ExerciseFunction(triple, [Args(1), Args(2), Args(3)])
            exo_compose = ExerciseFunction(compose, [Args(triple, abs, -2), Args(abs, abs, 1), Args(triple, triple, 1)])
            """,
            "exo_fonctions",
        )
        sealed = self.seal(folder, "exo_fonctions")
        by = {e["attribute"]: e for e in sealed["exercises"]}
        # triple is exo_triple's solution: exo_compose's datasets may not carry it.
        self.assertEqual(by["exo_compose"]["mode"], "none")
        self.assertIn("cannot be named", by["exo_compose"]["reason"])
        self.assertNotIn("FACTEUR * x", json.dumps(sealed))
        # Once a notebook imports it, the author hands it out: its source (and what it uses) travels.
        handed = self.seal(folder, "exo_fonctions", {"helpers": ["triple"], "imports": [["corrections.exo_fonctions", "triple"]]})
        by = {e["attribute"]: e for e in handed["exercises"]}
        self.assertEqual(by["exo_compose"]["mode"], "local", by["exo_compose"]["reason"])
        sources = {h["name"]: h["source"] for h in handed["helpers"]}
        self.assertEqual(set(sources), {"FACTEUR", "triple"})
        self.assertEqual({h["name"]: h["solution"] for h in handed["helpers"]}, {"FACTEUR": False, "triple": True})
        self.assertIn("return FACTEUR * x", sources["triple"])
        namespace = {"_carnet_value": lambda text: __import__("json").loads(text)}
        for name in ("FACTEUR", "triple"):
            exec(sources[name], namespace)
        self.assertEqual(namespace["triple"](2), 6)

    def test_a_server_checked_example_never_shows_a_held_back_dataset(self):
        folder = course_module(
            """
            from nbautoeval import Args, ExerciseFunction
            class Proche(ExerciseFunction):
                def validate(self, expected, obtained):
                    return abs(expected - obtained) < 1e-9
            def moitie(x):
                return x / 2
            exo_moitie = Proche(moitie, [Args(10), Args(21), Args(7777), Args(40), Args(51), Args(8888)], nb_examples=0)
            """,
            "exo_moitie",
        )
        (entry,) = self.seal(folder, "exo_moitie")["exercises"]
        self.assertEqual((entry["mode"], entry["plan"]["hidden"]), ("server", [2, 5]))
        self.assertIn("moitie(21)", entry["example_html"])
        self.assertNotIn("7777", entry["example_html"])
        self.assertNotIn("8888", entry["example_html"])

    def test_a_helper_with_a_decorator_and_defaults_from_the_module(self):
        folder = course_module(
            """
            from dataclasses import dataclass, field
            from nbautoeval import Args, ExerciseFunction
            ORIGINE = 0
            @dataclass
            class Point:
                x: int = ORIGINE
                y: int = field(default=0)
            def norme(p, base=ORIGINE):
                return abs(p.x - base) + abs(p.y - base)
            exo_norme = ExerciseFunction(norme, [Args(Point(1, 2)), Args(Point(3)), Args(Point(-1, -1))])
            """,
            "exo_point",
        )
        handed = self.seal(folder, "exo_point", {"helpers": ["Point"], "imports": [["corrections.exo_point", "Point"]]})
        sources = {h["name"]: h["source"] for h in handed["helpers"]}
        self.assertEqual(set(sources), {"Point", "dataclass", "field", "ORIGINE"})
        self.assertEqual(sources["dataclass"], "from dataclasses import dataclass")
        namespace = {"_carnet_value": lambda text: __import__("json").loads(text)}
        for name in ("ORIGINE", "dataclass", "field", "Point"):
            exec(sources[name], namespace)
        self.assertEqual(repr(namespace["Point"](1)), "Point(x=1, y=0)")

    def test_instances_of_course_classes(self):
        folder = course_module(
            """
            from nbautoeval import Args, ExerciseFunction
            from geometrie import Point
            def norme1(p):
                return abs(p.x) + abs(p.y)
            exo_norme = ExerciseFunction(norme1, [Args(Point(1, 2)), Args(Point(-3, 4)), Args(Point(0, 0))])
            """,
            "exo_norme",
            {"geometrie.py": "class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n    def __repr__(self):\n        return f'Point({self.x}, {self.y})'\n"},
        )
        sealed = self.seal(folder, "exo_norme", {"public_modules": ["geometrie"]})
        (entry,) = sealed["exercises"]
        self.assertEqual(entry["mode"], "local", entry["reason"])
        first = entry["inputs"]["datasets"][0]["args"][0]
        self.assertEqual(first["$object"]["class"], ["geometrie", "Point"])
        self.assertEqual(first["$object"]["state"], {"x": 1, "y": 2})


if __name__ == "__main__":
    unittest.main()
