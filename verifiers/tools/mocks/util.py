"""Shared helpers for the mocks: canonical JSON, a sha256-based generator, tokens, dates.

Nothing here may depend on process state: results must be identical across processes, so no
`random` module state, no `hash()` (salted per process) and no wall clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

# Every "now" in the mocks is this instant, so a result never depends on when it ran.
NOW = datetime(2025, 6, 15, 12, 0, 0, tzinfo=UTC)
TODAY = NOW.date()


class MockError(Exception):
    """The call fails the way the real API would (unknown ticker, file not found, ...)."""


# Bounds on what a call can carry: generous for real payloads (a 1 MB file, 10,000 numbers).
_MAX_DEPTH = 20
MAX_ITEMS = 10_000
MAX_STR = 1_000_000


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy of `value`: string keys, bounded depth and size, repr-free for odd objects."""
    if value is None or isinstance(value, bool | int | str):
        return value[:MAX_STR] if isinstance(value, str) else value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, dict):
        return {str(k)[:200]: jsonable(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [jsonable(v, depth + 1) for v in list(items)[:MAX_ITEMS]]
    if isinstance(value, bytes):
        return value.hex()[:MAX_STR]
    # Objects' default repr carries a memory address; the type name is stable.
    return f"<{type(value).__name__}>"


def oversize(value: Any, depth: int = 0) -> bool:
    """Whether `jsonable` would cut something out of `value`: a string, list or key past its bound, or depth."""
    if isinstance(value, str | bytes):
        return len(value) > (MAX_STR if isinstance(value, str) else MAX_STR // 2)
    if isinstance(value, dict | list | tuple | set | frozenset):
        if depth >= _MAX_DEPTH or len(value) > MAX_ITEMS:
            return True
        if isinstance(value, dict):
            return any(len(str(k)) > 200 or oversize(v, depth + 1) for k, v in value.items())
        return any(oversize(v, depth + 1) for v in value)
    return False


def canonical(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(*parts: Any) -> bytes:
    return hashlib.sha256(canonical(list(parts)).encode("utf-8")).digest()


def short_id(prefix: str, *parts: Any, length: int = 10) -> str:
    return prefix + hashlib.sha256(canonical(list(parts)).encode("utf-8")).hexdigest()[:length]


class Rand:
    """A deterministic generator: sha256 in counter mode over a seed built from `parts`."""

    def __init__(self, *parts: Any) -> None:
        self._seed = digest(*parts)
        self._counter = 0

    def _next(self) -> int:
        block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        return int.from_bytes(block[:8], "big")

    def random(self) -> float:
        return (self._next() >> 11) / float(1 << 53)

    def uniform(self, lo: float, hi: float, digits: int = 2) -> float:
        return round(lo + (hi - lo) * self.random(), digits)

    def randint(self, lo: int, hi: int) -> int:
        if hi <= lo:
            return lo
        return lo + self._next() % (hi - lo + 1)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self._next() % len(seq)]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        pool = list(seq)
        out = []
        for _ in range(min(k, len(pool))):
            out.append(pool.pop(self._next() % len(pool)))
        return out

    def hexstr(self, n: int) -> str:
        out = ""
        while len(out) < n:
            out += hashlib.sha256(self._seed + b"hex" + self._counter.to_bytes(8, "big")).hexdigest()
            self._counter += 1
        return out[:n]

    def code(self, n: int, alphabet: str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") -> str:
        return "".join(self.choice(alphabet) for _ in range(n))


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
_STEM_KEEP = {"news", "status", "bus", "gas", "yes", "address", "analysis", "alias", "sms", "gps", "dns", "aws",
              "this", "its", "has", "was", "is", "us", "lens", "series", "species", "plus", "minus", "bonus",
              "previous", "radius", "campus", "virus", "focus", "census", "canvas", "atlas", "chess", "ssl", "https",
              "os", "iss", "kudos", "thanks", "lyrics", "weights", "physics", "mathematics", "statistics", "stats",
              "sports", "credentials", "settings", "directions", "coordinates", "ms", "pass", "access", "less",
              "express", "process", "success", "business", "across", "fitness", "wellness", "ascii"}


def stem(word: str) -> str:
    """Plural to singular, roughly: enough that 'events' meets 'event' and 'prices' meets 'price'."""
    if len(word) <= 3 or word in _STEM_KEEP:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case word tokens of an identifier or a sentence: snake_case, camelCase, dots, dashes."""
    text = _CAMEL.sub(" ", text[:2000])
    return [w for w in _SPLIT.split(text.lower()) if w]


def tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def norm_key(text: str) -> str:
    return "_".join(words(text))


# ---- dates -------------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%Y%m%d")
_DT_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%f")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_date(text: Any, default: date | None = None) -> date | None:
    """A calendar date from common spellings ('2025-06-20', 'tomorrow', 'next friday'); None when unreadable."""
    moment = parse_datetime(text)
    if moment is not None:
        return moment.date()
    return default


def parse_datetime(text: Any, default: datetime | None = None) -> datetime | None:
    """A naive or aware datetime from ISO-ish text or a relative word; None (or default) when unreadable.

    Years outside 100-9900 count as unreadable: mocks add days and hours to dates, and near
    year 1 or 9999 that arithmetic would overflow.
    """
    moment = _parse_datetime(text)
    if moment is None or not 100 <= moment.year <= 9900:
        return default
    return moment


def _parse_datetime(text: Any) -> datetime | None:
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        return None
    raw = text.strip()
    low = raw.lower()
    relative = {"today": 0, "now": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2}
    if low in relative:
        return NOW.replace(tzinfo=None) + timedelta(days=relative[low])
    for prefix in ("next ", "this ", ""):
        if low.startswith(prefix) and low[len(prefix):] in _WEEKDAYS:
            ahead = (_WEEKDAYS.index(low[len(prefix):]) - TODAY.weekday()) % 7 or 7
            return NOW.replace(tzinfo=None, hour=9) + timedelta(days=ahead)
    match = re.fullmatch(r"in (\d{1,4}) (day|week|hour|minute)s?", low)
    if match:
        unit = {"day": "days", "week": "weeks", "hour": "hours", "minute": "minutes"}[match.group(2)]
        return NOW.replace(tzinfo=None) + timedelta(**{unit: int(match.group(1))})
    zulu = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        return datetime.fromisoformat(zulu)
    except ValueError:
        pass
    for fmt in _DT_FORMATS + _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    return None


def parse_clock(text: Any) -> tuple[int, int] | None:
    """Hours and minutes from '15:30', '3pm', '3:30 PM', '0930'."""
    if not isinstance(text, str) or len(text) > 20:
        return None
    low = text.strip().lower().replace(".", "")
    match = re.fullmatch(r"(\d{1,2})(?::?(\d{2}))?(?::\d{2})?\s*(am|pm)?", low)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def iso(moment: datetime | date) -> str:
    if isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def slug(text: str) -> str:
    return "-".join(words(text))[:60] or "item"
