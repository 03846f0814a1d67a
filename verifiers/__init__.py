"""Verifier registry: one verifier per split and per set of options, created lazily and cached per process.

    get_verifier("math", timeout=5.0)
    get_verifier("code", sandbox="docker", image="my-sandbox", pool_size=4, timeout_s=4.0)

Options are the verifier's constructor arguments; the same options give the same (shared) verifier.
This package stands alone: it imports nothing from the pipeline, so it can serve as a library and
as reward functions.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, overload

from verifiers.base import NoVerifierError, VerificationResult, Verifier, VerifierConfigError

__all__ = [
    "NoVerifierError",
    "VerificationResult",
    "Verifier",
    "VerifierConfigError",
    "check_options",
    "get_verifier",
    "has_verifier",
    "parallel_slots",
    "queues",
    "start",
    "VERIFIER_VERSIONS",
    "verifier_version",
    "verify_candidate",
]

# The one place verifier versions live. Bump a split's version whenever its verdicts may change (a new
# comparison, a fixed extraction, other sandbox limits): verdicts cached under the old version
# (common/checks/verdicts.py) are then recomputed for that split's rows, and no other split's.
# `verifier_version` adds a digest of the split's own source files, so an edit nobody bumped for
# still recomputes that split, and only that split.
VERIFIER_VERSIONS: dict[str, str] = {
    "math": "3",
    "code": "2",
    "tool_calling": "1",
}
# The packages (folders of this one) whose files decide each split's verdicts, besides base.py.
_SOURCES: dict[str, tuple[str, ...]] = {
    "math": ("math",),
    "code": ("code", "sandbox"),
    "tool_calling": ("tools",),
}


def _make_math(**options: Any) -> Verifier:
    # Imported lazily: sympy and pint are slow to import and not every split needs them.
    from verifiers.math.verifier import MathVerifier

    return MathVerifier(**options)


def _make_code(**options: Any) -> Verifier:
    from verifiers.code.verifier import CodeVerifier

    return CodeVerifier(**options)


def _make_tool_calling(**options: Any) -> Verifier:
    from verifiers.tools.verifier import ToolCallingVerifier

    return ToolCallingVerifier(**options)


def _math_slots(**options: Any) -> int:
    from verifiers.math.verifier import pool_workers

    return pool_workers()


def _code_slots(**options: Any) -> int:
    from verifiers.sandbox.base import SandboxError, default_pool_size

    try:
        return default_pool_size(options.get("pool_size"))
    except SandboxError as e:
        raise VerifierConfigError(str(e)) from None


def _check_code(**options: Any) -> None:
    from verifiers.sandbox.base import SandboxError
    from verifiers.sandbox.select import check_sandbox

    try:
        check_sandbox(options.get("sandbox"), options.get("image"), options.get("pool_size"))
    except SandboxError as e:
        raise VerifierConfigError(str(e)) from None


_FACTORIES: dict[str, Callable[..., Verifier]] = {
    "math": _make_math,
    "code": _make_code,
    "tool_calling": _make_tool_calling,
}
_CHECKS: dict[str, Callable[..., None]] = {"code": _check_code}
_SLOTS: dict[str, Callable[..., int]] = {"math": _math_slots, "code": _code_slots}
_cache: dict[tuple[Any, ...], Verifier] = {}
_lock = threading.Lock()


def has_verifier(split: str) -> bool:
    return split in _FACTORIES


def verifier_version(split: str) -> str:
    """The version of `split`'s verifier: VERIFIER_VERSIONS's, then a digest of its source files
    ("2+3f9a0c1d2e4b"); NoVerifierError for a split with none."""
    try:
        declared = VERIFIER_VERSIONS[split]
    except KeyError:
        raise NoVerifierError(f"no verifier for split {split!r} (known: {sorted(_FACTORIES)})") from None
    return f"{declared}+{_source_digest(_SOURCES.get(split, ()))}"


@functools.cache
def _source_digest(folders: tuple[str, ...]) -> str:
    here = Path(__file__).resolve().parent
    files = [here / "base.py"]
    for folder in folders:
        files += sorted(p for p in (here / folder).rglob("*") if p.is_file() and p.suffix in _SOURCE_SUFFIXES)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(here).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


_SOURCE_SUFFIXES = frozenset({".py", ".js", ".sh", ".sandbox"})


def get_verifier(split: str, **options: Any) -> Verifier:
    """The cached verifier for `split` with these options; raises NoVerifierError when the split has none.
    Options left out (or None) take the verifier's documented defaults."""
    if split not in _FACTORIES:
        raise NoVerifierError(f"no verifier for split {split!r} (known: {sorted(_FACTORIES)})")
    options = {k: v for k, v in options.items() if v is not None}
    # Keyed by pid so a forked pipeline worker builds its own instead of sharing the parent's pool.
    key = (os.getpid(), split, tuple(sorted(options.items())))
    with _lock:
        verifier = _cache.get(key)
        if verifier is None:
            verifier = _cache[key] = _FACTORIES[split](**options)
    return verifier


def check_options(split: str, **options: Any) -> None:
    """Raise VerifierConfigError (one sentence) when `split`'s verifier cannot work with these options
    here, e.g. a sandbox image that is not there. A run asks this once, before any work."""
    check = _CHECKS.get(split)
    if check is not None:
        check(**{k: v for k, v in options.items() if v is not None})


def parallel_slots(split: str, **options: Any) -> int:
    """How many verifications of `split` can make progress at once (sandboxes, worker processes):
    callers size their thread pools to this rather than parking threads behind a full pool."""
    if split not in _SLOTS:
        return 0
    return _SLOTS[split](**{k: v for k, v in options.items() if v is not None})


def start(split: str, **options: Any) -> None:
    """Start what `split`'s verifier runs on (math: its first worker process) in the background now, so the
    first candidates find it up rather than wait for it; a verifier with nothing to start ignores this."""
    if split not in _FACTORIES:
        return
    begin = getattr(get_verifier(split, **options), "start", None)
    if callable(begin):
        begin()


def queues(split: str, **options: Any) -> bool:
    """Whether `verify_candidate(..., on_done=...)` queues `split`'s verifications and returns at once (math:
    worker processes take candidates in batches), so a caller may hand them over from an event loop."""
    if split not in _FACTORIES:
        return False
    return callable(getattr(get_verifier(split, **options), "submit", None))


OnDone = Callable[[VerificationResult | BaseException], None]


@overload
def verify_candidate(
    split: str, response: str, ground_truth: str | None, context: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None, on_done: None = None,
) -> VerificationResult: ...


@overload
def verify_candidate(
    split: str, response: str, ground_truth: str | None, context: dict[str, Any] | None,
    options: dict[str, Any] | None, on_done: OnDone,
) -> VerificationResult | None: ...


def verify_candidate(
    split: str,
    response: str,
    ground_truth: str | None,
    context: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    on_done: OnDone | None = None,
) -> VerificationResult | None:
    """Picklable top-level entry point for pipeline workers (e.g. a ProcessPoolExecutor).

    With `on_done`, a verifier that queues (`queues(split)`) takes the candidate and returns None at once;
    `on_done` then gets the verdict (or the exception `verify` would raise) from the verifier's own thread.
    Any other verifier answers here, hands `on_done` the verdict and returns it too."""
    verifier = get_verifier(split, **(options or {}))
    if on_done is None:
        return verifier.verify(response, ground_truth, **(context or {}))
    submit = getattr(verifier, "submit", None)
    if callable(submit):
        submit(response, ground_truth, on_done, **(context or {}))
        return None
    result = verifier.verify(response, ground_truth, **(context or {}))
    on_done(result)
    return result
