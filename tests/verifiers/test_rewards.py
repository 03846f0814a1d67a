"""verifiers.rewards, called exactly as TRL's GRPOTrainer calls a custom reward function (no TRL needed).

`trl_call` mirrors `GRPOTrainer._calculate_rewards` (trl/trainer/grpo_trainer.py, TRL 1.x): every column
of the batch's rows but "prompt" becomes a keyword list aligned with the completions, plus trainer_state,
log_extra and log_metric, and the call is `reward(prompts=..., completions=..., completion_ids=...,
**reward_kwargs)`; None then becomes NaN. bench/trl_reward_check.py runs the same functions inside TRL.
Code rewards run in the real sandboxes (both backends, as the other code-verifier tests).
"""

from __future__ import annotations

import inspect
import json
import math
import pickle
import threading
import time
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest

from verifiers import VerifierConfigError, check_options
from verifiers.rewards import (
    VerifierReward,
    code_reward,
    completion_calls,
    completion_text,
    make_reward,
    math_reward,
    tool_call_reward,
)
from verifiers.sandbox.base import Job, JobResult, RunOutput, Sandbox, SandboxError

pytest_plugins = ("tests.verifiers.sandbox.fixtures",)


class TrainerLogs:
    """What log_extra and log_metric received (GRPOTrainer._log_completion_extra / _log_metric)."""

    def __init__(self) -> None:
        self.extra: dict[str, list[Any]] = defaultdict(list)
        self.metrics: dict[str, list[float]] = defaultdict(list)

    def log_extra(self, column: str, values: list) -> None:
        self.extra[column].extend(values)

    def log_metric(self, name: str, value: float) -> None:
        self.metrics[name].append(value)


def trl_call(func: Any, rows: list[dict[str, Any]], completions: list[Any], logs: TrainerLogs | None = None
             ) -> list[float | None]:
    """One row per completion (TRL repeats each prompt's row num_generations times), called as TRL calls it."""
    assert len(rows) == len(completions)
    logs = logs or TrainerLogs()
    inputs = [{**row, "completion": c} for row, c in zip(rows, completions, strict=True)]
    prompts = [x["prompt"] for x in inputs]
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs: dict[str, Any] = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = SimpleNamespace(global_step=3, max_steps=10, epoch=0.3)  # TrainerState
    reward_kwargs["log_extra"] = logs.log_extra
    reward_kwargs["log_metric"] = logs.log_metric
    completion_ids_list = [[101, 102, 103 + i] for i in range(len(completions))]
    out = func(prompts=prompts, completions=completions, completion_ids=completion_ids_list, **reward_kwargs)
    assert isinstance(out, list) and len(out) == len(completions)
    assert all(r is None or (isinstance(r, float) and 0.0 <= r <= 1.0) for r in out), out
    as_trl = [r if r is not None else math.nan for r in out]  # what TRL does next: None becomes NaN
    assert all(isinstance(r, float) for r in as_trl)
    return out


def conv(content: str = "", tool_calls: list[dict] | None = None) -> list[dict[str, Any]]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return [message]


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]


# --------------------------------------------------------------------------- signature and names


@pytest.mark.parametrize(("func", "name"), [(math_reward, "math_reward"), (code_reward, "code_reward"),
                                            (tool_call_reward, "tool_call_reward"),
                                            (make_reward("code", timeout_s=2.0), "code_reward"),
                                            (make_reward("math", name="math_strict"), "math_strict")])
def test_signature_and_name(func: Any, name: str) -> None:
    params = list(inspect.signature(func).parameters.values())
    assert [p.name for p in params] == ["prompts", "completions", "completion_ids", "kwargs"]
    assert [p.kind for p in params[:3]] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 3
    assert params[3].kind is inspect.Parameter.VAR_KEYWORD
    assert func.__name__ == name  # TRL logs rewards/<__name__>/mean
    assert not inspect.iscoroutinefunction(func)  # TRL runs it synchronously
    assert pickle.loads(pickle.dumps(func)).__name__ == name


