"""The sandbox's small IPython (python/IPython) against the browser's (kernel.py's
`_install_ipython`): the same public names and signatures, the same representations."""

import contextlib
import importlib
import importlib.util
import inspect
import io
import os
import sys
import unittest

from tests.helpers import PYTHON, REPO

KERNEL = os.path.join(REPO, "apps", "client", "src", "runtime", "kernel.py")
NAMES = ("IPython", "IPython.display", "IPython.core", "IPython.core.display")


def _public(module):
    return {name for name in vars(module) if not name.startswith("_")}


@contextlib.contextmanager
def _modules_saved():
    saved = {name: sys.modules.get(name) for name in NAMES}
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def browser_ipython():
    """The browser's IPython modules, built by kernel.py (loaded in CPython), by name."""
    spec = importlib.util.spec_from_file_location("_carnet_kernel_for_test", KERNEL)
    kernel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kernel)
    with _modules_saved():
        kernel._install_ipython()
        return kernel, {name: sys.modules[name] for name in NAMES}


def sandbox_ipython():
    """The sandbox's package, imported from python/ (as the sandbox's sys.path finds it)."""
    with _modules_saved():
        for name in NAMES:
            sys.modules.pop(name, None)
        sys.path.insert(0, PYTHON)
        try:
            importlib.import_module("IPython.core.display")
            modules = {name: sys.modules[name] for name in NAMES}
        finally:
            sys.path.remove(PYTHON)
    return modules


class SameAsTheBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.kernel, cls.browser = browser_ipython()
        cls.sandbox = sandbox_ipython()

    def test_same_public_names(self):
        for name in NAMES:
            with self.subTest(module=name):
                self.assertEqual(_public(self.sandbox[name]), _public(self.browser[name]))
        self.assertIs(self.sandbox["IPython.core.display"], self.sandbox["IPython.display"])
        self.assertIs(self.sandbox["IPython"].display, self.sandbox["IPython.display"])
        self.assertIs(self.sandbox["IPython"].core.display, self.sandbox["IPython.display"])

    def test_same_signatures(self):
        browser, sandbox = self.browser["IPython.display"], self.sandbox["IPython.display"]
        for name in sorted(_public(browser)):
            with self.subTest(name=name):
                mine, theirs = getattr(sandbox, name), getattr(browser, name)
                if inspect.isclass(theirs):
                    self.assertTrue(inspect.isclass(mine))
                    self.assertEqual(
                        [c.__name__ for c in mine.__mro__], [c.__name__ for c in theirs.__mro__]
                    )
                self.assertEqual(inspect.signature(mine), inspect.signature(theirs))

    def test_same_representations(self):
        def bundles(module):
            d = module
            objects = [
                d.HTML("<b>x</b>"),
                d.Markdown("*x*"),
                d.Latex(r"$\alpha$"),
                d.Math("$x^2$"),
                d.SVG(b"<svg></svg>"),
                d.JSON({"a": 1}),
                d.Image(url="https://example.org/a.png", width=10),
                d.Image(b"\x89PNG", format="png", height=3),
                d.Image("https://example.org/b.jpg"),
            ]
            out = []
            for obj in objects:
                bundle = self.kernel.mimebundle(obj)
                bundle["data"].pop("text/plain")
                out.append(bundle)
            return out

        self.assertEqual(bundles(self.sandbox["IPython.display"]), bundles(self.browser["IPython.display"]))

    def test_nothing_shows_on_the_server(self):
        d = self.sandbox["IPython.display"]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            self.assertIsNone(d.display(d.HTML("<p>x</p>"), 3, clear=True))
            self.assertIsNone(d.clear_output(wait=True))
        self.assertEqual(out.getvalue(), "")
        self.assertIsNone(self.sandbox["IPython"].get_ipython())
        self.assertEqual(repr(d.HTML("x")), "<IPython.core.display.HTML object>")


if __name__ == "__main__":
    unittest.main()
