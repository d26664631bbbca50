"""ExerciseFunction and friends, and every edge case of section 10 of autoeval-api.md."""

import contextlib
import io
import math
import os
import subprocess
import sys
import unittest

from tests.helpers import PYTHON, captured, rows, show

import nbautoeval
from nbautoeval import (
    Args,
    CallRenderer,
    ExerciseFunction,
    ExerciseFunctionNumpy,
    ExerciseGenerator,
    ExerciseRegexp,
    ExerciseRegexpGroups,
    GeneratorArgs,
    TextContent,
)


def double(x):
    return 2 * x


def sort_in_place(items):
    items.sort()
    return items


class FunctionTest(unittest.TestCase):
    def test_defaults_and_headers(self):
        exo = ExerciseFunction(double, [Args(1), Args(2), Args(3)])
        self.assertEqual(exo.name, "double")
        self.assertIs(exo.solution, double)
        shown = show(exo, "example")
        self.assertEqual(shown.headers, ["appel", "attendu"])
        self.assertEqual(rows(shown), [(["double(1)", "2"], None)])
        self.assertEqual(len(rows(show(exo, "example", 0))), 3)
        self.assertEqual(len(rows(show(exo, "example", 2))), 2)
        hidden = ExerciseFunction(double, [Args(1)], call_renderer=CallRenderer(show_function=False))
        self.assertEqual(show(hidden, "correction", double).headers, ["arguments", "attendu", "obtenu"])
        custom = ExerciseFunction(double, [Args(1)], column_headers=("a", "b", "c"), name="other")
        self.assertEqual(show(custom, "correction", double).headers, ["a", "b", "c"])
        self.assertEqual(custom.last_result.exercise, "other")

    def test_nb_examples_zero_means_all(self):
        exo = ExerciseFunction(double, [Args(1), Args(2)], nb_examples=0)
        self.assertEqual(len(rows(show(exo, "example"))), 2)

    def test_comparison_is_plain_equality(self):
        exo = ExerciseFunction(lambda x: x, [Args(5), Args([1]), Args(math.nan)])
        shown = show(exo, "correction", lambda x: {5: 5.0, 1: (1,)}.get(x if not isinstance(x, list) else 1, x))
        self.assertEqual([ok for _, ok in rows(shown)], [True, False, False])  # 5 == 5.0, [1] != (1,), nan

    def test_two_exceptions_are_ko(self):
        exo = ExerciseFunction(lambda x: 1 / x, [Args(0)])
        (texts, ok), = rows(show(exo, "correction", lambda x: 1 / x))
        self.assertFalse(ok)
        self.assertEqual(texts[1], "ZeroDivisionError('division by zero')")

    def test_exception_shown_as_plain_text_in_example(self):
        exo = ExerciseFunction(lambda x: 1 / x, [Args(0)])
        shown = show(exo, "example")
        self.assertFalse(shown.rows[0].cells[1].is_code)
        self.assertIn("ZeroDivisionError", shown.rows[0].cells[1].text)

    def test_result_recorded(self):
        seen = []
        nbautoeval.set_result_hook(seen.append)
        try:
            exo = ExerciseFunction(double, [Args(1), Args(2), Args(3), Args(4)])
            show(exo, "correction", lambda x: x * 2 if x != 3 else 0)
        finally:
            nbautoeval.set_result_hook(None)
        result = exo.last_result
        self.assertIs(seen[0], result)
        self.assertIs(nbautoeval.results[-1], result)
        self.assertEqual((result.passed, result.total, result.ok), (3, 4, False))
        data = result.to_dict()
        self.assertEqual(data["exercise"], "double")
        self.assertEqual(data["rows"][2], {"call": "double(3)", "expected": "6", "obtained": "0", "ok": False, "reason": None, "scenario": None})
        self.assertIn('"passed": 3', result.to_json())

    def test_html_table(self):
        exo = ExerciseFunction(lambda s: s, [Args("<b>&"), Args(int)], name="echo")
        shown = show(exo, "correction", lambda s: "<script>" if s == int else s)
        html = shown._repr_html_()
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>&", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("&lt;lambda&gt;(int)", html)  # the reference's name
        self.assertIn("1/2 correct", html)
        self.assertIn('role="status"', html)
        self.assertIn("nbae-ok", html)
        self.assertIn("nbae-ko", html)
        self.assertIn("var(--nbae-ok-bg,#d4f8e8)", html)
        self.assertIn("var(--nbae-ko-bg-even,#ffb6b9)", html)
        self.assertIn("var(--nbae-header-bg,#f1fcfc)", html)
        self.assertIn('aria-label="KO"', html)
        example = show(exo, "example")._repr_html_()
        self.assertIn("var(--nbae-example-bg,#f8f8f8)", example)
        self.assertNotIn("correct", example)

    def test_displays_through_display_or_prints(self):
        exo = ExerciseFunction(double, [Args(1)])
        import builtins

        shown = []
        builtins.display = shown.append
        try:
            self.assertIsNone(exo.correction(double))
        finally:
            del builtins.display
        self.assertTrue(hasattr(shown[0], "_repr_html_"))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exo.correction(double)
        self.assertIn("double(1) | 2 | 2 | OK", out.getvalue())
        self.assertIn("1/1 correct", out.getvalue())

    def test_subclass_as_courses_write_them(self):
        class Mine(ExerciseFunction):
            def correction(self, student):
                self.datasets = [Args(n) for n in range(3)]
                return ExerciseFunction.correction(self, student)

        exo = Mine(double, "placeholder")
        self.assertEqual(exo.datasets, "placeholder")
        show(exo, "correction", double)
        self.assertEqual(exo.last_result.total, 3)
        self.assertEqual(Args([1], 2).clone("deep").args[0], [1])

    def test_course_call_renderer(self):
        class Sizes(CallRenderer):
            """A course's call column: built from `call.args.args[0]` and the visible name."""

            def render(self, call):
                items = call.args.args[0]
                return TextContent(f"{self.visible_function_name(call)}({len(items)} items: {items})", is_code=True)

        exo = ExerciseFunction(sort_in_place, [Args([3, 1, 2]), Args([])], call_renderer=Sizes())
        shown = show(exo, "correction", sort_in_place)
        # The original dataset, not the sorted clone; the reference's name.
        self.assertEqual([texts[0] for texts, _ in rows(shown)], ["sort_in_place(3 items: [3, 1, 2])", "sort_in_place(0 items: [])"])
        self.assertTrue(exo.last_result.ok)
        hidden = ExerciseFunction(sort_in_place, [Args([2, 1])], call_renderer=Sizes(show_function=False))
        self.assertEqual(rows(show(hidden, "example"))[0][0][0], "(2 items: [2, 1])")
        self.assertEqual(show(hidden, "example").headers, ["arguments", "attendu"])

    def test_student_not_callable(self):
        exo = ExerciseFunction(double, [Args(1)])
        self.assertEqual([ok for _, ok in rows(show(exo, "correction", None))], [False])


