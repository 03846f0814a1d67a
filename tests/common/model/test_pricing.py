"""Costs come from the provider's declared prices; a model it does not list costs unknown (null)."""

from __future__ import annotations

import pytest

from claude_gen import CLAUDE
from common.model.api import Usage
from common.model.pricing import DEFAULT_PRICER, price_for
from openai_gen import LOCAL, OPENAI

cost_usd = DEFAULT_PRICER.cost  # the shipped list prices


def test_dated_snapshots_price_as_their_model_and_nothing_else_does() -> None:
    assert price_for(OPENAI.prices, "gpt-5-mini-2025-08-07") == OPENAI.prices["gpt-5-mini"]
    assert price_for(CLAUDE.prices, "claude-haiku-4-5-20251001") == CLAUDE.prices["claude-haiku-4-5"]
    # Never another model's price: a family prefix or a fine-tune is not the listed model.
    assert price_for(OPENAI.prices, "gpt-5-mini-custom") is None
    assert price_for(OPENAI.prices, "gpt-4o-mini-search-preview") is None
    assert price_for(OPENAI.prices, "my-local-7b") is None


def test_cached_tokens_are_counted_the_way_each_api_reports_them() -> None:
    # OpenAI counts cached tokens inside input_tokens; Anthropic reports them beside it.
    openai = cost_usd(OPENAI, "gpt-5-mini", Usage(input_tokens=1_000_000, cached_input_tokens=400_000,
                                                 output_tokens=1_000_000))
    assert openai == pytest.approx(0.6 * 0.25 + 0.4 * 0.025 + 2.00)
    claude = cost_usd(CLAUDE, "claude-sonnet-4-6", Usage(input_tokens=1_000_000, cached_input_tokens=400_000,
                                                         cache_creation_input_tokens=100_000, output_tokens=0))
    assert claude == pytest.approx(3.00 + 0.4 * 0.30 + 0.1 * 3.75)


def test_unknown_models_and_missing_usage_cost_null_self_hosted_costs_nothing() -> None:
    assert cost_usd(OPENAI, "gpt-99", Usage(input_tokens=10, output_tokens=10)) is None
    assert cost_usd(OPENAI, "gpt-5-mini", Usage()) is None
    assert cost_usd(LOCAL, "anything", Usage(input_tokens=10, output_tokens=10)) == 0.0


def test_every_listed_price_is_for_a_model_the_installed_sdks_list() -> None:
    import typing

    from anthropic.types import model_param
    from openai.types.shared import chat_model

    openai_models = set(typing.get_args(chat_model.ChatModel))
    claude_models = {a for arg in typing.get_args(model_param.ModelParam) for a in typing.get_args(arg)}
    assert set(OPENAI.prices) <= openai_models and OPENAI.default_model in openai_models
    assert set(CLAUDE.prices) <= claude_models and CLAUDE.default_model in claude_models