def test_make_reward_rejects_unknown_split() -> None:
    with pytest.raises(KeyError, match="no reward for split"):
        make_reward("chat")


# --------------------------------------------------------------------------- math


MATH_ROW = {"prompt": "What is 7 + 5? Put the answer in \\boxed{}.", "ground_truth": "12"}


def test_math_standard() -> None:
    completions = ["7 + 5 = 12, so the answer is $\\boxed{12}$.", "The answer is $\\boxed{13}$.",
                   "Hard to say without more work.", "$\\boxed{\\frac{24}{2}}$"]
    logs = TrainerLogs()
    assert trl_call(math_reward, [MATH_ROW] * 4, completions, logs) == [1.0, 0.0, 0.0, 1.0]
    assert len(logs.extra["math_reward_reason"]) == 4 and logs.extra["math_reward_reason"][1] != "verified"
    assert logs.metrics["rewards/math_reward/undecided"] == [0.0]


def test_math_conversational_and_aliases() -> None:
    rows = [{"prompt": user("What is 100 - 37?"), "answer": "63", "solution": None},
            {"prompt": user("What is 100 - 37?"), "answer": "63", "solution": None},
            {"prompt": user("Half of 1?"), "answer": None, "solution": "Halve it: $\\boxed{0.5}$."},
            {"prompt": user("Half of 1?"), "answer": None, "solution": "Halve it: $\\boxed{0.5}$."}]
    completions = [conv("100 - 37 = 63.\n\nThe answer is $\\boxed{63}$."), conv("$\\boxed{73}$"),
                   conv("It is $\\boxed{\\frac{1}{2}}$."), conv("It is $\\boxed{2}$.")]
    assert trl_call(math_reward, rows, completions) == [1.0, 0.0, 1.0, 0.0]


def test_math_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    # No ground truth: None whatever the completion says (a row of another task in a mixed dataset).
    rows = [{"prompt": "Say hi.", "ground_truth": None, "split": None},
            {"prompt": "Say hi.", "ground_truth": "", "split": "math"},
            {"prompt": "Add.", "ground_truth": "12", "split": "code"}]
    logs = TrainerLogs()
    assert trl_call(math_reward, rows, ["hi", "$\\boxed{3}$", "$\\boxed{12}$"], logs) == [None, None, None]
    assert logs.extra["math_reward_reason"] == ["no_ground_truth", "no_ground_truth", "not_applicable"]
    assert logs.metrics["rewards/math_reward/undecided"] == [1.0]
    only_other = TrainerLogs()  # a batch with no row of this split logs no undecided share
    assert trl_call(math_reward, [rows[2]], ["$\\boxed{12}$"], only_other) == [None]
    assert "rewards/math_reward/undecided" not in only_other.metrics
    # A comparison that overruns its time box is SymPy's failure, not the model's: undecided. The pool is
    # made to time out (a real zero budget races the worker on a busy machine).
    from verifiers.math.timeout_pool import TaskTimeout, TimeoutPool

    def overrun(*_: object, **__: object) -> None:
        raise TaskTimeout("task exceeded 0s")

    monkeypatch.setattr(TimeoutPool, "run", overrun)
    timed_out = make_reward("math", timeout=0.0, name="math_timeout")
    row = {"prompt": "Expand.", "ground_truth": "x^2+2x+1"}  # only SymPy can tell: no fast path
    assert trl_call(timed_out, [row], ["$\\boxed{(x+1)^2}$"]) == [None]
    zero = make_reward("math", timeout=0.0, undecided=0.0)
    assert trl_call(zero, [row], ["$\\boxed{(x+1)^2}$"]) == [0.0]


def test_math_partial() -> None:
    partial = make_reward("math", partial=True)
    rows = [MATH_ROW] * 3
    got = trl_call(partial, rows, ["$\\boxed{12}$", "So we get 5 + 7 which is 12", "$\\boxed{11}$"])
    assert got[0] == 1.0 and 0.0 < got[1] <= 0.6 and got[2] == 0.0  # a bare trailing number is a guess


