"""The verifiers as TRL reward functions, so an online run (GRPO, online DPO) is rewarded by the same checks
that label the offline data.

    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from verifiers.rewards import code_reward, make_reward, math_reward, tool_call_reward

    train = Dataset.from_list([
        {"prompt": [{"role": "user", "content": "What is 7 + 5? Put the answer in \\\\boxed{}."}],
         "split": "math", "ground_truth": "12"},
        {"prompt": [{"role": "user", "content": "Write add_two(x) in Python."}],
         "split": "code", "tests": '{"test": "def check(candidate):\\n    assert candidate(1) == 3\\n",'
                                   ' "entry_point": "add_two"}'},
    ])
    trainer = GRPOTrainer(
        model="Qwen/Qwen2.5-0.5B-Instruct",
        reward_funcs=[math_reward, make_reward("code", sandbox="docker", timeout_s=2.0)],
        args=GRPOConfig(output_dir="out"),
        train_dataset=train,
    )
    trainer.train()

Signature. Each reward is called as TRL's GRPOTrainer calls a custom reward function
(`GRPOTrainer._calculate_rewards`, trl/trainer/grpo_trainer.py, TRL 1.x; online DPO's
`_calculate_rewards_from_functions` calls it the same way):

    reward(prompts=..., completions=..., completion_ids=..., **columns, trainer_state=..., log_extra=...,
           log_metric=...) -> list[float | None]

where every dataset column other than "prompt" arrives as a list aligned with `completions`. Completions
are strings (standard format) or lists of messages (conversational format: `[{"role": "assistant",
"content": ...}]`, more messages after a tool loop). Keywords this module does not know are ignored;
`log_extra` and `log_metric`, when given, receive each sample's verification reason (column
"<name>_reason" of the completions table) and the share of the batch's samples of this split that were
undecided ("rewards/<name>/undecided"; not logged for a batch with none of this split).

Columns read:
  math          `ground_truth` (else `answer`, else `solution`: a worked solution's last \\boxed{} is the gold);
                `question` (else the prompt's last user message) for wording hints such as degrees
  code          `tests`: a HumanEval dict {"test", "entry_point"}, an APPS/TACO dict {"inputs", "outputs",
                "fn_name"?}, an SQL dict, a list of {"input", "output"}, or a JSON string of any of those;
                `entry_point`, `language`, `question` (else the prompt) optional. With no tests, examples in
                the statement are run, as offline.
  tool calls    `tools` (any form the tool verifier accepts: OpenAI, Anthropic, plain; or a JSON string),
                `reference_calls` (BFCL possible answers; `[]` = calling nothing is right; None = no reference).
                The calls are the completion's: every assistant message's `tool_calls`, in OpenAI form
                {"function": {"name", "arguments"}} or plain {"name", "arguments"} (arguments as a dict or a
                JSON string); a message without `tool_calls`, or a string completion, is read for
                `<tool_call>{"name": ..., "arguments": ...}</tool_call>` blocks (Hermes/Qwen). The calls are
                judged with `ToolCallingVerifier.check_calls` (BFCL's rules against the reference).
  every split   `split` (else `category`): a row that names another split gets None (not applicable), as
                the pipeline's loader routes rows, so one reward per split can serve a mixed dataset.
Store `tests`, `tools` and `reference_calls` as JSON strings in a `datasets.Dataset`: Arrow merges dicts
of different shapes into one struct and fills the missing keys with nulls (top-level nulls in a `tests`
dict are dropped here, but nulls inside a tool's JSON Schema cannot be told from real ones).

Values. 1.0 verified, 0.0 not (wrong answer, failing or crashing or too slow code, invalid or wrong calls,
refusal, no answer found). Undecided results return `undecided` (default None): TRL turns None into NaN
and leaves that sample out of that function's reward (GRPO: a sample every function left out gets zero
advantage and stays out of the group's baseline; online DPO's nansum counts it as 0, so pass
`undecided=0.0` there, or a value of your choosing, to make that explicit). Undecided is:
  - nothing to check against: math with no ground truth (the model's text is not even read), code with no
    tests and no examples in the statement (`no_tests`; an answer with no code in it is still 0.0), tool
    calls that fit their schemas with no reference (`schema_valid`, `no_calls`; an invalid call is still
    0.0): verifiers.base.UNDECIDED_REASONS;
  - the verifier could not run: sandbox or worker failure (verifiers.base.NO_VERDICT_REASONS), and a math
    comparison that overran its time box (SymPy's time, not the model's: offline this is stored as
    unverified at confidence 0.1);
  - the row's own data is unusable: code tests that cannot be read (`bad_tests`), malformed tools or
    reference calls (`bad_data`);
  - the row is for another split (`not_applicable`).
A code test that times out is a verdict, not undecided: the candidate's program ran over its limit (0.0).
`partial=True` rewards a verified sample with the verifier's confidence instead of 1.0 (a pass on the
statement's examples is 0.6, a pass on which some tests never ran 0.35; a string-identical math answer 1.0);
anything not verified stays 0.0.

Verifications of one batch run concurrently on a thread pool sized to `verifiers.parallel_slots` (the code
sandbox pool, the math worker processes); tool calls are cheap and run in the caller's thread. The first
call checks the verifier's options once (`verifiers.check_options`): a sandbox that cannot run raises
VerifierConfigError there instead of turning every reward into None.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from verifiers import check_options, get_verifier, parallel_slots
from verifiers.base import NO_VERDICT_REASONS, UNDECIDED_REASONS, NoVerifierError, VerificationResult

__all__ = [
    "REWARD_NAMES",
    "UNDECIDED_REWARD_REASONS",
    "VerifierReward",
    "code_reward",
    "completion_calls",
    "completion_text",
    "is_decided",
    "make_reward",
    "math_reward",
    "tool_call_reward",
]

log = logging.getLogger(__name__)

# The function names TRL logs the rewards under (rewards/<name>/mean).
REWARD_NAMES = {"math": "math_reward", "code": "code_reward", "tool_calling": "tool_call_reward"}
GROUND_TRUTH_COLUMNS = ("ground_truth", "answer", "solution")
SPLIT_COLUMNS = ("split", "category")  # the pipeline's loader reads a row's split from these, in this order
# details["reason"] values that are no verdict for a reward (see the module docs).
UNDECIDED_REWARD_REASONS = NO_VERDICT_REASONS | UNDECIDED_REASONS | {"bad_data", "not_applicable"}
# Math results that are no verdict: the comparison overran its time box or its worker failed.
_UNDECIDED_METHODS = frozenset({"math_timeout", "math_error"})
_SKIP_METHOD = "reward_skip"
_TOOL_CALL_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|\Z)", re.S)
_CALL_NAME = re.compile(r'"name"\s*:\s*"([^"]+)"')

_checked: set[tuple[Any, ...]] = set()
_checked_lock = threading.Lock()


# --------------------------------------------------------------------------- reading TRL's inputs


def _content_text(content: Any) -> str:
    """A message's content as text: a string, or the text parts of a list of content blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return str(content)


