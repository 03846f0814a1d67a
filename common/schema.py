"""The one definition of an output row.

`BestOfNRecord` is the pydantic model every writer fills; `ARROW_SCHEMA` is derived
from its fields so the Parquet layout is never written down twice.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class BestOfNRecord(BaseModel):
    """One candidate response to one query, with its verdict and accounting."""

    model_config = ConfigDict(extra="forbid")

    # identity
    query_id: str
    split: str
    candidate_idx: int
    # prompt
    question: str
    system_prompt: str | None = None
    persona: str | None = None
    persona_voice: float | None = Field(None, description="0..1, how strongly the persona's voice shows in the "
                                        "answer (null without a persona); see persona_voice_method")
    persona_voice_method: str | None = Field(None, description="markers (the persona's cue file) | judge")
    ground_truth: str | None = None
    query_metadata: str | None = Field(None, description="JSON: tests, tools, language, entry_point")
    # answer
    response: str | None = None
    reasoning: str | None = None
    final_answer: str | None = None
    tool_calls: str | None = Field(None, description="JSON list of every tool call the model made, all turns")
    tool_trace: str | None = Field(
        None, description="JSON: one entry per model turn: its text and calls, each call's arguments, validity, "
        "result, which mock answered and how surely, latency",
    )
    num_tool_calls: int | None = None
    num_iterations: int | None = Field(None, description="model turns in the tool loop")
    invalid_tool_calls: int | None = Field(None, description="calls that broke their tool's schema or named none")
    terminated_by: str | None = Field(None, description="final_answer | max_iterations | budget | error | refusal")
    # request
    model: str
    provider: str
    api: str | None = None
    temperature: float | None = None
    max_tokens: int
    # verdict
    is_verified: bool | None = None
    confidence: float | None = None
    verification_method: str = "none"
    verification_explanation: str | None = None
    verification_reason: str | None = Field(None, description="the verifier's reason code (details['reason'])")
    extracted_answer: str | None = Field(None, description="the answer the verifier read from the response")
    verification_details: str | None = Field(None, description="JSON: the verifier's details")
    is_refusal: bool | None = None
    refusal_type: str | None = None
    # both verdicts when the LLM judge was asked (common/judge/policy.py)
    local_is_verified: bool | None = None
    local_confidence: float | None = None
    local_method: str | None = None
    local_explanation: str | None = None
    judge_is_correct: bool | None = None
    judge_confidence: float | None = None
    judge_model: str | None = None
    judge_cached: bool | None = None
    judge_error: str | None = None
    # quality
    quality_completeness_score: float | None = None
    quality_is_substantive: bool | None = None
    has_final_answer: bool | None = None
    is_truncated: bool | None = None
    response_chars: int | None = None
    # accounting
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    reasoning_tokens: int | None = None
    latency_s: float | None = None
    cost_usd: float | None = Field(None, description="USD at list prices for every call this row caused: its "
                                   "generation, and the judge and LLM tool mock calls counted in the next two columns")
    judge_cost_usd: float | None = Field(None, description="the judge's verdict and refusal calls for this row")
    tool_mock_cost_usd: float | None = Field(None, description="LLM tool-mock answers in this row's tool loop")
    batched: bool | None = Field(None, description="generated through the provider's batch API (batch prices)")
    error: str | None = None
    attempts: int = 1
    regen_count: int = 0
    requeue_count: int = Field(0, description="times a capability refusal was asked for again (max_requeues)")
    run_id: str
    created_at: datetime = Field(default_factory=utcnow)


_ARROW_TYPES: dict[type, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: pa.timestamp("us", tz="UTC"),
}


def _arrow_field(name: str, annotation: typing.Any, required: bool) -> pa.Field:
    args = typing.get_args(annotation)
    nullable = not required
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"{name}: unsupported union {annotation}")
        annotation, nullable = inner[0], True
    return pa.field(name, _ARROW_TYPES[annotation], nullable=nullable)


def _derive_schema() -> pa.Schema:
    hints = typing.get_type_hints(BestOfNRecord)
    return pa.schema(
        [
            _arrow_field(name, hints[name], info.is_required())
            for name, info in BestOfNRecord.model_fields.items()
        ]
    )


ARROW_SCHEMA: pa.Schema = _derive_schema()
COLUMNS: tuple[str, ...] = tuple(ARROW_SCHEMA.names)


def records_to_table(records: typing.Iterable[BestOfNRecord]) -> pa.Table:
    """Column-wise conversion; `model_dump` per row keeps validation in one place."""
    rows = [r.model_dump() for r in records]
    return pa.Table.from_pylist(rows, schema=ARROW_SCHEMA)