# --------------------------------------------------------------------------- code (real sandboxes)


ADD_CHECK = {"test": "def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n",
             "entry_point": "add"}
SUM_STDIO = {"inputs": ["1 2\n", "-4 4\n"], "outputs": ["3\n", "0\n"]}
GOOD_ADD = "Here:\n\n```python\ndef add(a, b):\n    return a + b\n```\n"
BAD_ADD = "```python\ndef add(a, b):\n    return a - b\n```"
CRASH_ADD = "```python\ndef add(a, b):\n    return a + undefined_name\n```"
GOOD_SUM = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
BAD_SUM = "```python\na, b = map(int, input().split())\nprint(a * b)\n```"


@pytest.fixture(scope="module")
def sandboxed(sandbox: Sandbox) -> VerifierReward:
    return make_reward("code", sandbox=sandbox, timeout_s=2.0, retries=0)


def test_code_standard_humaneval_and_apps(sandboxed: VerifierReward) -> None:
    he = {"prompt": "Write add(a, b) in Python.", "tests": ADD_CHECK, "entry_point": "add", "language": "python"}
    apps = {"prompt": "Read two integers and print their sum.", "tests": json.dumps(SUM_STDIO), "entry_point": None,
            "language": None}
    rows = [he, he, he, he, apps, apps]
    completions = [GOOD_ADD, BAD_ADD, CRASH_ADD, "Sorry, I won't write code.", GOOD_SUM, BAD_SUM]
    assert trl_call(sandboxed, rows, completions) == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]


def test_code_conversational(sandboxed: VerifierReward) -> None:
    row = {"prompt": user("Write add(a, b) in Python."), "tests": json.dumps(ADD_CHECK)}
    completions = [conv(GOOD_ADD), conv(BAD_ADD),
                   # after a tool loop the final assistant message is the answer
                   [{"role": "assistant", "content": "", "tool_calls": [{"name": "search", "arguments": "{}"}]},
                    {"role": "tool", "name": "search", "content": "nothing"},
                    {"role": "assistant", "content": [{"type": "text", "text": GOOD_ADD}]}]]
    assert trl_call(sandboxed, [row] * 3, completions) == [1.0, 0.0, 1.0]


def test_code_undecided_and_timeout(sandboxed: VerifierReward) -> None:
    rows = [{"prompt": "Write add(a, b).", "tests": None},  # nothing to test against
            {"prompt": "Write add(a, b).", "tests": '{"test": "def check(c): pass"}'},  # no entry point: bad tests
            {"prompt": "Add two numbers.", "tests": json.dumps(ADD_CHECK), "split": "math"},
            {"prompt": "Write add(a, b).", "tests": ADD_CHECK}]
    for row in rows:
        row.setdefault("split", None)
    loop = "```python\ndef add(a, b):\n    while True:\n        pass\n```"
    logs = TrainerLogs()
    got = trl_call(sandboxed, rows, [GOOD_ADD, GOOD_ADD, GOOD_ADD, loop], logs)
    # A test that times out is a verdict on the candidate's program, not an undecided result.
    assert got == [None, None, None, 0.0]
    assert logs.extra["code_reward_reason"] == ["no_tests", "bad_tests", "not_applicable", "timeout"]


def test_code_columns_through_arrow(sandboxed: VerifierReward) -> None:
    """Rows as a datasets.Dataset hands them to TRL: Arrow merges the HumanEval and APPS dicts into one
    struct and fills each row's missing keys with nulls."""
    from datasets import Dataset

    ds = Dataset.from_list([{"prompt": "Write add(a, b).", "tests": ADD_CHECK},
                            {"prompt": "Print the sum.", "tests": SUM_STDIO}])
    rows = [ds[0], ds[1]]
    assert rows[0]["tests"]["inputs"] is None and rows[1]["tests"]["test"] is None
    assert trl_call(sandboxed, rows, [GOOD_ADD, GOOD_SUM]) == [1.0, 1.0]