def _messages(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list | tuple):
        return [m for m in value if isinstance(m, dict)]
    return []


def completion_text(completion: Any) -> str:
    """The answer to verify: a standard completion itself, or the content of a conversational completion's
    last assistant message that has any (after a tool loop, the final answer)."""
    if isinstance(completion, str):
        return completion
    for message in reversed(_messages(completion)):
        if message.get("role", "assistant") == "assistant":
            text = _content_text(message.get("content"))
            if text.strip():
                return text
    return ""


def _prompt_text(prompt: Any) -> str:
    """The question a prompt asks: a standard prompt itself, or a conversational prompt's last user message."""
    if isinstance(prompt, str):
        return prompt
    messages = _messages(prompt)
    for message in reversed(messages):
        if message.get("role") == "user":
            return _content_text(message.get("content"))
    return "\n".join(_content_text(m.get("content")) for m in messages)


def _text_calls(text: str) -> list[Any]:
    """Calls written as `<tool_call>{json}</tool_call>` blocks; an unreadable block is kept as a call the
    verifier will reject (malformed arguments, or no tool name), never dropped."""
    calls: list[Any] = []
    for match in _TOOL_CALL_BLOCK.finditer(text or ""):
        block = match.group(1)
        try:
            parsed = json.loads(block)
        except (ValueError, RecursionError):
            name = _CALL_NAME.search(block)
            calls.append({"name": name.group(1), "arguments": block} if name else block)
            continue
        for call in parsed if isinstance(parsed, list) else [parsed]:
            if isinstance(call, dict) and "arguments" not in call and "parameters" in call:  # Llama's spelling
                call = {**call, "arguments": call["parameters"]}
            calls.append(call)
    return calls


