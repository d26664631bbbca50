"""Renderers: a value (or a call) to a content object for one table cell."""

import pprint

from .content import TextContent

# Text beyond this many characters is cut: a learner's result can be huge.
MAX_TEXT = 20_000


def _clip(text):
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " …"


def _safe_repr(value):
    try:
        return repr(value)
    except Exception as error:  # a learner's __repr__ may raise
        return f"<repr failed: {type(error).__name__}: {error}>"


class Call:
    """What a call renderer receives: `.args` is the dataset itself (an `Args`, so course
    renderers read `call.args.args[0]` and `call.args.keywords`), `.function_name` the name of
    the function it calls (what `visible_function_name` shows)."""

    def __init__(self, function_name, dataset):
        self.function_name = function_name
        self.args = dataset

    def tokens(self):
        """The arguments as the call column shows them."""
        tokens = getattr(self.args, "tokens", None)
        return tokens() if callable(tokens) else [_safe_repr(self.args)]

    def __repr__(self):
        return f"<call of {self.function_name} with {self.args!r}>"


class Renderer:
    """`x._render_content_()` when defined, else `repr(x)`; code unless x is an exception."""

    _options = ()
    css_properties = None  # course subclasses may skip __init__

    def __init__(self, css_properties=None):
        self.css_properties = css_properties

    def render(self, value):
        method = getattr(value, "_render_content_", None)
        if callable(method) and not isinstance(value, type):
            content = method()
            if isinstance(content, str):
                content = TextContent(content, is_code=True)
        else:
            content = TextContent(_clip(_safe_repr(value)), is_code=not isinstance(value, BaseException))
        if self.css_properties:
            content.add_css_properties(self.css_properties)
        return content

    def spec(self):
        """The renderer's class and options, for sealed exercises."""
        return {"class": type(self).__name__, "options": {n: getattr(self, n) for n in self._options}}


class PPrintRenderer(Renderer):
    """`pprint.pformat(x, width, indent, compact)` as code."""

    _options = ("width", "indent", "compact", "css_properties")

    def __init__(self, width=80, indent=2, compact=True, css_properties=None):
        super().__init__(css_properties)
        self.width, self.indent, self.compact = width, indent, compact

    def render(self, value):
        if isinstance(value, BaseException) or callable(getattr(value, "_render_content_", None)):
            return super().render(value)
        try:
            text = pprint.pformat(value, width=self.width, indent=self.indent, compact=self.compact)
        except Exception:
            text = _safe_repr(value)
        content = TextContent(_clip(text), is_code=True)
        if self.css_properties:
            content.add_css_properties(self.css_properties)
        return content


class MultilineRenderer(Renderer):
    """Text with each newline shown as a literal \\n followed by a real line break."""

    _options = ("css_properties",)

    def render(self, value):
        if not isinstance(value, str):
            return super().render(value)
        content = TextContent(_clip(value.replace("\n", "\\n\n")), is_code=True)
        if self.css_properties:
            content.add_css_properties(self.css_properties)
        return content


class CallRenderer(Renderer):
    """The call column: `prefix + name(arguments) + postfix`, as code."""

    _options = ("is_code", "show_function", "prefix", "postfix", "max_width", "css_properties")

    def __init__(self, is_code=True, show_function=True, prefix="", postfix="", max_width=0, css_properties=None):
        super().__init__(css_properties)
        self.is_code, self.show_function = is_code, show_function
        self.prefix, self.postfix, self.max_width = prefix, postfix, max_width

    def visible_function_name(self, call):
        """The name shown before the arguments: the function's, a fixed string, or none."""
        if isinstance(self.show_function, str):
            return self.show_function
        return call.function_name if self.show_function else ""

    def call_text(self, call):
        name = self.visible_function_name(call)
        arguments = ", ".join(call.tokens())
        return f"{name}({arguments})" if name else arguments

    def render(self, call):
        text = self.prefix + self.call_text(call) + self.postfix
        if self.max_width and len(text) > self.max_width:
            text = text[: max(self.max_width - 1, 1)] + "…"
        islice = getattr(call.args, "islice_text", None)
        note = f"iters {islice()}" if islice and islice() else None
        content = TextContent(_clip(text), is_code=self.is_code, note=note)
        if self.css_properties:
            content.add_css_properties(self.css_properties)
        return content


class PPrintCallRenderer(CallRenderer):
    """A call on one line when it fits in `width`, else one pretty-printed argument per line."""

    _options = CallRenderer._options + ("width", "indent", "compact")

    def __init__(self, width=80, indent=2, compact=True, **options):
        super().__init__(**options)
        self.width, self.indent, self.compact = width, indent, compact

    def call_text(self, call):
        line = super().call_text(call)
        if len(self.prefix + line + self.postfix) <= self.width:
            return line
        pad = " " * self.indent
        parts = []
        inner = max(self.width - self.indent, 10)
        for value in getattr(call.args, "args", ()):
            parts.append(self._format(value, inner))
        for key, value in getattr(call.args, "keywords", {}).items():
            parts.append(f"{key}={self._format(value, inner - len(key) - 1)}")
        body = ",\n".join(pad + part.replace("\n", "\n" + pad) for part in parts)
        name = self.visible_function_name(call)
        return f"{name}(\n{body}\n)" if name else body

    def _format(self, value, width):
        if isinstance(value, (set, type)) or callable(value):
            from .args import token_repr

            return token_repr(value)
        try:
            return pprint.pformat(value, width=width, indent=self.indent, compact=self.compact)
        except Exception:
            return _safe_repr(value)


LIBRARY_RENDERERS = {
    cls.__name__: cls for cls in (Renderer, PPrintRenderer, MultilineRenderer, CallRenderer, PPrintCallRenderer)
}


def renderer_from_spec(spec):
    """Rebuilds a library renderer from `spec()`."""
    cls = LIBRARY_RENDERERS[spec["class"]]
    return cls(**spec.get("options", {}))
