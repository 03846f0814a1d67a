"""Deterministic mock tools for answering a model's tool calls.

    sandbox = ToolSandbox(key=row_id)          # one per candidate conversation
    sandbox.match(tool)                        # MockMatch(mock="weather_current", confidence=0.86)
    sandbox.call(tool, {"location": "Paris"})  # MockResult(ok=True, result={...}, mock=..., confidence=...)
    sandbox.close()

A tool is {"name", "description", "parameters": JSON Schema}; arguments arrive parsed. Results
depend only on the tool, the arguments, the sandbox key and earlier calls in the same sandbox:
never on the clock (now is 2025-06-15T12:00:00Z), the process or the machine.

Model output is hostile, so every sandbox is bounded: 16 MB and 1,000 items per store for what the
tools keep (files, notes, mail, events...), a 32 MB SQLite database, results of at most 1 MB from
SQL; a write past a limit or an argument out of range is an error result (ok=False), never a
silent cut or clamp. A tool whose schema cannot supply a mock's required parameters matches below
0.4, so the caller's LLM mock answers it instead; so does a tool named for an action (cancel_order,
book_hotel) that no mock performs: a lookup of the same noun never answers it (verbs.py).
"""

from __future__ import annotations

from verifiers.tools.mocks.catalog import MOCKS as _MOCKS
from verifiers.tools.mocks.registry import MockMatch, MockResult
from verifiers.tools.mocks.sandbox import ToolSandbox

MOCK_COUNT: int = len(_MOCKS)
MOCK_NAMES: tuple[str, ...] = tuple(m.name for m in _MOCKS)

__all__ = ["MOCK_COUNT", "MOCK_NAMES", "MockMatch", "MockResult", "ToolSandbox"]
