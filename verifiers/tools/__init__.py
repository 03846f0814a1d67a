"""Verification of tool (function) calls: one internal tool form (`spec`), strict JSON Schema checks of
each call's arguments (`args`), exact matching against a BFCL-style reference (`reference`), and the
split's verifier (`verifier`)."""

from __future__ import annotations

from verifiers.tools.args import CallCheck, check_call
from verifiers.tools.reference import RefMatch, match_reference
from verifiers.tools.spec import normalize_tools, to_anthropic, to_openai_chat, to_openai_responses, tool_index
from verifiers.tools.verifier import ToolCallingVerifier

__all__ = [
    "CallCheck",
    "RefMatch",
    "ToolCallingVerifier",
    "check_call",
    "match_reference",
    "normalize_tools",
    "to_anthropic",
    "to_openai_chat",
    "to_openai_responses",
    "tool_index",
]
