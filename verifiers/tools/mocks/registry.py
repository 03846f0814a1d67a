"""What a mock is, how domain modules declare one, and how a mock reads its arguments.

A domain module keeps a list `MOCKS` and declares each implementation with `@mock(...)`:
the words that name its topic in a tool name, words that tell it apart from its siblings, words
that rule it out, description words, and its parameters with the names real tools give them.
The arguments a model sends use the tool's own parameter names; `Call` maps them onto the
mock's canonical names through those aliases, so a mock body reads `c.text("location")`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from verifiers.tools.mocks.util import MockError, Rand, clip, jsonable, norm_key, stem, words

__all__ = ["DATE", "LIMIT", "LOCATION", "QUERY", "Call", "Mock", "MockError", "MockMatch", "MockResult", "collector"]

if TYPE_CHECKING:
    from verifiers.tools.mocks.state import SandboxState


@dataclass(frozen=True)
class MockMatch:
    mock: str | None  # the mock implementation's name, None when nothing fits
    confidence: float  # 0..1: how sure the match is


@dataclass(frozen=True)
class MockResult:
    ok: bool  # False: the call failed the way a real API would
    result: Any  # JSON-serialisable; {"error": "one sentence"} when ok is False
    mock: str | None
    confidence: float


@dataclass(frozen=True, eq=False)
class Mock:
    name: str
    domain: str
    func: Callable[[Call], Any]
    topic: frozenset[str]
    extra: frozenset[str]
    anti: frozenset[str]
    desc: frozenset[str]
    params: dict[str, frozenset[str]]  # canonical name -> normalised aliases (the name included)
    required: tuple[str, ...]
    example: dict[str, Any]
    summary: str
    alias_words: frozenset[str] = field(default=frozenset())  # stems of single-word aliases: matching vocabulary


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


def collector(domain: str, into: list[Mock], words_for_all: str = "") -> Callable[..., Any]:
    """The `@mock(...)` decorator of one domain module; it appends to that module's list.

    `words_for_all` are extra words of every mock of the module: namespace prefixes such as
    "math.factorial" or "finance.get_quote" then count for the module's mocks.
    """

    def mock(name: str, *, topic: str, extra: str = "", anti: str = "", desc: str = "",
             params: dict[str, str] | None = None, required: tuple[str, ...] = (),
             example: dict[str, Any] | None = None, summary: str = "") -> Callable[[Callable[[Call], Any]], Any]:
        aliases = {p: frozenset({norm_key(p), *(norm_key(a) for a in spec.split())})
                   for p, spec in (params or {}).items()}
        single = frozenset(stem(a) for group in aliases.values() for a in group if "_" not in a)

        def wrap(func: Callable[[Call], Any]) -> Callable[[Call], Any]:
            into.append(Mock(name=name, domain=domain, func=func, topic=_stems(topic),
                             extra=_stems(extra + " " + words_for_all), anti=_stems(anti),
                             desc=_stems(desc + " " + summary), params=aliases, required=required,
                             example=dict(example or {}), summary=summary or name, alias_words=single))
            return func

        return wrap

    return mock


# Parameter alias groups shared by many mocks.
LOCATION = "location city place q query address city_name town where loc region area destination position"
QUERY = "query q search search_query term keywords keyword text topic prompt question input"
LIMIT = "limit n count num num_results max_results top_k top size max page_size number results"
DATE = "date day on when date_str target_date datetime"

_NUM_JUNK = re.compile(r"[,$€£¥%\s_]")


class Call:
    """One call of one mock: the arguments bound to canonical names, the sandbox state, a seeded generator."""

    def __init__(self, tool_name: str, arguments: Any, mock: Mock, state: SandboxState) -> None:
        self.tool = tool_name
        self.raw: dict[str, Any] = jsonable(arguments) if isinstance(arguments, dict) else {}
        self.state = state
        self.mock = mock
        self.rand = Rand(tool_name, self.raw)
        self._bound = bind(list(self.raw), mock)
        primary = next(iter(mock.params), None)
        if primary is not None and primary not in self._bound:
            # A one-argument tool whose parameter has an unexpected name ("input", "value"): use it.
            claimed = set(self._bound.values())
            for key, value in self.raw.items():
                if key not in claimed and isinstance(value, str | int | float) and not isinstance(value, bool):
                    self._bound[primary] = key
                    break

    def seeded(self, *parts: Any) -> Rand:
        return Rand(self.mock.name, *parts)

    def key(self, name: str) -> str:
        """The argument key bound to `name` ("" when none): some mocks read units from it (weight_lbs)."""
        return self._bound.get(name, "")

    def value(self, name: str) -> Any:
        key = self._bound.get(name)
        return None if key is None else self.raw.get(key)

    def has(self, name: str) -> bool:
        value = self.value(name)
        return value is not None and value != "" and value != [] and value != {}

    def text(self, name: str, default: str = "", limit: int = 200) -> str:
        value = self.value(name)
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int | float):
            return clip(str(value), limit)
        if isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
            return clip(", ".join(str(v) for v in value), limit)
        if isinstance(value, str) and value.strip():
            return clip(value.strip(), limit)
        return default

    def need(self, name: str, limit: int = 200) -> str:
        value = self.text(name, limit=limit)
        if not value:
            raise MockError(f"missing required argument '{name}'")
        return value

    def num(self, name: str, default: float | None = None) -> float | None:
        """A number, or `default`; magnitudes past 1e15 count as absent, so formulas never overflow."""
        value = to_number(self.value(name), default)
        return value if value is None or abs(value) <= 1e15 else default

    def need_num(self, name: str, lo: float = -1e15, hi: float = 1e15) -> float:
        """A required number; outside [lo, hi] it is rejected the way an API rejects absurd input."""
        value = self.num(name)
        if value is None:
            raise MockError(f"argument '{name}' must be a number")
        if not lo <= value <= hi:
            raise MockError(f"argument '{name}' is out of range ({lo:g} to {hi:g})")
        return value

    def integer(self, name: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
        value = self.num(name)
        out = default if value is None else int(value)
        if lo is not None:
            out = max(lo, out)
        if hi is not None:
            out = min(hi, out)
        return out

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.value(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("true", "yes", "y", "1", "on"):
                return True
            if low in ("false", "no", "n", "0", "off"):
                return False
        return default

    def items(self, name: str, limit: int = 50) -> list[str]:
        value = self.value(name)
        if isinstance(value, list):
            out = [clip(str(v), 200) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
        elif isinstance(value, str):
            out = [part.strip() for part in re.split(r"[,;\n]", value[:5000]) if part.strip()]
        else:
            out = []
        return out[:limit]

    def numbers(self, name: str, limit: int = 10_000) -> list[float]:
        value = self.value(name)
        if isinstance(value, str):
            value = re.split(r"[,;\s]+", value.strip()[:100_000])
        if not isinstance(value, list):
            return []
        out = [to_number(v) for v in value[:limit]]
        return [v for v in out if v is not None]

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.value(name)
        return value if isinstance(value, dict) else {}


def to_number(value: Any, default: float | None = None) -> float | None:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        # Huge integers would overflow float arithmetic downstream; cap them.
        return float(value) if abs(value) < 10**300 else default
    if isinstance(value, float):
        return value if math.isfinite(value) else default
    if isinstance(value, str) and len(value) <= 64:
        try:
            out = float(_NUM_JUNK.sub("", value))
        except ValueError:
            return default
        return out if math.isfinite(out) else default
    return default


def bind(keys: list[str], mock: Mock) -> dict[str, str]:
    """Canonical parameter -> the argument key that carries it: exact aliases first, then a word of the key."""
    bound: dict[str, str] = {}
    normal = {key: norm_key(key) for key in keys}
    for name, aliases in mock.params.items():
        for key in keys:
            if normal[key] in aliases and key not in bound.values():
                bound[name] = key
                break
    for name, aliases in mock.params.items():
        if name in bound:
            continue
        for key in keys:
            if key not in bound.values() and any(w in aliases for w in normal[key].split("_")):
                bound[name] = key
                break
    return bound
