"""Cost of one call from its usage and the provider's declared list prices.

Prices change; a model the provider does not list gets no cost (null), never another model's
price. Self-hosted servers cost 0. The tables themselves live with each provider's adapter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from common.model.api import Price, ProviderInfo, Usage

_DATED = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2})$")


def price_for(prices: Mapping[str, Price], model: str) -> Price | None:
    """The listed price of `model`, or of the model a dated snapshot names
    (claude-haiku-4-5-20251001 prices as claude-haiku-4-5, gpt-5-mini-2025-08-07 as gpt-5-mini)."""
    return prices.get(model) or prices.get(_DATED.sub("", model))


def cost_usd(info: ProviderInfo, model: str, usage: Usage) -> float | None:
    if info.self_hosted:
        return 0.0
    price = price_for(info.prices, model)
    if price is None or usage.input_tokens is None:
        return None
    cached = usage.cached_input_tokens or 0
    written = usage.cache_creation_input_tokens or 0
    uncached = usage.input_tokens - cached if info.cached_input_in_input_tokens else usage.input_tokens
    total = (uncached * price.input + cached * price.cached_input + written * price.cache_write
             + (usage.output_tokens or 0) * price.output)
    return round(total / 1e6, 8)
