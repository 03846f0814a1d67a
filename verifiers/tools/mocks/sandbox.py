"""ToolSandbox: one conversation's mock tools and their state."""

from __future__ import annotations

import json
import threading
from typing import Any

from verifiers.tools.mocks.catalog import BY_NAME
from verifiers.tools.mocks.matching import match_tool
from verifiers.tools.mocks.registry import Call, MockMatch, MockResult, declared_params
from verifiers.tools.mocks.state import SandboxState
from verifiers.tools.mocks.util import NOW, MockError, clip, iso, jsonable, oversize, short_id

INTERNAL_ERROR = "internal mock error"  # a bug in a mock, never an API-style failure


class ToolSandbox:
    """One per candidate conversation: holds that conversation's state (in-memory file system,
    SQLite database in ":memory:", mailbox, calendar, notes, todo lists, key-value store...)."""

    def __init__(self, key: str = "") -> None:
        self.key = key if isinstance(key, str) else str(key)
        self.state = SandboxState(self.key)
        # Calls within one conversation are sequential, but a caller may share a sandbox across threads.
        self._lock = threading.Lock()

    def match(self, tool: dict[str, Any]) -> MockMatch:
        return match_tool(tool)

    def call(self, tool: dict[str, Any], arguments: dict[str, Any]) -> MockResult:
        try:
            found = self.match(tool)
        except Exception as exc:  # a malformed tool must not break the conversation
            return MockResult(False, {"error": f"{INTERNAL_ERROR}: {type(exc).__name__} while matching"}, None, 0.0)
        name = _tool_name(tool)
        if found.mock is None:
            return MockResult(True, acknowledgement(name, arguments), None, 0.0)
        mock = BY_NAME[found.mock]
        with self._lock:
            try:
                result = mock.func(Call(name, arguments, mock, self.state, declared_params(tool)))
                ok = True
            except MockError as exc:
                result, ok = {"error": clip(str(exc), 300)}, False
            except Exception as exc:  # a bug in a mock: report it, never raise into the caller
                result, ok = {"error": f"{INTERNAL_ERROR} in {mock.name}: {type(exc).__name__}"}, False
        return MockResult(ok, _safe(result), mock.name, found.confidence)

    def close(self) -> None:
        self.state.close()

    def __enter__(self) -> ToolSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tool_name(tool: Any) -> str:
    if isinstance(tool, dict):
        inner = tool.get("function") if isinstance(tool.get("function"), dict) else tool
        if isinstance(inner.get("name"), str):
            return inner["name"][:200]
    return "tool"


def _safe(result: Any) -> Any:
    """The result as plain JSON data; anything else (a set, bytes, NaN) is converted, never raised."""
    try:
        json.dumps(result, allow_nan=False)
        return result
    except (TypeError, ValueError, RecursionError):
        return jsonable(result)


def acknowledgement(name: str, arguments: Any) -> dict[str, Any]:
    """What an unknown tool answers: a generic success that echoes the arguments."""
    args = jsonable(arguments) if isinstance(arguments, dict) else {}
    out = {"status": "success", "tool": name, "request_id": short_id("req_", name, args, length=12),
           "received_arguments": args, "timestamp": iso(NOW), "message": f"{name} completed successfully."}
    if isinstance(arguments, dict) and oversize(arguments):
        out["received_arguments_truncated"] = True  # the echo above is cut; say so rather than pass it off whole
    return out
