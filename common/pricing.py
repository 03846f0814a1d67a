"""Approximate list prices in USD per million tokens, for the cost column.

Prices change; a model not listed gets no cost (null), never a guess. Local models cost 0.
Columns: input, cached input read, cache write, output (reasoning tokens bill as output).
"""

from __future__ import annotations

from common.providers import Usage

PRICES: dict[str, tuple[float, float, float, float]] = {
    "gpt-4o-mini": (0.15, 0.075, 0.15, 0.60),
    "gpt-4o": (2.50, 1.25, 2.50, 10.00),
    "gpt-4.1": (2.00, 0.50, 2.00, 8.00),
    "gpt-4.1-mini": (0.40, 0.10, 0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.025, 0.10, 0.40),
    "o4-mini": (1.10, 0.275, 1.10, 4.40),
    "claude-sonnet-4-5": (3.00, 0.30, 3.75, 15.00),
    "claude-opus-4-5": (5.00, 0.50, 6.25, 25.00),
    "claude-haiku-4-5": (1.00, 0.10, 1.25, 5.00),
}


def _price_for(model: str) -> tuple[float, float, float, float] | None:
    # Dated snapshots (claude-sonnet-4-5-20250929, gpt-4o-2024-08-06) price as their family.
    best = None
    for name in PRICES:
        if (model == name or model.startswith(name + "-")) and (best is None or len(name) > len(best)):
            best = name
    return PRICES[best] if best else None


def cost_usd(provider: str, model: str, usage: Usage) -> float | None:
    if provider == "local":
        return 0.0
    price = _price_for(model)
    if price is None or usage.input_tokens is None:
        return None
    p_in, p_cached, p_write, p_out = price
    cached = usage.cached_input_tokens or 0
    written = usage.cache_creation_input_tokens or 0
    # OpenAI counts cached tokens inside input_tokens; Anthropic reports them separately.
    uncached = usage.input_tokens - cached if provider != "claude" else usage.input_tokens
    total = uncached * p_in + cached * p_cached + written * p_write + (usage.output_tokens or 0) * p_out
    return round(total / 1e6, 8)
