"""The verification interface every split's verifier implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class VerificationResult:
    """One verdict on one candidate.

    `confidence` is the confidence in `is_verified` (not the probability of being correct), so a
    confident "wrong" is (False, 0.9) and an undecided timeout is (False, 0.1).
    `details` must stay JSON-serialisable: it is stored with the record.
    """

    is_verified: bool
    confidence: float
    explanation: str
    method: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")


# details["reason"] values that say the verifier could not run (its sandbox or worker failed), not what
# it thinks of the answer: such a result is no verdict, and nothing should be decided from it.
NO_VERDICT_REASONS = frozenset({"sandbox_error", "worker_error"})
# details["reason"] values whose (is_verified, confidence) is a placeholder, not a verdict: the row gives
# nothing to check against (math without a ground truth, code without tests or examples, tests that
# cannot be used, a language no sandbox runs), or the checks passed but cannot say whether the answer
# was right (tool calls that fit their schemas, no reference). A judge may decide such a row; without
# the judge's verdict it stays unverified.
UNDECIDED_REASONS = frozenset(
    {"no_ground_truth", "no_tests", "bad_tests", "unsupported_language", "schema_valid", "no_calls"}
)


@runtime_checkable
class Verifier(Protocol):
    def verify(
        self, response: str, ground_truth: str | None = None, **context: Any
    ) -> VerificationResult: ...


class NoVerifierError(KeyError):
    """The split has no verifier (yet)."""


class VerifierConfigError(ValueError):
    """Options a verifier cannot work with (a sandbox that cannot run, say); str(e) is one sentence."""
