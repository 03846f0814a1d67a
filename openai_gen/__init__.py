"""OpenAI and OpenAI-compatible generation (Chat Completions and Responses API)."""

from openai_gen.generate import OpenAIAdapter

__all__ = ["OpenAIAdapter"]
