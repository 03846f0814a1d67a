"""Anthropic Claude generation (Messages API, extended thinking, prompt caching)."""

from claude_gen.adapter import CLAUDE, ClaudeAdapter

__all__ = ["CLAUDE", "ClaudeAdapter"]
