"""Config rules that decide what a resumed run may mix."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from common.config import ExperimentConfig


def test_judge_threshold_is_part_of_the_identity_only_with_the_fallback() -> None:
    def fingerprint(**kw: object) -> str:
        return ExperimentConfig(model="m", **kw).fingerprint()  # type: ignore[arg-type]

    # Without the fallback the threshold decides nothing: changing it keeps the run resumable.
    assert fingerprint(judge_threshold=0.5) == fingerprint(judge_threshold=0.9) == fingerprint()
    # With it, rows judged under one threshold must not sit beside rows judged under another.
    assert fingerprint(llm_judge_fallback=True, judge_threshold=0.5) != fingerprint(
        llm_judge_fallback=True, judge_threshold=0.9)


@pytest.mark.parametrize("value", [True, 1.5, -0.1, "abc"])
def test_a_threshold_that_is_not_a_share_is_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        ExperimentConfig(model="m", judge_threshold=value)  # type: ignore[arg-type]
