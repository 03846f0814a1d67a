"""Type-tagged JSON for values crossing the sandbox boundary between untrusted and trusted code.

Only exact builtin types are encoded (`type(x) is int`, not isinstance), so a subclass or an object
with a rigged __eq__ cannot cross: the trusted side compares genuine builtin values it rebuilt itself.
"""

from __future__ import annotations

import math
from typing import Any

MAX_DEPTH = 64
MAX_NODES = 200_000


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
            return {"t": "int", "v": str(v)}
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
        return int(v)
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
    text = repr(value)
    if isinstance(value, float) and math.isnan(value):
        text = "nan"
    return text if len(text) <= limit else text[: limit - 3] + "..."
