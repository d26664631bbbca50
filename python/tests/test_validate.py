"""seal.py --validate: the server's verdicts `carnet validate` compares with the browser's stand-in."""

import json
import os
import subprocess
import sys
import unittest

from tests.helpers import DEMO_MODULES, SEAL

from carnet_seal import seal as sealer

OPTIONS = {"exo_somme_carres": {"helpers": ["carre"], "imports": [["corrections.exo_somme_carres", "carre"]]}}


def validate(name):
    report = sealer.validate_module(DEMO_MODULES, name, OPTIONS.get(name, {}))
    sealer.forget_course_modules(DEMO_MODULES)
    return report


def visible_calls(entry):
    """The calls of the rows the browser's stand-in shows (its public form)."""
    public = entry["public"]
    if public["class"] == "ExerciseClass":
        return [row["call"]["text"] for scenario in public["scenarios"] for row in scenario["rows"]]
    return [row["call"]["text"] for row in public["rows"]]


class ServerVerdictsTest(unittest.TestCase):
    def test_reference_and_variants_on_the_rows_the_browser_sees(self):
        for name in ("exo_duree", "exo_tirelire", "exo_regexp_date"):
            with self.subTest(name):
                report = validate(name)
                (item,) = report["exercises"]
                (entry,) = report["seal"]["exercises"]
                verdicts = item["server_verdicts"]
                variants = [k["name"] for k in item["ko_variants"]]
                self.assertEqual([v["attempt"] for v in verdicts], ["solution"] + variants)
                calls = visible_calls(entry)
                for verdict in verdicts:
                    self.assertEqual([row["call"] for row in verdict["rows"]], calls)
                self.assertTrue(all(row["ok"] for row in verdicts[0]["rows"]))
                self.assertFalse(all(row["ok"] for row in verdicts[1]["rows"]))

    def test_held_back_rows_are_left_out(self):
        report = validate("exo_duree")
        (item,) = report["exercises"]
        (entry,) = report["seal"]["exercises"]
        self.assertEqual(len(entry["sealed"]["hidden"]), 2)
        self.assertEqual(len(item["server_verdicts"][0]["rows"]), len(entry["sealed"]["datasets"]) - 2)

    def test_a_random_exercise_is_judged_on_the_seal_s_draw(self):
        report = validate("exo_somme_carres")
        (item,) = report["exercises"]
        (entry,) = report["seal"]["exercises"]
        self.assertTrue(item["random"])
        self.assertEqual([row["call"] for row in item["server_verdicts"][0]["rows"]], visible_calls(entry))

    def test_server_checked_exercises_have_no_browser_comparison(self):
        report = validate("exo_moyenne")
        (item,) = report["exercises"]
        self.assertEqual(item["mode"], "server")
        self.assertNotIn("server_verdicts", item)
        self.assertEqual(report["seal"]["format"], sealer.FORMAT)

    def test_the_report_carries_the_seal_the_import_would_make(self):
        def run(*mode):
            folder = os.path.join(DEMO_MODULES, "..")
            command = [sys.executable, "-I", "-S", SEAL, *mode, DEMO_MODULES, "exo_duree"]
            done = subprocess.run(command, capture_output=True, text=True, cwd=folder, input="{}")
            self.assertEqual(done.returncode, 0, done.stderr)
            return json.loads(done.stdout)

        self.assertEqual(run("--validate")["seal"], run())

    def test_a_verdict_that_cannot_be_had_is_reported(self):
        entry = {"inputs": {"class": "ExerciseFunction"}, "sealed": {}}
        (verdict,) = sealer._server_verdicts(entry, [("solution", len)])
        self.assertEqual(verdict["attempt"], "solution")
        self.assertIn("KeyError", verdict["error"])


if __name__ == "__main__":
    unittest.main()