def completion_calls(completion: Any) -> list[Any]:
    """Every tool call a completion made, in order: the assistant messages' `tool_calls` (OpenAI or plain
    form, as given), or `<tool_call>` blocks in the text of a message without them or of a string."""
    if isinstance(completion, str):
        return _text_calls(completion)
    calls: list[Any] = []
    for message in _messages(completion):
        if message.get("role", "assistant") != "assistant":
            continue
        structured = message.get("tool_calls")
        if structured:
            calls.extend([structured] if isinstance(structured, dict) else list(structured))
        else:
            calls.extend(_text_calls(_content_text(message.get("content"))))
    return calls


def _maybe_json(value: Any) -> Any:
    """A JSON string column decoded; anything else as it is. "" and "null" are None."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text or text == "null":
        return None
    if text[0] in "[{":
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return value  # the verifier reports it as the row's bad data
    return value


def _drop_nulls(value: Any) -> Any:
    """A tests dict without the null keys Arrow adds when rows of different shapes share a column."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


class _Columns:
    """Row i's value of each dataset column TRL passed as a keyword (a list aligned with the completions;
    a non-list value, as online DPO may pass, is the same for every row)."""

    def __init__(self, kwargs: dict[str, Any], n: int) -> None:
        self._kwargs = kwargs
        self._n = n
        for name, value in kwargs.items():
            if isinstance(value, list | tuple) and len(value) != n:
                raise ValueError(f"column {name!r} has {len(value)} values for {n} completions")

    def get(self, name: str, i: int) -> Any:
        value = self._kwargs.get(name)
        return value[i] if isinstance(value, list | tuple) else value

    def first(self, names: Sequence[str], i: int) -> Any:
        """The first of these columns with a non-empty value in row i."""
        for name in names:
            value = self.get(name, i)
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return value
        return None


def _norm_split(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())  # as the pipeline's loader (common/data/rows.py)


def _skip(reason: str, explanation: str) -> VerificationResult:
    return VerificationResult(False, 0.0, explanation, _SKIP_METHOD, {"reason": reason})


# --------------------------------------------------------------------------- the reward


