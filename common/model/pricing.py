"""Cost of a call from its usage and list prices read from data files.

Each provider package ships its own price file (`openai_gen/prices.yaml`, `claude_gen/prices.yaml`):
USD per million tokens for input, cached input (cache reads), cache writes and output, and the
share the batch API takes off. A run may add or override prices with its own file of the same form
(config key `price_file`: a gateway's model, a fine-tune, or what a self-hosted GPU costs you).

A model no table lists gets no cost (null), never another model's price; a self-hosted server costs 0
unless the run's price file names its model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.model.api import GenRequest, Price, ProviderInfo, Usage
from common.model.ratelimit import INITIAL_TOKENS_PER_CHAR, prompt_chars

_DATED = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2})$")


class PriceFileError(ValueError):
    """A price file that cannot be read; the message names the file and the entry."""


MAX_PRICE = 100_000.0  # USD per million tokens: far above any list price, low enough to stay finite in sums


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    input: float = Field(ge=0, le=MAX_PRICE)
    output: float = Field(ge=0, le=MAX_PRICE)
    cached_input: float | None = Field(None, ge=0, le=MAX_PRICE, description="default: the input price")
    cache_write: float | None = Field(None, ge=0, le=MAX_PRICE, description="default: the input price")
    batch_discount: float | None = Field(None, ge=0, le=1, description="default: the file's batch_discount")


class _PriceFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    as_of: str | None = None
    source: str | None = None
    currency: str = "USD"
    batch_discount: float = Field(0.0, ge=0, le=1)
    models: dict[str, _Entry]


def load_prices(path: str | Path) -> dict[str, Price]:
    """Model -> Price from a price file (YAML: `batch_discount`, `models: {name: {input, output,
    cached_input, cache_write, batch_discount}}`, USD per million tokens)."""
    path = Path(path)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PriceFileError(f"price file {path} cannot be read ({e.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise PriceFileError(f"price file {path} is not valid YAML (UTF-8 text)") from None
    try:
        table = _PriceFile.model_validate(raw)
    except ValidationError as e:
        errors = e.errors()
        first = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])  # a typo says most
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        what = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise PriceFileError(f"price file {path}: '{where}': {what}") from None
    if table.currency != "USD":
        raise PriceFileError(f"price file {path}: prices must be in USD, not {table.currency}")
    return {
        name: Price(
            input=e.input,
            cached_input=e.input if e.cached_input is None else e.cached_input,
            cache_write=e.input if e.cache_write is None else e.cache_write,
            output=e.output,
            batch_discount=table.batch_discount if e.batch_discount is None else e.batch_discount,
        )
        for name, e in table.models.items()
    }


def price_for(prices: Mapping[str, Price], model: str) -> Price | None:
    """The listed price of `model`, or of the model a dated snapshot names
    (claude-haiku-4-5-20251001 prices as claude-haiku-4-5, gpt-5-mini-2025-08-07 as gpt-5-mini)."""
    return prices.get(model) or prices.get(_DATED.sub("", model))


class Pricer:
    """Prices calls for one run: the run's own price file first, then the provider's table."""

    def __init__(self, extra: Mapping[str, Price] | None = None) -> None:
        self.extra: Mapping[str, Price] = extra or {}

    @classmethod
    def from_file(cls, path: str | Path | None) -> Pricer:
        return cls(load_prices(path) if path else None)

    def price(self, info: ProviderInfo, model: str) -> Price | None:
        return price_for(self.extra, model) or price_for(info.prices, model)

    def known(self, info: ProviderInfo, model: str) -> bool:
        """Whether calls to `model` get a cost (self-hosted servers cost 0 unless priced)."""
        return info.self_hosted or self.price(info, model) is not None

    def cost(self, info: ProviderInfo, model: str, usage: Usage, batched: bool = False) -> float | None:
        price = self.price(info, model)
        if price is None:
            return 0.0 if info.self_hosted else None
        if usage.input_tokens is None:
            return None
        cached = usage.cached_input_tokens or 0
        written = usage.cache_creation_input_tokens or 0
        uncached = usage.input_tokens - cached if info.cached_input_in_input_tokens else usage.input_tokens
        total = (uncached * price.input + cached * price.cached_input + written * price.cache_write
                 + (usage.output_tokens or 0) * price.output)
        if batched:
            total *= 1.0 - price.batch_discount
        return round(total / 1e6, 8)

    def bound(self, info: ProviderInfo, req: GenRequest, n: int, requests: int, batched: bool = False) -> float | None:
        """The most a query's first turns can cost: its prompt (estimated from characters) sent `requests`
        times, and `n` candidates at `max_tokens` each. None: the model has no price."""
        prompt = prompt_chars(req) * INITIAL_TOKENS_PER_CHAR
        usage = Usage(input_tokens=round(prompt * requests), output_tokens=n * req.max_tokens)
        return self.cost(info, req.model, usage, batched=batched)

    def billed_input(self, info: ProviderInfo, model: str, usage: Usage) -> float | None:
        """Input tokens as billed, in full-price input tokens: cache reads and writes weighted by their
        price against the input price (what prompt caching and `n` save shows here)."""
        if usage.input_tokens is None:
            return None
        price = self.price(info, model)
        cached = usage.cached_input_tokens or 0
        written = usage.cache_creation_input_tokens or 0
        uncached = usage.input_tokens - cached if info.cached_input_in_input_tokens else usage.input_tokens
        if price is None or price.input == 0:
            read_w, write_w = (0.1, 1.25) if not info.cached_input_in_input_tokens else (0.5, 1.0)
        else:
            read_w, write_w = price.cached_input / price.input, price.cache_write / price.input
        return uncached + cached * read_w + written * write_w

    @staticmethod
    def prompt_tokens(info: ProviderInfo, usage: Usage) -> int | None:
        """The whole prompt of one call, cached or not (what a call without caching would bill)."""
        if usage.input_tokens is None:
            return None
        if info.cached_input_in_input_tokens:
            return usage.input_tokens + (usage.cache_creation_input_tokens or 0)
        return usage.input_tokens + (usage.cached_input_tokens or 0) + (usage.cache_creation_input_tokens or 0)


DEFAULT_PRICER = Pricer()  # the shipped list prices, no run price file


# ---- who spent what, per candidate --------------------------------------------------------------
@dataclass
class Spend:
    """The model calls a candidate caused besides its own generation: the judge's verdicts and refusal
    classifications, and the LLM tool mock's answers (cache hits cost nothing). None: a call had no
    listed price."""

    judge: float | None = 0.0
    tool_mock: float | None = 0.0

    def add(self, who: str, cost: float | None) -> None:
        name = "tool_mock" if who == "tool mock" else "judge"
        before = getattr(self, name)
        setattr(self, name, None if before is None or cost is None else round(before + cost, 8))


_SPEND: ContextVar[Spend | None] = ContextVar("bestofn_spend", default=None)


def charge(who: str, cost: float | None) -> None:
    """Add a call's cost to the candidate being checked in this task, if one is (see `metering`)."""
    spend = _SPEND.get()
    if spend is not None:
        spend.add(who, cost)


@contextmanager
def metering() -> Iterator[Spend]:
    """Collect what the calls made inside this block (in this task and the tasks it starts) cost."""
    spend = Spend()
    token = _SPEND.set(spend)
    try:
        yield spend
    finally:
        _SPEND.reset(token)
