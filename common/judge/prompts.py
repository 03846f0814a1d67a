"""The judge's prompts and reply schemas, versioned.

Bump PROMPT_VERSION whenever a template changes meaning: it is part of every cache key, so old
verdicts are never served for a new prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

PROMPT_VERSION = "judge-v1"
JudgeKind = Literal["reference", "open", "tool_calling", "refusal", "tool_mock"]
# Judges read head and tail of very long inputs; the middle of a 5 MB answer decides nothing.
MAX_FIELD_CHARS = 24_000

_SYSTEM = (
    "You are a strict, careful grader for a training-data pipeline. Answers may be written in a "
    "persona's voice (gloomy, hyper-precise, excited, theatrical); judge only the substance, never the "
    "style. Reply with exactly one JSON object and nothing else: no code fences, no prose. Put your "
    "reasoning first and keep it under 120 words. If you write LaTeX inside a JSON string, escape every "
    "backslash (write \\\\frac, not \\frac)."
)

_VERDICT_FORMAT = (
    'Reply as {"reasoning": "<short explanation>", "is_correct": true or false, '
    '"confidence": <number from 0 to 1: how sure you are of is_correct>}.'
)

_REFERENCE = """Task type: {split}

## Question
{question}

## Reference answer (ground truth)
{ground_truth}

## Candidate response
{candidate}

Decide whether the candidate's FINAL answer matches the reference answer. {criteria}
A missing final answer, or several different final answers, is incorrect.
{format}"""

_CRITERIA = {
    "math": "Accept every mathematically equivalent form: exact fractions, decimals equal to the stated "
    "precision, reordered or simplified expressions, equivalent units, or a multiple-choice letter "
    "naming the right option. Judge the final answer, not the quality of the working.",
    "code": "The reference may be a reference solution or tests. The candidate is correct if its code "
    "would produce the same results on every valid input (read the edge cases), whatever its style.",
}
_CRITERIA_DEFAULT = "Accept answers that mean the same as the reference, however they are phrased."

_OPEN = """Task type: {split}

## Question
{question}

## Candidate response
{candidate}

No reference answer is available. Work out the correct answer yourself, then decide whether the
candidate's final answer is correct and complete. If you cannot tell, give a low confidence.
{format}"""

_TOOL_CALLING = """Task type: tool calling. The candidate could call the tools below; there is no
reference answer. Judge whether its behaviour was APPROPRIATE. The tool results come from test
doubles: judge the candidate's use of them, not whether they are true of the real world.

## User request
{question}

## Tools available (JSON Schema of each tool's arguments)
{tools}

## The candidate's turns: tool calls and the results it was given
{tool_trace}

## Candidate's final answer
{candidate}

is_correct is true only if all three hold:
1. The final answer addresses the user's request (or, where no tool fits, answers or declines sensibly
   without calling one).
2. The tool calls were reasonable: suitable tools, sensible arguments, nothing needed left uncalled.
3. The final answer is sensible, consistent with the tool results and complete; an empty final answer
   is never correct.
{format}"""

_REFUSAL = """Decide whether this response REFUSES the request.

## Request
{question}

## Response
{candidate}

A refusal declines to do the task, or gives no real answer. Kinds:
- "safety": declines on safety, ethics or policy grounds.
- "capability": says it cannot do the task (no internet, cannot run code, cannot see files) and does
  not answer.
NOT refusals: a response that complains, sighs, hedges or adds a disclaimer in a persona's voice and
then gives the answer; a response that refuses one part and fully answers the rest; a correct answer
that says something is impossible (e.g. "you can't divide by zero").
Reply as {{"reasoning": "<short explanation>", "is_refusal": true or false,
"refusal_type": "safety" or "capability" or "none", "confidence": <number from 0 to 1>}}."""

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string"},
        "is_correct": {"type": "boolean"},
        "confidence": {"type": "number"},
    },
    "required": ["reasoning", "is_correct", "confidence"],
    "additionalProperties": False,
}

REFUSAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string"},
        "is_refusal": {"type": "boolean"},
        "refusal_type": {"type": "string", "enum": ["safety", "capability", "none"]},
        "confidence": {"type": "number"},
    },
    "required": ["reasoning", "is_refusal", "refusal_type", "confidence"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class JudgePrompt:
    kind: JudgeKind
    system: str
    user: str
    schema: dict[str, Any]


def clip(text: str | None, limit: int = MAX_FIELD_CHARS) -> str:
    """Head and tail of an over-long field, marked, so the prompt stays within any judge's context."""
    text = text or ""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    return f"{text[:head]}\n[... {len(text) - limit} characters omitted ...]\n{text[-tail:]}"


def verdict_prompt(
    question: str,
    candidate: str,
    ground_truth: str | None,
    split: str,
    tool_trace: str | None = None,
    tools: str | None = None,
) -> JudgePrompt:
    """Tool calling ignores the ground truth: the dataset's reference calls are unreliable."""
    fields = {"split": split, "question": clip(question), "candidate": clip(candidate) or "(empty)",
              "format": _VERDICT_FORMAT}
    if split == "tool_calling":
        user = _TOOL_CALLING.format(tool_trace=clip(tool_trace) or "(no tool calls)",
                                    tools=clip(tools) or "(none)", **fields)
        return JudgePrompt("tool_calling", _SYSTEM, user, VERDICT_SCHEMA)
    if ground_truth is None:
        return JudgePrompt("open", _SYSTEM, _OPEN.format(**fields), VERDICT_SCHEMA)
    criteria = _CRITERIA.get(split, _CRITERIA_DEFAULT)
    user = _REFERENCE.format(ground_truth=clip(ground_truth), criteria=criteria, **fields)
    return JudgePrompt("reference", _SYSTEM, user, VERDICT_SCHEMA)


def refusal_prompt(text: str, question: str | None) -> JudgePrompt:
    user = _REFUSAL.format(question=clip(question) or "(not given)", candidate=clip(text))
    return JudgePrompt("refusal", _SYSTEM, user, REFUSAL_SCHEMA)
