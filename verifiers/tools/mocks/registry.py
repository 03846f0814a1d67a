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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from verifiers.tools.mocks.util import (
    MAX_ITEMS,
    MAX_STR,
    MockError,
    Rand,
    clip,
    jsonable,
    norm_key,
    oversize,
    parse_date,
    stem,
    words,
)

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
    # A required parameter that others can stand in for: {"location": ("lat", "lon")} takes coordinates.
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


def collector(domain: str, into: list[Mock], words_for_all: str = "") -> Callable[..., Any]:
    """The `@mock(...)` decorator of one domain module; it appends to that module's list.

    `words_for_all` are extra words of every mock of the module: namespace prefixes such as
    "math.factorial" or "finance.get_quote" then count for the module's mocks.
    """

    def mock(name: str, *, topic: str, extra: str = "", anti: str = "", desc: str = "",
             params: dict[str, str] | None = None, required: tuple[str, ...] = (),
             example: dict[str, Any] | None = None, summary: str = "",
             alt: dict[str, tuple[str, ...]] | None = None) -> Callable[[Callable[[Call], Any]], Any]:
        aliases = {p: frozenset({norm_key(p), *(norm_key(a) for a in spec.split())})
                   for p, spec in (params or {}).items()}
        single = frozenset(stem(a) for group in aliases.values() for a in group if "_" not in a)

        def wrap(func: Callable[[Call], Any]) -> Callable[[Call], Any]:
            into.append(Mock(name=name, domain=domain, func=func, topic=_stems(topic),
                             extra=_stems(extra + " " + words_for_all), anti=_stems(anti),
                             desc=_stems(desc + " " + summary), params=aliases, required=required,
                             example=dict(example or {}), summary=summary or name, alias_words=single,
                             alternatives=dict(alt or {})))
            return func

        return wrap

    return mock


# Parameter alias groups shared by many mocks.
LOCATION = "location city place q query address city_name town where loc region area destination position " \
           "zip zipcode zip_code postal_code postcode"
QUERY = "query q search search_query term keywords keyword text topic prompt question input"
LIMIT = "limit n count num num_results max_results top_k top size max page_size number results"
DATE = "date day on when date_str target_date datetime"

_NUM_JUNK = re.compile(r"[,$€£¥%\s_]")