class VerifierReward:
    """A TRL reward function backed by `get_verifier(split, **verifier_options)`; see the module docs.

    `partial`: reward a verified sample with the verifier's confidence rather than 1.0.
    `undecided`: what an undecided sample gets (default None: TRL leaves it out).
    `name`: the name TRL logs this reward under (default "math_reward", "code_reward", "tool_call_reward");
    give two rewards of one split different names. Instances pickle (no verifier is held)."""

    def __init__(
        self,
        split: str,
        *,
        partial: bool = False,
        undecided: float | None = None,
        name: str | None = None,
        **verifier_options: Any,
    ) -> None:
        if split not in REWARD_NAMES:
            raise NoVerifierError(f"no reward for split {split!r} (known: {sorted(REWARD_NAMES)})")
        self.split = split
        self.partial = partial
        self.undecided = undecided
        self.options = {k: v for k, v in verifier_options.items() if v is not None}
        self.__name__ = self.__qualname__ = name or REWARD_NAMES[split]

    def __repr__(self) -> str:
        return f"VerifierReward({self.split!r}, name={self.__name__!r}, options={self.options!r})"

    def __call__(
        self, prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, **kwargs: Any
    ) -> list[float | None]:
        results = self.verify_batch(prompts, completions, **kwargs)
        self._log(results, kwargs)
        return [self.reward_of(r) for r in results]

    # ------------------------------------------------------------------ verdicts

    def verify_batch(self, prompts: list[Any] | None, completions: list[Any], **kwargs: Any
                     ) -> list[VerificationResult]:
        """One VerificationResult per completion (a `reward_skip` result for a row that is not checked)."""
        n = len(completions)
        columns = _Columns(kwargs, n)
        prompts = list(prompts) if prompts is not None else [None] * n
        if len(prompts) != n:
            raise ValueError(f"{len(prompts)} prompts for {n} completions")
        self._check_once()
        verifier = get_verifier(self.split, **self.options)
        one = {"math": self._math, "code": self._code, "tool_calling": self._tool_calls}[self.split]
        jobs = [(verifier, prompts[i], completions[i], columns, i) for i in range(n)]
        slots = self._slots() if n > 1 else 0
        if slots <= 1:
            return [one(*job) for job in jobs]
        with ThreadPoolExecutor(min(slots, n), thread_name_prefix=self.__name__) as pool:
            return list(pool.map(lambda job: one(*job), jobs))

    def reward_of(self, result: VerificationResult) -> float | None:
        """The reward a verification result earns (see the module docs)."""
        if not is_decided(result):
            return self.undecided
        if not result.is_verified:
            return 0.0
        return float(result.confidence) if self.partial else 1.0

    def _other_split(self, columns: _Columns, i: int) -> VerificationResult | None:
        for name in SPLIT_COLUMNS:
            value = columns.get(name, i)
            if isinstance(value, str) and value.strip():
                if _norm_split(value) != self.split:
                    return _skip("not_applicable", f"the row is for split {value!r}, not {self.split!r}")
                return None
        return None

    def _question(self, prompt: Any, columns: _Columns, i: int) -> str:
        question = columns.get("question", i)
        return question if isinstance(question, str) and question.strip() else _prompt_text(prompt)

    def _math(self, verifier: Any, prompt: Any, completion: Any, columns: _Columns, i: int) -> VerificationResult:
        if (other := self._other_split(columns, i)) is not None:
            return other
        gold = columns.first(GROUND_TRUTH_COLUMNS, i)
        if gold is None:
            return _skip("no_ground_truth", "the row has no ground truth")
        return verifier.verify(completion_text(completion), str(gold), question=self._question(prompt, columns, i))

    def _code(self, verifier: Any, prompt: Any, completion: Any, columns: _Columns, i: int) -> VerificationResult:
        if (other := self._other_split(columns, i)) is not None:
            return other
        context = {
            "tests": _drop_nulls(_maybe_json(columns.get("tests", i))),
            "question": self._question(prompt, columns, i),
            "entry_point": columns.get("entry_point", i) or None,
            "language": columns.get("language", i) or None,
        }
        return verifier.verify(completion_text(completion), None, **context)

    def _tool_calls(self, verifier: Any, prompt: Any, completion: Any, columns: _Columns, i: int
                    ) -> VerificationResult:
        if (other := self._other_split(columns, i)) is not None:
            return other
        tools = _maybe_json(columns.get("tools", i))
        reference = _maybe_json(columns.get("reference_calls", i))
        try:
            return verifier.check_calls(completion_calls(completion), tools, reference)
        except ValueError as e:  # the row's tools or reference, not the model's answer
            return _skip("bad_data", f"the row's tools or reference calls cannot be used: {e}")

    # ------------------------------------------------------------------ plumbing

    def _slots(self) -> int:
        """Verifications that can run at once: the verifier's parallel slots (for a Sandbox passed as the
        `sandbox` option, its own pool size when it has one and `pool_size` is not given)."""
        options = self.options
        box = options.get("sandbox")
        if box is not None and not isinstance(box, str) and "pool_size" not in options:
            size = getattr(box, "pool_size", None)
            if isinstance(size, int) and size > 0:
                return size
        return parallel_slots(self.split, **options)

    def _check_once(self) -> None:
        key = (os.getpid(), self.split, tuple(sorted(self.options.items(), key=lambda kv: kv[0])))
        with _checked_lock:
            if key in _checked:
                return
        box = self.options.get("sandbox")
        if box is None or isinstance(box, str):  # a Sandbox object given as the option is ready by definition
            check_options(self.split, **self.options)  # raises VerifierConfigError
        with _checked_lock:
            _checked.add(key)

    def _log(self, results: list[VerificationResult], kwargs: dict[str, Any]) -> None:
        applicable = [r for r in results if r.details.get("reason") != "not_applicable"]
        undecided = sum(not is_decided(r) for r in applicable)
        no_verdict = sum(r.details.get("reason") in NO_VERDICT_REASONS for r in results)
        if no_verdict:
            log.warning("%s: %d of %d samples got no verdict (sandbox or worker failure)", self.__name__,
                        no_verdict, len(results))
        log_extra, log_metric = kwargs.get("log_extra"), kwargs.get("log_metric")
        if callable(log_extra):
            log_extra(f"{self.__name__}_reason", [reason_of(r) for r in results])
        if callable(log_metric) and applicable:
            log_metric(f"rewards/{self.__name__}/undecided", undecided / len(applicable))