def test_default_code_reward_uses_the_real_sandbox() -> None:
    import os

    try:
        check_options("code")
    except VerifierConfigError as e:
        if os.environ.get("BESTOFN_ALLOW_NO_SANDBOX") == "1":
            pytest.skip(f"no sandbox and BESTOFN_ALLOW_NO_SANDBOX=1: {e}")
        pytest.fail(f"no sandbox: {e} (run verifiers/sandbox/setup_sandboxes.sh)")
    row = {"prompt": user("Write add(a, b) in Python."), "tests": json.dumps(ADD_CHECK)}
    assert trl_call(code_reward, [row] * 3, [GOOD_ADD, conv(BAD_ADD), conv(GOOD_ADD)]) == [1.0, 0.0, 1.0]


class SlowSandbox:
    """Echoes stdin after a pause; records how many jobs ran at once (or fails every job)."""

    name = "slow"

    def __init__(self, fail: bool = False, pool_size: int | None = None) -> None:
        self.fail = fail
        if pool_size is not None:
            self.pool_size = pool_size
        self.running = self.peak = 0
        self._lock = threading.Lock()

    def run(self, job: Job) -> JobResult:
        if self.fail:
            raise SandboxError("the sandbox fell over")
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.3)
        with self._lock:
            self.running -= 1
        return JobResult([RunOutput(exit=0, signal=None, stdout=r.stdin, stderr="") for r in job.runs], "slow", 0.3)

    def close(self) -> None:
        pass


ECHO = "```python\nprint(input())\n```"
ECHO_ROW = {"prompt": "Echo the input.", "tests": {"inputs": ["7\n"], "outputs": ["7\n"]}}


def test_code_batch_runs_concurrently_on_the_parallel_slots() -> None:
    box = SlowSandbox()
    reward = make_reward("code", sandbox=box, pool_size=3, retries=0)
    started = time.monotonic()
    assert trl_call(reward, [ECHO_ROW] * 6, [ECHO] * 6) == [1.0] * 6
    assert 2 <= box.peak <= 3 and time.monotonic() - started < 6 * 0.3
    # A Sandbox object's own pool size sizes the pool when pool_size is not given.
    sized = SlowSandbox(pool_size=4)
    assert trl_call(make_reward("code", sandbox=sized, retries=0), [ECHO_ROW] * 8, [ECHO] * 8) == [1.0] * 8
    assert 2 <= sized.peak <= 4


def test_sandbox_failure_is_undecided() -> None:
    reward = make_reward("code", sandbox=SlowSandbox(fail=True), retries=0, name="code_broken")
    logs = TrainerLogs()
    assert trl_call(reward, [ECHO_ROW] * 2, [ECHO] * 2, logs) == [None, None]
    assert logs.extra["code_broken_reason"] == ["sandbox_error", "sandbox_error"]
    assert trl_call(make_reward("code", sandbox=SlowSandbox(fail=True), retries=0, undecided=0.0),
                    [ECHO_ROW], [ECHO]) == [0.0]


def test_unusable_sandbox_option_raises_once_not_none_per_row() -> None:
    reward = make_reward("code", sandbox="bwrap", image="bestofn-no-such-image")
    with pytest.raises(VerifierConfigError):
        trl_call(reward, [ECHO_ROW], [ECHO])


# --------------------------------------------------------------------------- tool calls


WEATHER = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                                                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                   "required": ["city"]}}}]
PARIS = [{"get_weather": {"city": ["Paris"], "unit": ["", "celsius"]}}]


def openai_call(name: str, arguments: Any) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "arguments": arguments}}


