"""Verifier registry: one verifier per split, created lazily and cached per process."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from verifiers.base import NoVerifierError, VerificationResult, Verifier

__all__ = [
    "NoVerifierError",
    "VerificationResult",
    "Verifier",
    "get_verifier",
    "has_verifier",
    "verify_candidate",
]


def _make_math() -> Verifier:
    # Imported lazily: sympy and math_verify are slow to import and not every split needs them.
    from verifiers.math_verifier import MathVerifier

    return MathVerifier()


def _make_code() -> Verifier:
    from verifiers.code_verifier import CodeVerifier

    return CodeVerifier()


_FACTORIES: dict[str, Callable[[], Verifier]] = {"math": _make_math, "code": _make_code}
_cache: dict[tuple[int, str], Verifier] = {}
_lock = threading.Lock()


def has_verifier(split: str) -> bool:
    return split in _FACTORIES


def get_verifier(split: str) -> Verifier:
    """The cached verifier for `split`; raises NoVerifierError when the split has none."""
    if split not in _FACTORIES:
        raise NoVerifierError(f"no verifier for split {split!r} (known: {sorted(_FACTORIES)})")
    # Keyed by pid so a forked pipeline worker builds its own instead of sharing the parent's pool.
    key = (os.getpid(), split)
    with _lock:
        verifier = _cache.get(key)
        if verifier is None:
            verifier = _cache[key] = _FACTORIES[split]()
    return verifier


def verify_candidate(
    split: str, response: str, ground_truth: str | None, context: dict[str, Any] | None = None
) -> VerificationResult:
    """Picklable top-level entry point for pipeline workers (e.g. a ProcessPoolExecutor)."""
    return get_verifier(split).verify(response, ground_truth, **(context or {}))
