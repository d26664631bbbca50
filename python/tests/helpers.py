"""Shared by the tests: paths, and tables captured instead of shown."""

import contextlib
import io
import os
import sys

PYTHON = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON)
DEMO_MODULES = os.path.join(REPO, "demo-course", "modules")
SEAL = os.path.join(PYTHON, "carnet_seal", "seal.py")

for path in (PYTHON, DEMO_MODULES):
    if path not in sys.path:
        sys.path.insert(0, path)

from nbautoeval import table  # noqa: E402


@contextlib.contextmanager
def captured():
    """Yields the list of tables shown inside the block (nothing is printed)."""
    tables = []
    table.set_display_hook(tables.append)
    try:
        yield tables
    finally:
        table.set_display_hook(None)


def show(exo, method, *args):
    """The one table `exo.method(*args)` shows."""
    with captured() as tables, contextlib.redirect_stdout(io.StringIO()):
        getattr(exo, method)(*args)
    assert len(tables) == 1, tables
    return tables[0]


def rows(shown):
    """The data rows of a table as (texts, ok)."""
    return [([c.text for c in row.cells], row.ok) for row in shown.rows if isinstance(row, table.Row)]
