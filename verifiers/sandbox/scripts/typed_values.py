"""Type-tagged JSON for values crossing the sandbox boundary between untrusted and trusted code.

Builtin values cross; an object with a rigged __eq__ cannot: the trusted side compares genuine builtin
values it rebuilt itself. A subclass of a builtin (defaultdict, Counter, OrderedDict, a namedtuple, an
IntEnum) crosses as its base type's value, read through the base type's own methods (list.__iter__,
dict.items, int.__int__ ...), so none of the subclass's overrides runs or crosses: what arrives is what
`==` would have compared in one process, minus the rigging. A numpy scalar crosses as its .item() (a
fake one gains nothing: only a plain builtin scalar is accepted from it). Huge ints cross in hex
(decimal str() of more than 4300 digits is refused by Python).
"""

from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 64
MAX_NODES = 200_000
_HEX_BITS = 10_000  # ints longer than this cross in hex (about 3000 decimal digits)
# The base types a subclass is read as, through the base type's own methods (never the subclass's).
_BASE_READ = (
    (int, int.__int__), (float, float.__float__), (complex, complex.__complex__), (str, str.__str__),
    (bytes, bytes.__bytes__), (list, lambda v: list(list.__iter__(v))), (tuple, lambda v: tuple(tuple.__iter__(v))),
    (frozenset, lambda v: frozenset(frozenset.__iter__(v))), (set, lambda v: set(set.__iter__(v))),
    (dict, lambda v: dict(dict.items(v))),
)


class Unserialisable(TypeError):
    pass


def encode(value: Any) -> dict:
    budget = [MAX_NODES]

    def enc(v: Any, depth: int) -> dict:
        budget[0] -= 1
        if budget[0] < 0 or depth > MAX_DEPTH:
            raise Unserialisable("value too large or too deeply nested")
        t = type(v)
        if v is None:
            return {"t": "none"}
        if t is bool:
            return {"t": "bool", "v": v}
        if t is int:
            return {"t": "int", "v": str(v)} if v.bit_length() <= _HEX_BITS else {"t": "int", "x": format(v, "x")}
        if t is float:
            return {"t": "float", "v": repr(v)}
        if t is complex:
            return {"t": "complex", "v": [repr(v.real), repr(v.imag)]}
        if t is str:
            return {"t": "str", "v": v}
        if t is bytes:
            return {"t": "bytes", "v": v.hex()}
        if t in (list, tuple, set, frozenset):
            return {"t": t.__name__, "v": [enc(x, depth + 1) for x in v]}
        if t is dict:
            return {"t": "dict", "v": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if t.__module__ == "numpy" and t.__name__ != "ndarray" and hasattr(v, "item"):
            # A numpy scalar (np.int64 == 3 holds in one process): its value, which must be a plain
            # builtin scalar. Arrays stay out: their == is elementwise, `assert arr == [1, 2]` fails.
            value = v.item()
            if type(value) not in (bool, int, float, complex, str, bytes):
                raise Unserialisable(f"cannot return a numpy {t.__name__}")
            return enc(value, depth)
        for base, read in _BASE_READ:
            if issubclass(t, base):  # the real type, not __class__ (which an object can fake)
                try:
                    value = read(v)
                except Exception as e:  # noqa: BLE001 - a broken subclass cannot cross
                    raise Unserialisable(f"cannot read a {t.__module__}.{t.__qualname__} as {base.__name__}") from e
                if type(value) is not base:
                    raise Unserialisable(f"cannot return a {t.__module__}.{t.__qualname__}")
                return enc(value, depth)
        raise Unserialisable(f"cannot return a {t.__module__}.{t.__qualname__}")

    return enc(value, 0)


def decode(node: Any) -> Any:
    if not isinstance(node, dict) or "t" not in node:
        raise ValueError("malformed value")
    t, v = node["t"], node.get("v")
    if t == "none":
        return None
    if t == "bool":
        return bool(v)
    if t == "int":
        return int(node["x"], 16) if "x" in node else int(v)
    if t == "float":
        return float(v)
    if t == "complex":
        return complex(float(v[0]), float(v[1]))
    if t == "str":
        return str(v)
    if t == "bytes":
        return bytes.fromhex(v)
    if t in ("list", "tuple", "set", "frozenset"):
        items = [decode(x) for x in v]
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[t](items)
    if t == "dict":
        return {decode(k): decode(x) for k, x in v}
    raise ValueError(f"unknown type tag {t!r}")


def short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's decimal-conversion limit, maybe nested
        text = f"<{type(value).__name__} too large to show>"
    if isinstance(value, float) and math.isnan(value):
        text = "nan"
    return text if len(text) <= limit else text[: limit - 3] + "..."
