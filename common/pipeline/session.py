"""One run's model connections: the generation adapter, the judge's (shared when it is the same
server), the judge itself and the candidate checker. Generate and regen both open a run here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from common.checks.checker import CandidateChecker, judge_needed_for
from common.config import ExperimentConfig
from common.errors import AuthError, RunFailure, UserError
from common.judge.judge import JudgeUsage, LLMJudge
from common.model.api import ProviderAdapter, ProviderInfo, ProviderTable
from common.model.pricing import Pricer
from common.model.replicas import split_base_urls
from common.model.retry import call_with_retry, describe_error
from common.pipeline.tool_loop import LLMToolMock

log = logging.getLogger("bestofn")


@dataclass
class Session:
    adapter: ProviderAdapter
    checker: CandidateChecker
    judge: LLMJudge | None
    tool_mock: LLMToolMock
    pricer: Pricer

    def usages(self) -> dict[str, JudgeUsage]:
        """The judge's and the LLM tool mock's usage, for those that were asked."""
        out = {"judge": self.judge.usage} if self.judge is not None else {}
        if self.tool_mock.asker.usage.calls + self.tool_mock.asker.usage.errors:
            out["tool mock"] = self.tool_mock.asker.usage
        return out

    def judge_summary(self) -> dict[str, Any]:
        return usage_summary(self.usages())


def usage_summary(usages: dict[str, JudgeUsage]) -> dict[str, Any]:
    """The summary lines for the judge's and the LLM tool mock's calls, tokens and cost."""
    lines: dict[str, Any] = {}
    for name, u in usages.items():
        cost = "unknown (model not in the price table)" if u.cost_usd is None else f"{u.cost_usd:.4f}"
        lines |= {
            f"{name} calls (errors)": f"{u.calls} ({u.errors})",
            f"{name} input / output tokens": f"{u.input_tokens:,} / {u.output_tokens:,}",
            f"{name} cost (USD, list price)": cost,
        }
    return lines


def provider_info(providers: ProviderTable, name: str, what: str = "provider") -> ProviderInfo:
    if name not in providers:
        raise UserError(f"{what} must be one of {', '.join(providers)}, not {name!r}.")
    return providers[name]()


def warn_deprecated(adapter: ProviderAdapter, model: str | None, key: str) -> None:
    """The SDK's end-of-life notice for a configured model, once, at start."""
    notice = adapter.deprecation(model) if model else None
    if notice:
        log.warning("%s; choose a current model with the config key '%s'.", notice, key)


@asynccontextmanager
async def open_session(
    providers: ProviderTable, info: ProviderInfo, cfg: ExperimentConfig, stack: ExitStack
) -> AsyncIterator[Session]:
    """The run's adapter, judge and checker. What an adapter starts (the embedded server for
    `local` without a base URL) is stopped by `stack`; clients are closed on the way out."""
    if cfg.judge_provider is not None:
        provider_info(providers, cfg.judge_provider, "judge_provider")  # a typo fails now, judge or not
    pricer = Pricer.from_file(cfg.price_file)
    async with AsyncExitStack() as closers:
        adapter = info.open(cfg.base_url, api=cfg.api, timeout=cfg.request_timeout, model=cfg.model, stack=stack)
        closers.push_async_callback(adapter.aclose)
        judge = None
        if judge_needed_for(cfg):
            judge_info = provider_info(providers, cfg.judge_provider or info.name, "judge_provider")
            if judge_info.name == info.name and same_servers(cfg.judge_base_url, adapter.base_url):
                judge_adapter = adapter  # the same server: one client, one connection pool
            else:
                if judge_info.default_judge_model is None and not cfg.judge_base_url:
                    raise UserError(
                        f"judge_provider {judge_info.name} needs judge_base_url: the server to ask for verdicts."
                    )
                judge_adapter = judge_info.open(
                    cfg.judge_base_url, api="chat", timeout=cfg.request_timeout, model=cfg.judge_model, stack=stack
                )
                closers.push_async_callback(judge_adapter.aclose)
            judge = LLMJudge(judge_adapter, model=cfg.judge_model, cache_dir=cfg.judge_cache_dir,
                             max_retries=cfg.max_retries, pricer=pricer)
            warn_deprecated(judge_adapter, judge.model, "judge_model")
        checker = CandidateChecker(cfg, judge)  # a sandbox that cannot work stops the run here
        closers.callback(checker.close)
        await reachable(adapter, "the model server")
        if judge is not None and judge.adapter is not adapter:
            await reachable(judge.adapter, "the judge")
        if cfg.model is None:
            cfg.model = await adapter.pick_model(info.default_model)
        warn_deprecated(adapter, cfg.model, "model")  # --model on the command line
        # Calls no dynamic mock fits are answered by the run's own provider (its model by default).
        if cfg.max_cost_usd is not None:
            # Every model whose calls the limit counts must have a price.
            priced = [(info, cfg.model, "model")]
            if judge is not None:
                judge_info = judge.adapter.info
                priced.append((judge_info, judge.model or judge_info.default_judge_model, "judge_model"))
            if "tool_calling" in cfg.splits:
                priced.append((info, cfg.tool_mock_model or cfg.model, "tool_mock_model"))
            for who, model, key in priced:
                if model is not None and not pricer.known(who, model):
                    raise UserError(f"max_cost_usd is set but {model} ('{key}') has no listed price, so its spend "
                                    "cannot be counted; add it to a price_file, or remove max_cost_usd.")
        tool_mock = LLMToolMock(adapter, cfg.tool_mock_model or cfg.model, cfg.tool_mock_cache_dir, cfg.max_retries,
                                pricer=pricer)
        yield Session(adapter, checker, judge, tool_mock, pricer)


async def reachable(adapter: ProviderAdapter, what: str) -> None:
    """A dead server or a rejected key ends the run before any work, naming the real cause. Any
    other answer (say a server with no model list) shows the server is there."""
    try:
        await call_with_retry(adapter.ping, max_retries=1, key_env=adapter.info.key_env, initial_wait=0.5)
    except AuthError:
        raise
    except Exception as exc:
        if getattr(exc, "status_code", None) is not None:
            return
        where = adapter.base_url or f"the {adapter.info.name} API"
        raise RunFailure(f"{what} at {where} cannot be reached ({describe_error(exc)}).") from None


def same_servers(judge_base_url: str | None, base_url: str | None) -> bool:
    """Does the judge's URL (None: the run's own) name the run's server, or the same set of replicas?"""
    if judge_base_url is None:
        return True
    urls = set(split_base_urls(judge_base_url))
    return bool(urls) and urls == set(split_base_urls(base_url))
