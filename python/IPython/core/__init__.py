"""`IPython.core`: only `IPython.core.display`, the same module as `IPython.display`."""

import sys as _sys

from .. import display

_sys.modules[__name__ + ".display"] = display
