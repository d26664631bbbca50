"""Values as JSON, faithfully: plain JSON where it is exact, one-key tagged objects elsewhere.

`decode(encode(x))` has the same types and value as `x`. What cannot be encoded that way (objects
of other classes, shared or recursive mutable parts, iterators) raises Unsealable with a reason.
"""

import base64
import collections
import decimal
import fractions
import math


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


def encode(value, *, results=False, _seen=None, _path="value"):
    """JSON-ready data for `value`; `results=True` also accepts exceptions and sealed instances."""
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
        return encode(item, results=results, _seen=seen, _path=f"{_path}{where}")

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
    raise Unsealable(f"{_path} is a {kind.__module__}.{kind.__qualname__}, which cannot be sealed")


def _is_ndarray(value):
    return type(value).__name__ == "ndarray" and type(value).__module__ == "numpy"


def _is_numpy_scalar(value):
    return type(value).__module__ == "numpy" and hasattr(value, "dtype") and hasattr(value, "item")


def decode(data):
    """The value `encode()` encoded."""
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
    raise ValueError(f"unknown tag {tag!r} in sealed data")