class Call:
    """One call of one mock: the arguments bound to canonical names, the sandbox state, a seeded generator.

    Reading an argument never quietly changes it: text past its length limit, a number out of
    range, a list with too many items or an argument that had to be cut to fit is an error
    result, named by the tool's own parameter name (`declared`: the tool schema's properties).
    """

    def __init__(self, tool_name: str, arguments: Any, mock: Mock, state: SandboxState,
                 declared: Sequence[str] = ()) -> None:
        self.tool = tool_name
        args = arguments if isinstance(arguments, dict) else {}
        self.raw: dict[str, Any] = jsonable(args)
        self._oversize = {str(k)[:200]: isinstance(v, str) for k, v in list(args.items())[:MAX_ITEMS] if oversize(v)}
        self.state = state
        self.mock = mock
        self.declared = tuple(str(k) for k in declared)[:50]
        self._schema: dict[str, str] | None = None
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

    def label(self, name: str) -> str | None:
        """The tool's own name for the mock parameter `name`: the argument that carries it, else the
        schema property that maps onto it; `name` itself when the tool declares no schema; None when
        the tool's schema has nothing for it."""
        if name in self._bound:
            return self._bound[name]
        if not self.declared:
            return name
        if self._schema is None:
            self._schema = bind(list(self.declared), self.mock)
        return self._schema.get(name)

    def arg(self, name: str) -> str:
        """How a message names a parameter: "argument 'lat'", or "the latitude" when the tool has no name for it."""
        label = self.label(name)
        return f"argument '{label}'" if label is not None else f"the {human(name)}"

    def missing(self, name: str) -> MockError:
        """The error for a required parameter that was not given, in the tool's terms, alternatives included."""
        options: list[list[str]] = []
        own = self.label(name)
        if own is not None:
            options.append([own])
        group = self.mock.alternatives.get(name, ())
        labels = [self.label(p) for p in group if not self.has(p)]
        if labels and all(labels):  # the alternative's parameters that are still missing, if the tool has them
            options.append([label for label in labels if label is not None])
        if not options:
            return MockError(f"no {human(name)} was given")
        text = [" and ".join(f"'{label}'" for label in option) for option in options]
        plural = "s" if len(options[0]) > 1 else ""
        alternative = f" (or {text[1]})" if len(text) > 1 else ""
        return MockError(f"missing required argument{plural} {text[0]}{alternative}")

    def value(self, name: str) -> Any:
        key = self._bound.get(name)
        if key is None:
            return None
        if key in self._oversize:
            limits = f"{MAX_STR:,} characters" if self._oversize[key] else \
                f"{MAX_ITEMS:,} items, 20 levels of nesting and {MAX_STR:,} characters per text"
            raise MockError(f"argument '{key}' is too large (at most {limits})")
        return self.raw.get(key)

    def has(self, name: str) -> bool:
        value = self.value(name)
        return value is not None and value != "" and value != [] and value != {}

    def text(self, name: str, default: str = "", limit: int = 200) -> str:
        """The argument as text; longer than `limit` characters is an error, never a silent cut."""
        value = self.value(name)
        if isinstance(value, bool):
            out = str(value).lower()
        elif isinstance(value, int | float):
            out = str(value)
        elif isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
            out = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and value.strip():
            out = value.strip()
        else:
            return default
        if len(out) > limit:
            raise MockError(f"{self.arg(name)} is too long (at most {limit:,} characters)")
        return out

    def need(self, name: str, limit: int = 200) -> str:
        value = self.text(name, limit=limit)
        if not value:
            raise self.missing(name)
        return value

    def day(self, name: str, default: date | None = None) -> date | None:
        """A calendar date, or `default` when absent; text that is not a readable date is an error."""
        raw = self.text(name, limit=64)
        if not raw:
            return default
        out = parse_date(raw)
        if out is None:
            raise MockError(f"could not read {self.arg(name)} as a date: '{clip(raw, 40)}'")
        return out

    def num(self, name: str, default: float | None = None) -> float | None:
        """A number, or `default` when absent; one that is not a number or past 1e15 in magnitude is an error."""
        if not self.has(name):
            return default
        value = to_number(self.value(name))
        if value is None:
            raise MockError(f"{self.arg(name)} must be a number")
        if abs(value) > 1e15:
            raise MockError(f"{self.arg(name)} is out of range")
        return value

    def need_num(self, name: str, lo: float = -1e15, hi: float = 1e15) -> float:
        """A required number; outside [lo, hi] it is rejected the way an API rejects absurd input."""
        value = self.num(name)
        if value is None:
            raise self.missing(name)
        if not lo <= value <= hi:
            raise MockError(f"{self.arg(name)} is out of range ({lo:g} to {hi:g})")
        return value

    def integer(self, name: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
        """A whole number, or `default` when absent; outside [lo, hi] is an error, not a clamp."""
        value = self.num(name)
        if value is None:
            return default
        if not value.is_integer():
            raise MockError(f"{self.arg(name)} must be a whole number")
        out = int(value)
        if lo is not None and hi is not None and not lo <= out <= hi:
            raise MockError(f"{self.arg(name)} must be between {lo:,} and {hi:,}")
        if lo is not None and out < lo:
            raise MockError(f"{self.arg(name)} must be at least {lo:,}")
        if hi is not None and out > hi:
            raise MockError(f"{self.arg(name)} must be at most {hi:,}")
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
        """Short texts from a list or a comma/semicolon/newline separated string; more than `limit` is an error."""
        value = self.value(name)
        if isinstance(value, list):
            out = [str(v) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
        elif isinstance(value, str):
            if len(value) > 5000:
                raise MockError(f"{self.arg(name)} is too long (at most 5,000 characters)")
            out = [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]
        else:
            out = []
        if len(out) > limit:
            raise MockError(f"{self.arg(name)} has too many items (at most {limit})")
        if any(len(item) > 200 for item in out):
            raise MockError(f"{self.arg(name)} has an item longer than 200 characters")
        return out

    def numbers(self, name: str, limit: int = 10_000) -> list[float]:
        """Numbers from a list or a separated string; an entry that is not a number, or too many, is an error."""
        value = self.value(name)
        if isinstance(value, str):
            if len(value) > 100_000:
                raise MockError(f"{self.arg(name)} is too long (at most 100,000 characters)")
            value = [part for part in re.split(r"[,;\s]+", value.strip().strip("[]()")) if part]
        if not isinstance(value, list):
            return []
        if len(value) > limit:
            raise MockError(f"{self.arg(name)} has too many values (at most {limit:,})")
        out = [to_number(v) for v in value]
        if any(v is None for v in out):
            raise MockError(f"{self.arg(name)} must contain only numbers")
        return [v for v in out if v is not None]

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.value(name)
        return value if isinstance(value, dict) else {}


_HUMAN = {"from": "source", "to": "recipient or target", "sql": "SQL statement", "a": "first number",
          "b": "second number", "n": "number", "lat": "latitude", "lon": "longitude", "id": "identifier",
          "from_tz": "source time zone", "to_tz": "target time zone", "q": "query"}


def human(name: str) -> str:
    """A mock parameter in words, for messages to a tool that has no parameter of its own for it."""
    return _HUMAN.get(name, name.replace("_", " "))


def declared_params(tool: Any) -> tuple[str, ...]:
    """The property names of a tool's JSON Schema (OpenAI wrapper tolerated); () when it declares none."""
    if not isinstance(tool, dict):
        return ()
    inner = tool.get("function") if isinstance(tool.get("function"), dict) else tool
    params = inner.get("parameters") if isinstance(inner.get("parameters"), dict) else {}
    props = params.get("properties") if isinstance(params.get("properties"), dict) else {}
    return tuple(str(k) for k in list(props)[:50])


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
