"""Which mock answers a tool: a score over the tool's name words, description words and parameter names.

A topic word in the tool's name ("weather" in get_current_weather) is the strong signal; words
that tell siblings apart ("forecast", "current") and parameters the mock understands add to it;
words that rule a mock out ("convert" for the weather) take away. A verb-like topic word
("calculate", "search") only counts as a topic when nothing else in the name is unexplained,
so calculate_distance goes to the distance mock and not to the calculator.

A mock can only serve a tool whose schema supplies each of the mock's required parameters (or a
declared alternative: latitude and longitude for a place). When a declared schema offers nothing
for one of them, the mock scores at most UNSERVABLE, below the 0.4 at which callers trust a match,
so `get_price(isin)` is not answered by the ticker mock with an error about a parameter the tool
does not have.

A tool whose name starts with an action verb (cancel_order, book_hotel) is served only by a mock
that performs that kind of action (`verbs`): a lookup of the same noun scores at most UNSERVABLE.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from verifiers.tools.mocks.catalog import MOCKS
from verifiers.tools.mocks.registry import Mock, MockMatch, bind, declared_params
from verifiers.tools.mocks.util import canonical, norm_key, tokens
from verifiers.tools.mocks.verbs import action_verbs, performs

MIN_CONFIDENCE = 0.25  # below this nothing fits: `match` answers mock=None
UNSERVABLE = 0.3  # the most a mock scores when the tool's schema cannot supply one of its required parameters

_GENERIC = frozenset({"get", "fetch", "retrieve", "api", "tool", "tools", "do", "the", "a", "an", "for", "of", "to",
                      "by", "from", "in", "on", "my", "v1", "v2", "v3", "call", "function", "func", "service", "and",
                      "with", "using", "use", "query", "run", "perform", "execute", "handle", "info",
                      "data", "detail", "details", "new", "action", "lookup", "look", "up", "all", "is", "it",
                      "at", "or"})
_VERBS = frozenset({"calculate", "compute", "evaluate", "search", "find", "convert", "conversion", "check", "lookup",
                    "create", "add", "list", "send", "read", "set", "make", "generate", "track", "schedule", "play",
                    "count", "query", "define", "remind", "roll", "flip", "calc", "eval", "math"})
_STOP = frozenset({"the", "a", "an", "of", "for", "to", "and", "or", "in", "on", "by", "with", "from", "is", "are",
                   "be", "this", "that", "it", "its", "as", "at", "returns", "return", "given", "use", "used",
                   "using", "e", "g", "ie", "eg", "if", "any", "can", "will", "which", "specified", "specific",
                   "optional", "value", "values", "tool", "function", "api", "you", "your", "user", "s"})


@dataclass(frozen=True)
class _Shape:
    name: frozenset[str]
    raw_name: frozenset[str]  # generic words kept: "fetch" still rules out validate_url
    desc: frozenset[str]
    props: tuple[tuple[str, frozenset[str]], ...]  # normalised key and its words
    keys: tuple[str, ...]  # the schema's property names as declared
    verbs: frozenset[str] = frozenset()  # action verbs of the name: only a mock that performs them serves it


def _shape(tool: dict[str, Any]) -> _Shape:
    if isinstance(tool.get("function"), dict):  # tolerate the OpenAI wrapper
        tool = tool["function"]
    name = tool.get("name") if isinstance(tool.get("name"), str) else ""
    desc = tool.get("description") if isinstance(tool.get("description"), str) else ""
    declared = declared_params(tool)
    keys = []
    for key in declared:
        normal = norm_key(key)
        keys.append((normal, frozenset(normal.split("_"))))
    words = frozenset(tokens(name))
    return _Shape(words - _GENERIC, words, frozenset(tokens(desc[:1500])) - _STOP, tuple(keys), declared,
                  action_verbs(name))


def servable(mock: Mock, shape: _Shape) -> bool:
    """Whether the tool's declared parameters supply every required parameter of the mock (or its
    alternative), bound the way `Call` binds arguments. A tool that declares no parameters is not judged."""
    if not shape.keys or not mock.required:
        return True
    bound = bind(list(shape.keys), mock)
    return all(r in bound or (mock.alternatives.get(r) and all(a in bound for a in mock.alternatives[r]))
               for r in mock.required)


def _fit(mock: Mock, shape: _Shape) -> float:
    """How well the tool's parameters suit the mock: share it understands, share of its required ones supplied."""
    bound: set[str] = set()
    known = 0
    for normal, parts in shape.props:
        hit = next((p for p, aliases in mock.params.items() if normal in aliases), None)
        if hit is None:
            hit = next((p for p, aliases in mock.params.items() if parts & aliases), None)
        if hit is not None:
            known += 1
            bound.add(hit)
    if not shape.props:
        return 0.5 if mock.required else 1.0
    if not mock.required:
        return known / len(shape.props)
    alt = mock.alternatives
    required = sum(1 for r in mock.required if r in bound or r in alt and all(a in bound for a in alt[r]))
    required /= len(mock.required)
    return 0.5 * known / len(shape.props) + 0.5 * required


def score(mock: Mock, shape: _Shape) -> float:
    vocab = mock.topic | mock.extra | mock.desc | mock.alias_words
    topic = shape.name & mock.topic
    extra = shape.name & mock.extra
    unexplained = shape.name - vocab
    if topic and not (topic - _VERBS) and unexplained:
        extra, topic = extra | topic, frozenset()  # "calculate" in calculate_distance is only a verb here
    desc_topic = shape.desc & mock.topic
    desc_hits = len(shape.desc & (mock.topic | mock.extra | mock.desc))
    fit = _fit(mock, shape)
    if topic:
        conf = 0.6 + 0.2 * fit + 0.05 * min(len(extra), 2) + 0.01 * min(desc_hits, 4)
    elif desc_topic:
        conf = 0.3 + 0.2 * fit + 0.03 * min(len(extra) + len(shape.desc & mock.extra), 2) + 0.01 * min(desc_hits, 4)
    elif extra:
        conf = 0.1 + 0.1 * fit + 0.01 * min(desc_hits, 4)
    else:
        conf = 0.0
    conf -= 0.25 * len(shape.raw_name & mock.anti) + 0.05 * min(len(shape.desc & mock.anti), 2)
    conf -= 0.06 * min(len(unexplained), 3)
    acts = not shape.verbs or performs(mock.topic, mock.extra, vocab, shape.verbs, shape.name)
    if not acts or not servable(mock, shape):
        conf = min(conf, UNSERVABLE)
    return max(0.0, min(1.0, conf))


@lru_cache(maxsize=4096)
def _match_key(key: str) -> MockMatch:
    tool = json.loads(key)
    if not isinstance(tool, dict):
        return MockMatch(None, 0.0)
    shape = _shape(tool)
    best: Mock | None = None
    best_score = -1.0
    for mock in MOCKS:  # the catalogue's order breaks ties
        value = score(mock, shape)
        if value > best_score + 1e-9:
            best, best_score = mock, value
    if best is None or best_score < MIN_CONFIDENCE:
        return MockMatch(None, 0.0)
    return MockMatch(best.name, round(best_score, 3))


def match_tool(tool: Any) -> MockMatch:
    return _match_key(canonical(tool))


def ranking(tool: dict[str, Any], top: int = 5) -> list[tuple[str, float]]:
    """The best few mocks with their scores, for debugging a surprising match."""
    shape = _shape(tool)
    scored = sorted(((round(score(m, shape), 3), i, m.name) for i, m in enumerate(MOCKS)), key=lambda t: (-t[0], t[1]))
    return [(name, value) for value, _i, name in scored[:top]]
