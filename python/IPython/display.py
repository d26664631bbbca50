"""`IPython.display` in the sandbox: the display objects behave as in the browser, and
`display()`/`clear_output()` have nowhere to show anything, so they do nothing."""

__all__ = [
    "display",
    "clear_output",
    "HTML",
    "Markdown",
    "Latex",
    "Math",
    "SVG",
    "JSON",
    "Image",
    "Javascript",
    "DisplayObject",
]


def display(*objs, raw=False, clear=False, **_ignored):
    """Nothing to show on the server: accepted and ignored."""


def clear_output(wait=False):
    """Nothing to clear on the server."""


class DisplayObject:
    """Data given directly, or read from a file (relative to the working directory)."""

    _binary = False

    def __init__(self, data=None, url=None, filename=None, metadata=None):
        if filename is not None:
            with open(filename, "rb" if self._binary else "r") as handle:
                data = handle.read()
        self.data, self.url, self.filename, self.metadata = data, url, filename, metadata

    def __repr__(self):
        return f"<IPython.core.display.{type(self).__name__} object>"


class HTML(DisplayObject):
    def _repr_html_(self):
        return self.data


class Markdown(DisplayObject):
    def _repr_markdown_(self):
        return self.data


class Latex(DisplayObject):
    def _repr_latex_(self):
        return self.data


class Math(DisplayObject):
    def _repr_latex_(self):
        text = (self.data or "").strip().strip("$")
        return f"$\\displaystyle {text}$"


class SVG(DisplayObject):
    def _repr_svg_(self):
        data = self.data
        return data.decode("utf-8") if isinstance(data, bytes) else data


class JSON(DisplayObject):
    def _repr_json_(self):
        return self.data


class Javascript(DisplayObject):
    def _repr_mimebundle_(self):
        return {"text/plain": "(JavaScript is not run)"}


class Image(DisplayObject):
    _binary = True

    def __init__(self, data=None, url=None, filename=None, format=None, width=None, height=None, **kw):
        if isinstance(data, str) and url is None and filename is None:
            if data.startswith(("http:", "https:", "data:")):
                url, data = data, None
            else:
                filename, data = data, None
        super().__init__(data, url, filename)
        name = (filename or url or "").lower()
        self.format = (format or ("jpeg" if name.endswith((".jpg", ".jpeg")) else "png")).lower()
        self.width, self.height = width, height

    def _repr_mimebundle_(self):
        size = {k: v for k, v in (("width", self.width), ("height", self.height)) if v}
        if self.data is None:
            from html import escape

            attrs = "".join(f' {k}="{escape(str(v))}"' for k, v in size.items())
            return {"text/html": f'<img src="{escape(self.url or "")}"{attrs}>'}
        import base64

        mime = "image/jpeg" if self.format in ("jpg", "jpeg") else "image/png"
        return {mime: base64.b64encode(self.data).decode("ascii")}, ({mime: size} if size else {})
