"""Two-pass refusal detection: fast patterns on every response, the LLM judge only where they are unsure.

Most responses carry no refusal signal at all and never cost a call; a response whose refusal
phrase comes with an answer, an offer or a persona's sigh is what the patterns mark ambiguous.
"""

from __future__ import annotations

from common.judge.judge import LLMJudge
from verifiers.refusal import RefusalResult, detect_refusal


class RefusalClassifier:
    def __init__(self, judge: LLMJudge | None = None) -> None:
        self.judge = judge

    async def classify(
        self, text: str | None, question: str | None = None, pattern: RefusalResult | None = None
    ) -> RefusalResult:
        """`pattern` is the pattern pass's result where the caller already has it (it runs in a
        worker thread in the pipeline). When the judge fails the pattern verdict stands."""
        result = pattern if pattern is not None else detect_refusal(text)
        if self.judge is None or not text or not result.ambiguous:
            return result
        verdict = await self.judge.classify_refusal(text, question)
        if verdict.is_refusal is None:
            return result
        return RefusalResult(verdict.is_refusal, verdict.refusal_type, verdict.confidence, result.matched, "llm")
