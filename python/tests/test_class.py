import unittest

from tests.helpers import rows, show

from nbautoeval import Args, ClassExpression, ClassScenario, ClassStatement, ExerciseClass


class Counter:
    def __init__(self, start=0):
        self.value = start

    def __repr__(self):
        return f"Counter({self.value})"

    def add(self, n=1):
        self.value += n
        return self.value

    def me(self):
        return self


SCENARIOS = [
    ClassScenario(Args(1), ClassStatement("INSTANCE.add(2)"), "INSTANCE.value", ClassExpression("INSTANCE.add()")),
    ClassScenario(Args(), "CLASS(5).value", "INSTANCE.me()"),
    ClassScenario(Args(7)),
]


class ClassTest(unittest.TestCase):
    def exo(self, **options):
        return ExerciseClass(Counter, SCENARIOS, obj_name="c", **options)

    def test_reference_passes_with_sections_and_rows(self):
        shown = show(self.exo(), "correction", Counter)
        titles = [r.title for r in shown.rows if not hasattr(r, "cells")]
        self.assertEqual(titles, ["scénario 1", "scénario 2", "scénario 3"])
        self.assertEqual(shown.headers, ["appel", "attendu", "obtenu"])
        texts = [t for t, _ in rows(shown)]
        self.assertEqual(texts[0], ["c = Counter(1); repr(c)", "Counter(1)", "Counter(1)"])
        self.assertEqual(texts[1], ["c.add(2)", "Counter(3)", "Counter(3)"])  # the state after the statement
        self.assertEqual(texts[4][0], "c = Counter(); repr(c)")
        self.assertEqual(texts[5][0], "Counter(5).value")
        self.assertEqual(len(texts), 8)  # a scenario without steps is valid: its init row
        self.assertTrue(all(ok for _, ok in rows(shown)))

    def test_wrong_class(self):
        class Wrong(Counter):
            def add(self, n=1):
                self.value += 2 * n
                return self.value

        shown = show(self.exo(), "correction", Wrong)
        self.assertEqual([ok for _, ok in rows(shown)][:4], [True, False, False, False])

    def test_init_failure_stops_the_scenario(self):
        class Broken:
            def __init__(self, start=0):
                raise ValueError("no")

        shown = show(self.exo(), "correction", Broken)
        self.assertEqual(len(rows(shown)), 3)
        self.assertEqual(rows(shown)[0][0][2], "Exception <class 'ValueError'>: no")
        self.assertFalse(any(ok for _, ok in rows(shown)))

    def test_step_exception_and_check_init(self):
        class NoAdd(Counter):
            add = None

            def __repr__(self):
                return "other"

        shown = show(self.exo(check_init=False), "correction", NoAdd)
        texts = rows(shown)
        self.assertEqual(texts[0], (["c = Counter(1); repr(c)", "'--unchecked--'", "'--unchecked--'"], True))
        self.assertIn("Exception <class 'TypeError'>", texts[1][0][2])
        self.assertFalse(texts[1][1])

    def test_instance_versus_value(self):
        exo = self.exo()
        self.assertFalse(exo.validate(Counter(1), 1, Counter, Counter))
        self.assertTrue(exo.validate(Counter(1), Counter(1), Counter, Counter))
        self.assertTrue(exo.validate(1, 1.0, Counter, Counter))

    def test_example_and_namespace(self):
        shown = show(self.exo(nb_examples=2), "example")
        self.assertEqual(shown.headers, ["appel", "attendu"])
        self.assertEqual(len(rows(shown)), 7)
        exo = ExerciseClass(Counter, [ClassScenario(Args(), "Counter.__name__", "sorted(k for k in dir() if not k.startswith('_'))")])
        texts = rows(show(exo, "correction", Counter))
        self.assertEqual(texts[2][0][1], "['Counter', 'X']")


if __name__ == "__main__":
    unittest.main()
