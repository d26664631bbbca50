"""Values as JSON, faithfully: plain JSON where it is exact, one-key tagged objects elsewhere.

`decode(encode(x))` has the same types and value as `x`. What cannot be encoded that way (objects
of other classes, shared or recursive mutable parts, iterators) raises Unsealable with a reason —
unless a `References` is given: functions, classes and builtins are then encoded by their name
(`$ref`), and instances of such classes by their class and state (`$object`). Decoding a
reference needs a `resolve` function; without one (the trusted judge, which imports nothing a
learner names) it gives a `Ref` that only equals the same reference.
"""

import base64
import builtins
import collections
import decimal
import fractions
import importlib
import math
import types


class Unsealable(Exception):
    """An exercise (or a value) that cannot be sealed faithfully; the message says why."""


class SealedException(Exception):
    """A reference's exception, sealed: never equal to anything, shown as its original repr."""

    def __init__(self, type_name, text):
        super().__init__(text)
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return self.text


_MUTABLE = (list, dict, set, bytearray, collections.Counter, collections.OrderedDict)


def encode(value, *, results=False, refs=None, _seen=None, _path="value"):
    """JSON-ready data for `value`; `results=True` also accepts exceptions and sealed instances,
    `refs` (a References) functions, classes, builtins and instances of referable classes."""
    seen = set() if _seen is None else _seen
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        if math.isnan(value):
            return {"$float": "nan"}
        if math.isinf(value):
            return {"$float": "inf" if value > 0 else "-inf"}
        return value
    if isinstance(value, _MUTABLE) or _is_ndarray(value):
        if id(value) in seen:
            raise Unsealable(f"{_path} shares a mutable object with another part of the data")
        seen.add(id(value))

    def inner(item, where):
        return encode(item, results=results, refs=refs, _seen=seen, _path=f"{_path}{where}")

    if kind is list:
        return [inner(item, f"[{i}]") for i, item in enumerate(value)]
    if kind is tuple:
        return {"$tuple": [inner(item, f"[{i}]") for i, item in enumerate(value)]}
    if kind in (dict, collections.OrderedDict, collections.Counter):
        tag = {dict: "$dict", collections.OrderedDict: "$ordereddict", collections.Counter: "$counter"}[kind]
        return {tag: [[inner(k, "(key)"), inner(v, f"[{k!r}]")] for k, v in value.items()]}
    if kind in (set, frozenset):
        tag = "$set" if kind is set else "$frozenset"
        return {tag: [inner(item, "(item)") for item in value]}
    if kind is bytes:
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if kind is bytearray:
        return {"$bytearray": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if kind is range:
        return {"$range": [value.start, value.stop, value.step]}
    if kind is fractions.Fraction:
        return {"$fraction": [value.numerator, value.denominator]}
    if kind is decimal.Decimal:
        return {"$decimal": str(value)}
    if _is_ndarray(value):
        if value.dtype.kind not in "biufc":
            raise Unsealable(f"{_path} is a numpy array of dtype {value.dtype}")
        return {"$ndarray": {"dtype": str(value.dtype), "shape": list(value.shape), "data": inner(value.tolist(), "")}}
    if _is_numpy_scalar(value):
        return {"$numpy": {"dtype": str(value.dtype), "value": inner(value.item(), "")}}
    if results:
        from .exercise_class import SealedInstance, StepError

        if isinstance(value, SealedInstance):
            return {"$instance": value.text}
        if isinstance(value, BaseException):
            name = type(value.error if isinstance(value, StepError) else value).__name__
            text = value.text if isinstance(value, SealedException) else repr(value)
            return {"$exception": {"type": name, "repr": text}}
    if isinstance(value, Ref):
        return {"$ref": [value.module, value.name]}
    if refs is not None:
        tagged = refs.encode(value, inner, _path)
        if tagged is not None:
            return tagged
    raise Unsealable(f"{_path} is a {kind.__module__}.{kind.__qualname__}, which cannot be sealed")


class Ref:
    """A function, class or builtin named by a reference that was not resolved: equal only to the
    same reference, shown as its name (how the library shows functions in a table)."""

    def __init__(self, module, name):
        self.module, self.name = str(module), str(name)

    def __eq__(self, other):
        return isinstance(other, Ref) and (self.module, self.name) == (other.module, other.name)

    def __hash__(self):
        return hash((self.module, self.name))

    def __repr__(self):
        return self.name.rsplit(".", 1)[-1]


class SealedObject:
    """An instance encoded by reference (`$object`) and not rebuilt: its class, its state and its
    repr; equal to another with the same class and state."""

    def __init__(self, cls, state, text):
        self.cls, self.state, self.text = cls, state, text

    def __eq__(self, other):
        return isinstance(other, SealedObject) and (self.cls, self.state) == (other.cls, other.state)

    __hash__ = None

    def __repr__(self):
        return self.text


def lookup(module, name):
    """The object `module.name` (a dotted qualified name), importing the module."""
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _named(value):
    """(module, qualified name) under which `value` can be found again, or None."""
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if isinstance(value, types.BuiltinFunctionType) and module is None:
        self_ = getattr(value, "__self__", None)
        module = getattr(self_, "__name__", None) if isinstance(self_, types.ModuleType) else None
    if not module or not name or "<" in name:
        return None
    return module, name


class References:
    """How functions, classes and builtins given as data are named (`$ref`), and instances of
    named classes rebuilt (`$object`). `allow(module, name, value)` says whether a name may
    travel (the seal forbids solutions); a name is kept only if it finds the same object again."""

    def __init__(self, allow=None, find=lookup):
        self.allow, self.find = allow, find
        self.used = set()

    def _ref(self, value):
        named = _named(value)
        if named is None:
            return None
        module, name = named
        try:
            found = self.find(module, name)
        except Exception:
            return None
        if found is not value and not (module == "builtins" and getattr(builtins, name, None) is value):
            return None
        if self.allow is not None and not self.allow(module, name, value):
            return None
        self.used.add((module, name))
        return [module, name]

    def encode(self, value, inner, path):
        if callable(value) and (isinstance(value, type) or _named(value)):
            ref = self._ref(value)
            if ref is None:
                raise Unsealable(f"{path} is {getattr(value, '__qualname__', value)!r}, which cannot be named from the browser")
            return {"$ref": ref}
        cls = type(value)
        state = getattr(value, "__dict__", None)
        if isinstance(state, dict) and not hasattr(cls, "__slots__") and cls.__reduce_ex__ is object.__reduce_ex__:
            ref = self._ref(cls)
            if ref is not None:
                encoded = {str(k): inner(v, f".{k}") for k, v in state.items()}
                try:
                    text = repr(value)
                except Exception:
                    text = f"<{cls.__name__} object>"
                return {"$object": {"class": ref, "state": encoded, "repr": text}}
        return None


def _is_ndarray(value):
    return type(value).__name__ == "ndarray" and type(value).__module__ == "numpy"


def _is_numpy_scalar(value):
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and hasattr(value, "item")


def decode(data, resolve=None):
    """The value `encode()` encoded; `resolve(module, name)` finds what a `$ref` names (without
    it, references stay `Ref`s and instances `SealedObject`s)."""

    def decode(item):
        return _decode(item, resolve)

    return decode(data)


def _decode(data, resolve):
    def decode(item):
        return _decode(item, resolve)

    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    (tag, payload), = data.items()
    if tag == "$float":
        return float(payload)
    if tag == "$tuple":
        return tuple(decode(item) for item in payload)
    if tag in ("$dict", "$ordereddict", "$counter"):
        kind = {"$dict": dict, "$ordereddict": collections.OrderedDict, "$counter": collections.Counter}[tag]
        result = kind()
        for key, value in payload:
            result[decode(key)] = decode(value)
        return result
    if tag == "$set":
        return {decode(item) for item in payload}
    if tag == "$frozenset":
        return frozenset(decode(item) for item in payload)
    if tag == "$bytes":
        return base64.b64decode(payload)
    if tag == "$bytearray":
        return bytearray(base64.b64decode(payload))
    if tag == "$complex":
        return complex(decode(payload[0]), decode(payload[1]))
    if tag == "$range":
        return range(*payload)
    if tag == "$fraction":
        return fractions.Fraction(*payload)
    if tag == "$decimal":
        return decimal.Decimal(payload)
    if tag == "$ndarray":
        import numpy

        return numpy.array(decode(payload["data"]), dtype=payload["dtype"]).reshape(payload["shape"])
    if tag == "$numpy":
        import numpy

        return numpy.dtype(payload["dtype"]).type(decode(payload["value"]))
    if tag == "$instance":
        from .exercise_class import SealedInstance

        return SealedInstance(payload)
    if tag == "$exception":
        return SealedException(payload["type"], payload["repr"])
    if tag == "$ref":
        module, name = payload
        return resolve(module, name) if resolve else Ref(module, name)
    if tag == "$object":
        state = {str(k): decode(v) for k, v in payload["state"].items()}
        cls = resolve(*payload["class"]) if resolve else None
        if not isinstance(cls, type):
            return SealedObject(tuple(payload["class"]), state, str(payload.get("repr", "")))
        obj = cls.__new__(cls)
        obj.__dict__.update(state)
        return obj
    raise ValueError(f"unknown tag {tag!r} in sealed data")
