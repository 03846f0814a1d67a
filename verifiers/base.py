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


@runtime_checkable
class Verifier(Protocol):
    def verify(
        self, response: str, ground_truth: str | None = None, **context: Any
    ) -> VerificationResult: ...


class NoVerifierError(KeyError):
    """The split has no verifier (yet)."""
