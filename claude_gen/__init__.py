"""Anthropic Claude generation (Messages API, extended thinking, prompt caching)."""

from claude_gen.generate import ClaudeAdapter

__all__ = ["ClaudeAdapter"]
