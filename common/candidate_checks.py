"""Every check a candidate goes through, in the order of the verification flow:
refusal (patterns, then the LLM where they are unsure) -> the split's verifier -> the judge.

Returns the verdict fields of the row. The verifiers run in worker threads (their own model-code
and comparison work runs in sandboxes and worker processes, never in this process).
"""

from __future__ import annotations

import asyncio
from typing import Any

from common.config import ExperimentConfig
from common.llm_judge import LLMJudge
from common.llm_judge_fallback import combine, format_tool_trace, needs_judge
from common.nemotron_utils import Query
from common.providers import Candidate
from common.refusal_check import RefusalResult, detect_refusal
from verifiers import has_verifier, verify_candidate
from verifiers.base import VerificationResult
from verifiers.refusal_classifier import RefusalClassifier


def judge_needed_for(cfg: ExperimentConfig) -> bool:
    """Whether a run can reach the judge at all (so a missing judge key fails at start, not midway)."""
    if not cfg.verify:
        return False
    return cfg.llm_judge_fallback or any(s in ("tool_calling", "code") for s in cfg.splits)


def build_judge(cfg: ExperimentConfig, provider: str, run_base_url: str | None) -> LLMJudge | None:
    if not judge_needed_for(cfg):
        return None
    judge_provider = cfg.judge_provider or provider
    base_url = cfg.judge_base_url or (run_base_url if judge_provider == provider else None)
    return LLMJudge(judge_provider, model=cfg.judge_model, base_url=base_url, cache_dir=cfg.judge_cache_dir)


def _local_fields(result: VerificationResult) -> dict[str, Any]:
    return {
        "is_verified": result.is_verified,
        "confidence": result.confidence,
        "verification_method": result.method,
        "verification_explanation": result.explanation,
    }


class CandidateChecker:
    def __init__(self, cfg: ExperimentConfig, judge: LLMJudge | None) -> None:
        self.cfg = cfg
        self.judge = judge
        self.refusals = RefusalClassifier(judge)

    async def check(self, query: Query, cand: Candidate) -> dict[str, Any]:
        if cand.error is not None:
            return {"verification_method": "error"}
        text = cand.text or ""
        out: dict[str, Any] = {}
        refusal: RefusalResult | None = None
        if text:
            refusal = detect_refusal(text)
            if self.cfg.verify and refusal.ambiguous:
                refusal = await self.refusals.classify(text, query.question, pattern=refusal)
            out.update(is_refusal=refusal.refused, refusal_type=refusal.refusal_type)
        if not self.cfg.verify:
            return {**out, "verification_method": "disabled"}
        if refusal is not None and refusal.refused:
            return {
                **out,
                "is_verified": False,
                "confidence": refusal.confidence,
                "verification_method": "refusal",
                "verification_explanation": f"refusal ({refusal.refusal_type}, {refusal.source}): {refusal.matched!r}",
            }
        split = query.split
        result: VerificationResult | None = None
        if has_verifier(split):
            context = {
                "question": query.question,
                "tests": query.tests,
                "tools": query.tools,
                "language": query.language,
                "entry_point": query.entry_point,
                "final_answer": cand.final_answer,
            }
            result = await asyncio.to_thread(verify_candidate, split, text, query.ground_truth, context)
            out.update(_local_fields(result))
        else:
            out.update(verification_method="none", verification_explanation=f"no local verifier for split '{split}'")
        if self.judge is not None and needs_judge(split, result, self.cfg.llm_judge_fallback):
            verdict = await self.judge.judge(
                query.question, text, query.ground_truth, split, tool_trace=format_tool_trace(cand.tool_calls)
            )
            out.update(combine(result, verdict))
        return out
