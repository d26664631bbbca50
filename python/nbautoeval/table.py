"""The tables example() and correction() show, their plain-text form, and the recorded results.

Colours are CSS custom properties with the familiar light values as fallbacks, so a page can
restyle every table (dark mode) without touching the HTML: see README.md for the names.
"""

import builtins
import html
import json
import sys

from .content import content_text, css_text

LIGHT = {
    "ink": "#1b1b1b",
    "header-bg": "#f1fcfc",
    "rule": "#333333",
    "example-bg": "#f8f8f8",
    "example-bg-even": "#f0f0f0",
    "ok-bg": "#d4f8e8",
    "ok-bg-even": "#c4f8d8",
    "ko-bg": "#ffc6c9",
    "ko-bg-even": "#ffb6b9",
}

MESSAGES = {
    "summary": "{passed}/{total} correct",
    "ok": "OK",
    "ko": "KO",
    "comparison_failed": "comparaison impossible : {reason}",
    "server_checks": "+ {count} vérification(s) faite(s) par le serveur",
    "server_fresh": "+ vérification par le serveur sur {count} nouvelles données",
    "needs_server": (
        "Cet exercice est corrigé par le serveur : connectez-vous, en ligne, pour le vérifier. "
        "(This exercise is checked by the server: log in, online, to check it.)"
    ),
    "unavailable": (
        "Cet exercice ne peut pas être corrigé sur cette plateforme. "
        "(This exercise cannot be checked on this platform: {reason})"
    ),
    "no_example": "Pas d'exemple pour cet exercice. (No example for this exercise.)",
}


_BOX = "max-width:100%;overflow-x:auto"
_HIDDEN = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)"
_ICON = {"padding": "0.25em 0.5em", "text-align": "center"}
_SUMMARY = "margin:0.25em 0;font-weight:bold"


def _var(name):
    return f"var(--nbae-{name},{LIGHT[name]})"


class Row:
    """One table row: contents, each with a state ('example', 'ok', 'ko'), and the row's verdict."""

    def __init__(self, cells, states, ok=None, reason=None, scenario=None):
        self.cells, self.states, self.ok, self.reason, self.scenario = cells, states, ok, reason, scenario


class Section:
    """A spanning header row (a scenario of a class exercise)."""

    def __init__(self, title, scenario=None):
        self.title, self.scenario = title, scenario


class RowResult:
    """The platform's view of one row: texts, verdict, and why a comparison failed."""

    def __init__(self, call, expected, obtained, ok, reason=None, scenario=None):
        self.call, self.expected, self.obtained = call, expected, obtained
        self.ok, self.reason, self.scenario = ok, reason, scenario

    def to_dict(self):
        return dict(vars(self))


class ExerciseResult:
    """The structured outcome of one correction(): exercise, rows, overall verdict."""

    def __init__(self, exercise, kind, rows, sealed=False):
        self.exercise, self.kind, self.rows, self.sealed = exercise, kind, rows, sealed
        self.server_checks = 0
        self.submission = None
        self.total = len(rows)
        self.passed = sum(1 for row in rows if row.ok)
        self.ok = self.passed == self.total

    def to_dict(self):
        return {
            "exercise": self.exercise,
            "kind": self.kind,
            "ok": self.ok,
            "passed": self.passed,
            "total": self.total,
            "sealed": self.sealed,
            "server_checks": self.server_checks,
            "rows": [row.to_dict() for row in self.rows],
        }

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def __repr__(self):
        return f"<ExerciseResult {self.exercise}: {self.passed}/{self.total}>"