def is_decided(result: VerificationResult) -> bool:
    """Whether a result is a verdict a reward can be given for (see the module docs)."""
    return result.details.get("reason") not in UNDECIDED_REWARD_REASONS and result.method not in _UNDECIDED_METHODS


def reason_of(result: VerificationResult) -> str:
    reason = result.details.get("reason")
    return str(reason) if reason else ("verified" if result.is_verified else "failed")


def make_reward(split: str, *, partial: bool = False, undecided: float | None = None, name: str | None = None,
                **verifier_options: Any) -> VerifierReward:
    """A reward function for `split` ("math", "code", "tool_calling") with these verifier options, e.g.
    `make_reward("code", sandbox="docker", timeout_s=2.0, pool_size=8)` or `make_reward("math", timeout=10)`."""
    return VerifierReward(split, partial=partial, undecided=undecided, name=name, **verifier_options)


# Default verifier options; module-level functions so that TRL logs their names and they pickle by reference.
_MATH = VerifierReward("math")
_CODE = VerifierReward("code")
_TOOL_CALLING = VerifierReward("tool_calling")


def math_reward(
    prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, **kwargs: Any
) -> list[float | None]:
    """1.0 when the completion's final answer equals the row's `ground_truth` (or `answer`, `solution`), 0.0
    when not, None when undecided (no ground truth, a comparison that timed out)."""
    return _MATH(prompts, completions, completion_ids, **kwargs)


def code_reward(
    prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, **kwargs: Any
) -> list[float | None]:
    """1.0 when the completion's code passes the row's `tests` in the sandbox, 0.0 when it fails (wrong,
    crash, time limit, no code), None when undecided (nothing to test against, sandbox failure)."""
    return _CODE(prompts, completions, completion_ids, **kwargs)


def tool_call_reward(
    prompts: list[Any], completions: list[Any], completion_ids: list[Any] | None = None, **kwargs: Any
) -> list[float | None]:
    """1.0 when the completion's tool calls match the row's `reference_calls` (valid against `tools`), 0.0
    when a call is invalid or they do not match, None when undecided (no reference, unusable tools)."""
    return _TOOL_CALLING(prompts, completions, completion_ids, **kwargs)