class EdgeCases(unittest.TestCase):
    """Section 10, one test (or more) per item."""

    def test_1_fresh_copies_and_pristine_input(self):
        student_inputs = []

        def student(items):
            student_inputs.append(list(items))
            items.append(99)
            return sorted(items[:-1])

        exo = ExerciseFunction(sort_in_place, [Args([3, 1, 2])])
        (texts, ok), = rows(show(exo, "correction", student))
        self.assertEqual(texts[0], "sort_in_place([3, 1, 2])")  # the unsorted input
        self.assertEqual(student_inputs, [[3, 1, 2]])  # the reference's sort did not reach it
        self.assertTrue(ok)

    def test_1_uncopyable_arguments(self):
        def name_of(module):
            return module.__name__

        with_module = ExerciseFunction(name_of, [Args(os)], copy_mode="none")
        self.assertEqual([ok for _, ok in rows(show(with_module, "correction", name_of))], [True])
        gen = (i for i in range(3))
        deep = ExerciseFunction(list, [Args(gen)])
        with self.assertRaisesRegex(TypeError, "copy_mode='none'"):
            show(deep, "correction", list)

    def test_2_only_exceptions_are_caught(self):
        def interrupted(x):
            raise KeyboardInterrupt

        def exits(x):
            raise SystemExit(1)

        exo = ExerciseFunction(double, [Args(1)])
        with self.assertRaises(KeyboardInterrupt):
            show(exo, "correction", interrupted)
        with captured(), self.assertRaises(SystemExit):
            exo.correction(exits)

    def test_2_a_comparison_that_raises_is_a_ko_row(self):
        class Ambiguous:
            def __eq__(self, other):
                raise ValueError("truth value is ambiguous")

        exo = ExerciseFunction(lambda: Ambiguous(), [Args(), Args()], name="amb")
        shown = show(exo, "correction", lambda: 1)
        (texts, ok), _ = rows(shown)
        self.assertFalse(ok)
        self.assertIn("truth value is ambiguous", shown.rows[0].reason)
        self.assertIn("truth value is ambiguous", shown._repr_html_())

    def test_2_numpy_arrays_compared_with_eq(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy is not installed")
        exo = ExerciseFunction(lambda: numpy.array([1, 2]), [Args()], name="arr")
        (_, ok), = rows(show(exo, "correction", lambda: numpy.array([1, 2])))
        self.assertFalse(ok)
        self.assertIn("ValueError", exo.last_result.rows[0].reason)

    def test_3_recursion_error_is_a_ko_row(self):
        def forever(n):
            return forever(n + 1)

        exo = ExerciseFunction(double, [Args(1), Args(2)])
        shown = show(exo, "correction", forever)
        self.assertEqual([ok for _, ok in rows(shown)], [False, False])
        self.assertIn("RecursionError", rows(shown)[0][0][2])

    def test_4_random_datasets_drawn_once(self):
        import random

        exo = ExerciseFunction(double, [Args(random.randint(0, 10**9)) for _ in range(3)])
        first = [t[0] for t, _ in rows(show(exo, "correction", double))]
        second = [t[0] for t, _ in rows(show(exo, "correction", double))]
        self.assertEqual(first, second)  # the sealing tests check the server keeps the same draw

    def test_5_prints_appear_above_the_table(self):
        out = io.StringIO()

        def student(x):
            print("hello from the learner")
            return 2 * x

        nbautoeval.set_display_hook(lambda t: print("TABLE"))
        try:
            with contextlib.redirect_stdout(out):
                ExerciseFunction(double, [Args(1)]).correction(student)
        finally:
            nbautoeval.set_display_hook(None)
        self.assertEqual(out.getvalue(), "hello from the learner\nTABLE\n")

    def test_6_works_without_numpy_except_numpy_class(self):
        script = (
            "import sys; sys.modules['numpy'] = None\n"
            f"sys.path.insert(0, {PYTHON!r})\n"
            "from nbautoeval import Args, ExerciseFunction, ExerciseFunctionNumpy\n"
            "ExerciseFunction(abs, [Args(-1)]).correction(abs)\n"
            "exo = ExerciseFunctionNumpy(abs, [Args(-1)])\n"
            "exo.correction(abs)\n"
            "print(exo.last_result.rows[0].reason)\n"
        )
        result = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("1/1 correct", result.stdout)
        self.assertIn("0/1 correct", result.stdout)
        self.assertIn("numpy", result.stdout.splitlines()[-1])

    def test_6_modules_read_data_files_from_the_notebook_folder(self):
        # covered end to end by test_sealing.SealScriptTest.test_data_files_and_cwd
        pass

    def test_7_an_object_with_repr_html_and_a_structured_result(self):
        exo = ExerciseFunction(double, [Args(1)])
        shown = show(exo, "correction", double)
        self.assertTrue(shown._repr_html_().startswith('<div class="nbae nbae-correction"'))
        self.assertEqual(exo.last_result.to_dict()["ok"], True)


class NumpyTest(unittest.TestCase):
    def setUp(self):
        try:
            import numpy
        except ImportError:
            self.skipTest("numpy is not installed")
        self.np = numpy

    def test_closeness_broadcasting_and_containers(self):
        np = self.np
        exo = ExerciseFunctionNumpy(lambda: np.array([0.1 + 0.2, 1.0]), [Args()], name="a")
        self.assertTrue(rows(show(exo, "correction", lambda: [0.3, 1.0]))[0][1])
        self.assertFalse(rows(show(exo, "correction", lambda: [0.31, 1.0]))[0][1])
        scalar = ExerciseFunctionNumpy(lambda: np.ones((2, 2)), [Args()], name="b")
        self.assertTrue(rows(show(scalar, "correction", lambda: 1.0))[0][1])
        text = ExerciseFunctionNumpy(lambda: "abc", [Args()], name="c")
        self.assertTrue(rows(show(text, "correction", lambda: "abc"))[0][1])
        self.assertFalse(rows(show(text, "correction", lambda: np.ones(3)))[0][1])
        raising = ExerciseFunctionNumpy(lambda: 1 / 0, [Args()], name="d")
        self.assertFalse(rows(show(raising, "correction", lambda: 1 / 0))[0][1])


def syracuse(n):
    yield n
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        yield n


class GeneratorTest(unittest.TestCase):
    def test_materialise_islice_and_max_iterations(self):
        exo = ExerciseGenerator(syracuse, [GeneratorArgs(6), GeneratorArgs(27, islice=(100, 112))])
        self.assertIs(exo.generator_function, syracuse)
        shown = show(exo, "correction", syracuse)
        self.assertEqual([ok for _, ok in rows(shown)], [True, True])
        self.assertIn("iters 100→112/1", shown._repr_html_())
        self.assertIn("<b", shown._repr_html_())

        def naturals():
            n = 0
            while True:
                yield n
                n += 1

        capped = ExerciseGenerator(naturals, [GeneratorArgs(), GeneratorArgs(islice=(2, 4))], max_iterations=3)
        shown = show(capped, "correction", naturals)
        self.assertEqual(rows(shown)[0][0][1], "[0, 1, 2, '...']")
        self.assertEqual(rows(shown)[1][0][1], "[2, '...']")
        short = ExerciseGenerator(lambda: iter([1, 2]), [GeneratorArgs()], max_iterations=3, name="s")
        self.assertEqual(rows(show(short, "example"))[0][0][1], "[1, 2]")

    def test_range_accepted_list_refused(self):
        exo = ExerciseGenerator(lambda n: iter(range(n)), [GeneratorArgs(3)], name="r")
        self.assertTrue(rows(show(exo, "correction", lambda n: range(n)))[0][1])
        (texts, ok), = rows(show(exo, "correction", lambda n: list(range(n))))
        self.assertFalse(ok)
        self.assertIn("not an iterator!", texts[2])


class RegexpTest(unittest.TestCase):
    def test_match_modes(self):
        inputs = [Args("abc"), Args("abcd"), Args("xabc")]
        match = ExerciseRegexp("r", r"abc", inputs)
        shown = show(match, "correction", r"abc")
        self.assertEqual(shown.headers, ["chaîne", "match ?", "obtenu"])
        self.assertEqual([t[1] for t, _ in rows(shown)], ["True", "False", "False"])  # whole string only
        self.assertEqual(rows(shown)[0][0][0], "'abc'")
        search = ExerciseRegexp("r", r"abc", inputs, match_mode="search")
        self.assertEqual([t[1] for t, _ in rows(show(search, "example", 0))], ["True", "False", "False"])
        findall = ExerciseRegexp("r", r"[ab]", inputs, match_mode="findall")
        self.assertEqual(rows(show(findall, "example"))[0][0][1], "['a', 'b']")
        finditer = ExerciseRegexp("r", r"b", inputs, match_mode="finditer")
        self.assertEqual(rows(show(finditer, "example"))[0][0][1], "[(1, 2)]")
        self.assertEqual(match.regexp, "abc")

    def test_invalid_pattern_is_ko(self):
        exo = ExerciseRegexp("r", r"a+", [Args("aa")])
        (texts, ok), = rows(show(exo, "correction", r"(a"))
        self.assertFalse(ok)
        self.assertIn("error", texts[2])

    def test_groups(self):
        exo = ExerciseRegexpGroups("d", r"(?P<a>\d)(?P<b>x)?", ["a", "b", "zz"], [Args("1"), Args("y")])
        shown = show(exo, "correction", r"(?P<a>\d)(?P<b>x)?")
        self.assertEqual(shown.headers, ["chaîne", "groupes", "obtenu"])
        self.assertEqual(rows(shown)[0][0][1], "[('a', '1'), ('b', None), ('zz', 'Undefined')]")
        self.assertEqual(rows(shown)[1][0][1], "None")


if __name__ == "__main__":
    unittest.main()