class Table:
    """An example or correction table: `_repr_html_` for notebooks, `str()` for plain Python."""

    def __init__(self, kind, headers, rows, font_size="small", header_font_size="medium", verdicts=True, note=None):
        self.kind, self.headers, self.rows = kind, list(headers), rows
        self.font_size, self.header_font_size, self.verdicts = font_size, header_font_size, verdicts
        # Said after the summary: the checks only the server makes (a sealed exercise's held-back data).
        self.note = note

    def _data_rows(self):
        return [row for row in self.rows if isinstance(row, Row)]

    def summary(self):
        rows = self._data_rows()
        passed = sum(1 for row in rows if row.ok)
        return MESSAGES["summary"].format(passed=passed, total=len(rows))

    def _repr_html_(self):
        columns = len(self.headers) + (1 if self.verdicts else 0)
        head_style = css_text(
            {
                "background": _var("header-bg"),
                "color": _var("ink"),
                "font-weight": "bold",
                "font-size": self.header_font_size,
                "border-bottom": f"2px solid {_var('rule')}",
                "padding": "0.25em 0.5em",
                "text-align": "left",
            }
        )
        parts = [
            f'<div class="nbae nbae-{self.kind}" style="font-size:{html.escape(str(self.font_size))};{_BOX}">',
            '<table class="nbae-table" style="border-collapse:collapse;margin:0.25em 0">',
            "<thead><tr>",
        ]
        for header in self.headers:
            parts.append(f'<th scope="col" class="nbae-header" style="{head_style}">{html.escape(str(header))}</th>')
        if self.verdicts:
            hidden = f'<span class="nbae-visually-hidden" style="{_HIDDEN}">{MESSAGES["ok"]}/{MESSAGES["ko"]}</span>'
            parts.append(f'<th scope="col" class="nbae-header" style="{head_style}">{hidden}</th>')
        parts.append("</tr></thead><tbody>")
        index = 0
        for row in self.rows:
            if isinstance(row, Section):
                title = html.escape(str(row.title))
                parts.append(
                    f'<tr class="nbae-section"><th scope="rowgroup" colspan="{columns}" class="nbae-header" '
                    f'style="{head_style}">{title}</th></tr>'
                )
                index = 0
                continue
            index += 1
            parity = "-even" if index % 2 == 0 else ""
            verdict = "" if row.ok is None else (" nbae-row-ok" if row.ok else " nbae-row-ko")
            parts.append(f'<tr class="nbae-row{verdict}">')
            for content, state in zip(row.cells, row.states):
                style = {
                    "background": _var(f"{state}-bg{parity}"),
                    "color": _var("ink"),
                    "padding": "0.25em 0.5em",
                    "vertical-align": "top",
                    "text-align": "left",
                }
                style.update(content.css)
                classes = " ".join(["nbae-cell", f"nbae-{state}"] + (["nbae-even"] if parity else []) + content.classes)
                style = html.escape(css_text(style))
                parts.append(f'<td class="{html.escape(classes)}" style="{style}">{content.inner_html()}</td>')
            if self.verdicts:
                state = "ok" if row.ok else "ko"
                label = MESSAGES[state] + (": " + row.reason if row.reason else "")
                icon = "✔" if row.ok else "✘"
                style = css_text({"background": _var(f"{state}-bg{parity}"), "color": _var("ink"), **_ICON})
                label = html.escape(label)
                parts.append(
                    f'<td class="nbae-cell nbae-icon nbae-{state}" style="{style}">'
                    f'<span role="img" aria-label="{label}" title="{label}">{icon}</span></td>'
                )
            parts.append("</tr>")
        parts.append("</tbody></table>")
        if self.verdicts:
            rows = self._data_rows()
            state = "ok" if all(row.ok for row in rows) else "ko"
            summary = html.escape(self.summary())
            if self.note:
                summary += f' <span class="nbae-server-checks" style="font-weight:normal">{html.escape(self.note)}</span>'
            parts.append(f'<p class="nbae-summary nbae-summary-{state}" role="status" style="{_SUMMARY}">{summary}</p>')
        parts.append("</div>")
        return "".join(parts)

    def __str__(self):
        lines = [" | ".join(str(h) for h in self.headers)]
        for row in self.rows:
            if isinstance(row, Section):
                lines.append(f"--- {row.title}")
                continue
            texts = [content_text(c).replace("\n", "⏎") for c in row.cells]
            if self.verdicts:
                texts.append(MESSAGES["ok"] if row.ok else MESSAGES["ko"])
            lines.append(" | ".join(texts))
        if self.verdicts:
            lines.append(self.summary() + (f" {self.note}" if self.note else ""))
        return "\n".join(lines)

    __repr__ = __str__

    def result(self, exercise, kind, sealed=False):
        rows = []
        for row in self._data_rows():
            texts = [content_text(c) for c in row.cells] + ["", "", ""]
            rows.append(RowResult(texts[0], texts[1], texts[2], bool(row.ok), row.reason, row.scenario))
        return ExerciseResult(exercise, kind, rows, sealed)


# ---------------------------------------------------------------------------------------------
# Recording and showing


results = []  # the last corrections' results, newest last (bounded)
MAX_RESULTS = 100
_hooks = {"result": None, "display": None}


def set_result_hook(function):
    """Calls `function(result)` (an ExerciseResult) after every correction(); None removes it."""
    _hooks["result"] = function


def set_display_hook(function):
    """Replaces how tables are shown (default: IPython-style display(), else print); None restores."""
    _hooks["display"] = function


def record(result):
    results.append(result)
    del results[:-MAX_RESULTS]
    hook = _hooks["result"]
    if hook is not None:
        try:
            hook(result)
        except Exception as error:
            print(f"nbautoeval: result hook failed: {error!r}", file=sys.stderr)


def show(table):
    """Shows a table below the cell: the display hook, else display(), else its text."""
    hook = _hooks["display"]
    if hook is not None:
        hook(table)
        return
    display = getattr(builtins, "display", None)
    if display is None:
        try:
            from IPython import get_ipython
            from IPython.display import display

            if get_ipython() is None:
                display = None
        except Exception:
            display = None
    if display is not None:
        display(table)
    else:
        print(table)