def test_tool_calls_conversational() -> None:
    row = {"prompt": user("Weather in Paris?"), "tools": json.dumps(WEATHER), "reference_calls": json.dumps(PARIS)}
    completions = [
        conv(tool_calls=[openai_call("get_weather", '{"city": "Paris"}')]),  # OpenAI form, JSON string arguments
        conv(tool_calls=[openai_call("get_weather", {"city": "paris", "unit": "celsius"})]),  # TRL's parsed form
        conv(tool_calls=[{"name": "get_weather", "arguments": {"city": "Paris"}}]),  # plain form
        conv(tool_calls=[openai_call("get_weather", {"city": "London"})]),  # wrong value
        conv(tool_calls=[openai_call("get_wether", {"city": "Paris"})]),  # unknown tool
        conv(tool_calls=[openai_call("get_weather", '{"city": "Paris"')]),  # malformed JSON
        conv("It is sunny in Paris."),  # no call
        conv('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'),  # in the text
    ]
    assert trl_call(tool_call_reward, [row] * 8, completions) == [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]


def test_tool_calls_standard_and_after_a_tool_loop() -> None:
    row = {"prompt": "Weather in Paris?", "tools": WEATHER, "reference_calls": PARIS}
    good = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    llama = '<tool_call>{"name": "get_weather", "parameters": {"city": "Paris"}}</tool_call>'
    truncated = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par'
    assert trl_call(tool_call_reward, [row] * 4, [good, llama, truncated, "Sunny."]) == [1.0, 1.0, 0.0, 0.0]
    loop = [{"role": "assistant", "content": "", "tool_calls": [openai_call("get_weather", {"city": "Paris"})]},
            {"role": "tool", "name": "get_weather", "content": "18C"},
            {"role": "assistant", "content": "It is 18C in Paris."}]
    twice = [*loop, {"role": "assistant", "content": "", "tool_calls": [openai_call("get_weather", {"city": "Rome"})]}]
    assert trl_call(tool_call_reward, [row] * 2, [loop, twice]) == [1.0, 0.0]


def test_tool_calls_undecided() -> None:
    no_ref = {"prompt": user("Weather?"), "tools": json.dumps(WEATHER), "reference_calls": None}
    none_right = {"prompt": user("Hi!"), "tools": json.dumps(WEATHER), "reference_calls": "[]"}
    broken = {"prompt": user("Weather?"), "tools": "[{not json", "reference_calls": json.dumps(PARIS)}
    other = {"prompt": user("Weather?"), "tools": json.dumps(WEATHER), "reference_calls": json.dumps(PARIS),
             "split": "math"}
    for row in (no_ref, none_right, broken):
        row["split"] = "tool_calling"
    rows = [no_ref, no_ref, no_ref, none_right, none_right, broken, other]
    completions = [conv(tool_calls=[openai_call("get_weather", {"city": "Paris"})]),  # fits, nothing to compare
                   conv("Hello."),  # no call, no reference
                   conv(tool_calls=[openai_call("get_weather", {"town": "Paris"})]),  # invalid even unreferenced
                   conv("Hello!"),  # `[]`: calling nothing was right
                   conv(tool_calls=[openai_call("get_weather", {"city": "Paris"})]),
                   conv(tool_calls=[openai_call("get_weather", {"city": "Paris"})]),
                   conv(tool_calls=[openai_call("get_weather", {"city": "Paris"})])]
    logs = TrainerLogs()
    assert trl_call(tool_call_reward, rows, completions, logs) == [None, None, 0.0, 1.0, 0.0, None, None]
    assert logs.extra["tool_call_reward_reason"] == [
        "schema_valid", "no_calls", "invalid_call", "reference_match", "reference_mismatch", "bad_data",
        "not_applicable"]
    assert math.isclose(logs.metrics["rewards/tool_call_reward/undecided"][0], 3 / 6)  # of the rows of its split


def test_completion_readers() -> None:
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "assistant", "content": "a"}, {"role": "tool", "content": "t"},
                            {"role": "assistant", "content": ""}]) == "a"
    assert completion_text([]) == ""
    calls = completion_calls([{"role": "assistant", "content": "<tool_call>{bad}</tool_call>"}])
    assert calls == ["{bad}"]  # kept, so the verifier rejects it; never silently dropped
    named = completion_calls('<tool_call>{"name": "f", "arguments": {"x": }</tool_call>')
    assert named == [{"name": "f", "arguments": '{"name": "f", "arguments": {"x": }'}]
