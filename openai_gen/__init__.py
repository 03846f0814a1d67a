"""OpenAI and OpenAI-compatible generation (Chat Completions and Responses API)."""

from openai_gen.adapter import LOCAL, OPENAI, OpenAIAdapter

__all__ = ["LOCAL", "OPENAI", "OpenAIAdapter"]
