"""What a renderer returns: text (code or plain) with CSS classes and properties, as an HTML cell."""

import html


def _css_text(properties):
    return ";".join(f"{name}:{value}" for name, value in properties.items())


_PRE_STYLE = (
    "margin:0;white-space:pre-wrap;font:inherit;font-family:var(--mono,monospace);max-height:24em;overflow:auto"
)


class Content:
    """A table cell's content; the add_* methods chain (they return the content itself)."""

    def __init__(self, is_code=False, css_properties=None):
        self.is_code = bool(is_code)
        self.classes = []
        self.css = {}
        if css_properties:
            self.add_css_properties(css_properties)

    def add_class(self, name):
        if name and name not in self.classes:
            self.classes.append(str(name))
        return self

    def add_classes(self, names):
        for name in names or ():
            self.add_class(name)
        return self

    def add_css_properties(self, properties):
        """A dict {property: value} or a text "a: b; c: d"."""
        if isinstance(properties, str):
            pairs = (item.split(":", 1) for item in properties.split(";") if ":" in item)
            properties = {name.strip(): value.strip() for name, value in pairs}
        for name, value in (properties or {}).items():
            if value is not None:
                self.css[str(name).replace("_", "-")] = str(value)
        return self

    def add_layout(self, layout):
        """A layout (a dict, or an object with attributes such as ipywidgets' Layout) as CSS."""
        if isinstance(layout, dict):
            return self.add_css_properties(layout)
        names = getattr(layout, "keys", None) or [k for k in vars(layout) if not k.startswith("_")]
        return self.add_css_properties({name: getattr(layout, name, None) for name in names})

    def set_is_code(self, is_code=True):
        self.is_code = bool(is_code)
        return self

    @property
    def text(self):
        return ""

    def inner_html(self):
        return ""

    def to_json(self):
        return {"text": self.text, "is_code": self.is_code, "classes": list(self.classes), "css": dict(self.css)}


class TextContent(Content):
    """Text shown as code (in <pre>) or as plain text, with an optional bold line under it."""

    def __init__(self, text, is_code=False, css_properties=None, note=None):
        super().__init__(is_code=is_code, css_properties=css_properties)
        self._text = str(text)
        self.note = note

    @property
    def text(self):
        return self._text

    def inner_html(self):
        body = html.escape(self._text)
        if self.is_code:
            body = f'<pre class="nbae-code" style="{_PRE_STYLE}">{body}</pre>'
        else:
            body = f'<span class="nbae-text" style="white-space:pre-wrap">{body}</span>'
        if self.note:
            body += f'<b class="nbae-note" style="display:block">{html.escape(str(self.note))}</b>'
        return body

    def to_json(self):
        data = super().to_json()
        data["note"] = self.note
        return data

    def __repr__(self):
        return f"TextContent({self._text!r}, is_code={self.is_code})"


def content_from_json(data):
    """Rebuilds a TextContent from `to_json()` (sealed exercises)."""
    content = TextContent(data.get("text", ""), is_code=data.get("is_code", False), note=data.get("note"))
    content.add_classes(data.get("classes", []))
    content.add_css_properties(data.get("css", {}))
    return content


def content_text(content):
    """The plain text of a content (for results and the text fallback)."""
    text = content.text
    note = getattr(content, "note", None)
    return f"{text}\n{note}" if note else text


def css_text(properties):
    return _css_text(properties)
