import unittest

from tests.helpers import rows, show  # noqa: F401

from nbautoeval import (
    Args,
    CallRenderer,
    GeneratorArgs,
    MultilineRenderer,
    PPrintCallRenderer,
    PPrintRenderer,
    Renderer,
    TextContent,
)
from nbautoeval.renderers import Call


class ArgsTest(unittest.TestCase):
    def test_args_and_keywords(self):
        a = Args(1, [2], x=3)
        self.assertEqual(a.args, (1, [2]))
        self.assertEqual(a.args[1], [2])
        self.assertEqual(a.keywords, {"x": 3})
        self.assertEqual(a.call(lambda p, q, x: (p, q, x)), (1, [2], 3))

    def test_init_obj(self):
        self.assertEqual(Args(3, 4).init_obj(complex), complex(3, 4))

    def test_clone_modes(self):
        inner = [1, 2]
        a = Args(inner, k=inner)
        deep = a.clone("deep")
        self.assertIsNot(deep.args[0], inner)
        self.assertIs(deep.args[0], deep.keywords["k"])  # sharing inside a dataset is kept
        shallow = a.clone("shallow")
        self.assertIsNot(shallow, a)
        self.assertIs(shallow.args[0], inner)
        self.assertIs(a.clone("none"), a)
        self.assertIs(a.clone(None), a)

    def test_tokens(self):
        a = Args(len, int, {3, 1, 2}, set(), "s", x=str, y=[1])
        self.assertEqual(a.tokens(), ["len", "int", "{1, 2, 3}", "{}", "'s'", "x=str", "y=[1]"])

        def f():
            pass

        self.assertEqual(Args(f).tokens(), ["f"])

    def test_generator_args(self):
        def gen(n):
            yield from range(n)

        self.assertEqual(GeneratorArgs(10, islice=(2, 5)).call(gen), [2, 3, 4])
        self.assertEqual(GeneratorArgs(10, islice=(3,)).call(gen), [0, 1, 2])
        self.assertEqual(GeneratorArgs(10, islice=(0, 10, 4)).call(gen), [0, 4, 8])
        self.assertEqual(list(GeneratorArgs(3).call(gen)), [0, 1, 2])
        with self.assertRaisesRegex(TypeError, "not an iterable!"):
            GeneratorArgs(3).call(lambda n: n)
        self.assertEqual(GeneratorArgs(3, islice=(1, 3)).tokens(), ["3"])
        self.assertEqual(GeneratorArgs(3, islice=(1, 3)).islice_text(), "1→3/1")


class RendererTest(unittest.TestCase):
    def test_renderer(self):
        self.assertEqual(Renderer().render([1, "a"]).text, "[1, 'a']")
        self.assertTrue(Renderer().render(1).is_code)
        error = Renderer().render(ValueError("x"))
        self.assertFalse(error.is_code)
        self.assertEqual(error.text, "ValueError('x')")

        class Custom:
            def _render_content_(self):
                return TextContent("custom!", is_code=False)

        self.assertEqual(Renderer().render(Custom()).text, "custom!")

    def test_pprint(self):
        value = {"k%d" % i: i for i in range(6)}
        self.assertIn("\n", PPrintRenderer(width=20).render(value).text)
        self.assertEqual(PPrintRenderer().render(value).text, repr(value))

    def test_multiline(self):
        self.assertEqual(MultilineRenderer().render("a\nb").text, "a\\n\nb")
        self.assertEqual(MultilineRenderer().render(3).text, "3")

    def test_chaining(self):
        content = TextContent("x").add_class("a").add_classes(["b", "a"]).add_css_properties("color: red; x:y")
        content.add_css_properties({"font_size": "small"}).add_layout({"width": "3em"}).set_is_code(True)
        self.assertEqual(content.classes, ["a", "b"])
        self.assertEqual(content.css, {"color": "red", "x": "y", "font-size": "small", "width": "3em"})
        self.assertIn("<pre", content.inner_html())

    def test_call_renderer(self):
        call = Call("f", Args(1, "a", k=None))
        self.assertEqual(CallRenderer().render(call).text, "f(1, 'a', k=None)")
        self.assertEqual(CallRenderer(show_function=False).render(call).text, "1, 'a', k=None")
        self.assertEqual(CallRenderer(show_function="g").render(call).text, "g(1, 'a', k=None)")
        self.assertEqual(CallRenderer(prefix=">", postfix="<").render(call).text, ">f(1, 'a', k=None)<")
        self.assertEqual(CallRenderer(max_width=5).render(call).text, "f(1,…")
        self.assertEqual(CallRenderer(css_properties={"color": "red"}).render(call).css, {"color": "red"})
        generator = CallRenderer().render(Call("g", GeneratorArgs(27, islice=(0, 10))))
        self.assertEqual(generator.note, "iters 0→10/1")
        self.assertIn("<b", generator.inner_html())

    def test_call_object(self):
        dataset = Args([3, 1], "x", k=2)
        call = Call("f", dataset)
        # As the original library gives it: the dataset itself, not its tuple.
        self.assertIs(call.args, dataset)
        self.assertEqual(call.args.args[0], [3, 1])
        self.assertEqual(call.args.keywords, {"k": 2})
        self.assertEqual(call.args.tokens(), ["[3, 1]", "'x'", "k=2"])
        self.assertEqual(call.tokens(), call.args.tokens())

    def test_course_renderer(self):
        class FirstArgument(CallRenderer):
            """As courses write them: their own text from the first argument and the keywords."""

            def render(self, call):
                first = call.args.args[0]
                named = "".join(f" {k}={v}" for k, v in call.args.keywords.items())
                name = self.visible_function_name(call)
                return TextContent(f"{name}: {len(first)} items{named}", is_code=True)

        call = Call("f", Args([1, 2, 3], step=2))
        self.assertEqual(FirstArgument().render(call).text, "f: 3 items step=2")
        self.assertEqual(FirstArgument(show_function="g").render(call).text, "g: 3 items step=2")
        self.assertEqual(FirstArgument(show_function=False).render(call).text, ": 3 items step=2")

    def test_pprint_call_renderer(self):
        short = Call("f", Args(1, 2))
        self.assertEqual(PPrintCallRenderer().render(short).text, "f(1, 2)")
        long = Call("f", Args(list(range(30)), {"a": "b" * 30}, k=1))
        text = PPrintCallRenderer(width=40).render(long).text
        lines = text.split("\n")
        self.assertEqual(lines[0], "f(")
        self.assertEqual(lines[-1], ")")
        self.assertTrue(all(line.startswith("  ") for line in lines[1:-1]))
        self.assertIn("  k=1", lines)

    def test_html_escaped(self):
        content = Renderer().render(int)
        self.assertIn("&lt;class &#x27;int&#x27;&gt;", content.inner_html())


if __name__ == "__main__":
    unittest.main()
