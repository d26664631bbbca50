"""Datasets: the arguments of one call (Args) or of one generator call (GeneratorArgs)."""

import copy
import itertools
import types


def token_repr(value):
    """How an argument is shown in the call column: names for classes and functions, {a, b} for sets."""
    if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return getattr(value, "__name__", repr(value))
    if type(value) is set:
        if not value:
            return "{}"
        try:
            items = sorted(value)
        except TypeError:
            items = list(value)
        return "{" + ", ".join(repr(item) for item in items) + "}"
    return repr(value)


class Args:
    """The positional and keyword arguments of one call."""

    def __init__(self, *args, **keywords):
        self.args = args
        self.keywords = keywords

    def call(self, function):
        return function(*self.args, **self.keywords)

    def init_obj(self, cls):
        return cls(*self.args, **self.keywords)

    def clone(self, mode="deep"):
        """'deep': everything copied; 'shallow': a new wrapper sharing the arguments; else self."""
        if mode == "deep":
            clone = copy.copy(self)
            clone.args, clone.keywords = copy.deepcopy((self.args, self.keywords))
            return clone
        if mode == "shallow":
            clone = copy.copy(self)
            clone.args, clone.keywords = tuple(self.args), dict(self.keywords)
            return clone
        return self

    def tokens(self):
        """The arguments as shown in the call column."""
        positional = [token_repr(value) for value in self.args]
        named = [f"{name}={token_repr(value)}" for name, value in self.keywords.items()]
        return positional + named

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(self.tokens())})"


class GeneratorArgs(Args):
    """Arguments of a generator call; `islice` (1 to 3 numbers) selects a slice of its items."""

    def __init__(self, *args, islice=None, **keywords):
        super().__init__(*args, **keywords)
        if islice is not None and not isinstance(islice, tuple):
            islice = tuple(islice) if isinstance(islice, list) else (islice,)
        self.islice = islice

    def call(self, function):
        result = function(*self.args, **self.keywords)
        try:
            iterator = iter(result)
        except TypeError:
            raise TypeError(f"not an iterable! {result!r}") from None
        if self.islice is None:
            return result
        return list(itertools.islice(iterator, *self.islice))

    def islice_text(self):
        """`beg→end/step` for the call column, or None without islice."""
        if self.islice is None:
            return None
        parts = slice(*self.islice)
        start = parts.start if parts.start is not None else 0
        stop = parts.stop if parts.stop is not None else "∞"
        step = parts.step if parts.step is not None else 1
        return f"{start}→{stop}/{step}"
