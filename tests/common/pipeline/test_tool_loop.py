"""The tool loop's own rules, with an in-process adapter that scripts each turn (the wire formats are
covered end to end in tests/e2e/test_tools.py against the fake servers)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from common.config import ExperimentConfig
from common.data.query import Query
from common.model.api import Candidate, GenRequest, Price, ProviderInfo, Usage
from common.pipeline.engine import Pipeline
from common.pipeline.tool_loop import LLMToolMock
from common.store import CheckpointStore

INFO = ProviderInfo(name="scripted", open=lambda *a, **k: None, key_env="K", default_model="m",  # type: ignore[arg-type]
                    default_judge_model=None, prices={"m": Price(1.0, 0.1, 1.0, 2.0)})
WEATHER = {"name": "get_weather", "description": "Current weather for a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
FROB = {"name": "frobnicate_widget", "description": "Frobnicates.",
        "parameters": {"type": "object", "properties": {"zork": {"type": "string"}}}}


def _call(name: str, args: Any, i: int = 0) -> dict[str, Any]:
    return {"id": f"c{i}", "name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}


class TurnAdapter:
    """Turn k of every conversation answers with script[k] (the last repeated): a list of calls, text,
    or an Exception to raise. Mock questions (the LLM tool mock) get `mock_reply`."""

    api = "chat"
    max_n_per_request = 8
    cache_warmup = False
    base_url = None
    info = INFO

    def __init__(self, script: list[Any], mock_reply: str = '{"ok": true}') -> None:
        self.script = script
        self.mock_reply = mock_reply
        self.requests: list[GenRequest] = []
        self.mock_requests = 0

    def applies_temperature(self, model: str) -> bool:
        return True

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        if req.system and "simulate software tools" in req.system:
            self.mock_requests += 1
            await asyncio.sleep(0.01)  # long enough for concurrent askers to wait on this one
            return [Candidate(text=self.mock_reply)]
        self.requests.append(req)
        turn = sum(m["role"] == "assistant" for m in req.messages)
        step = self.script[min(turn, len(self.script) - 1)]
        if isinstance(step, Exception):
            raise step
        usage = Usage(input_tokens=100, output_tokens=10)
        if isinstance(step, str):
            return [Candidate(text=step, usage=usage) for _ in range(n)]
        return [Candidate(text=None, tool_calls=step, usage=usage,
                          turn={"role": "assistant", "content": None, "tool_calls": step, "native": {"api": "x"}})
                for _ in range(n)]

    async def pick_model(self, default: str | None) -> str:
        return "m"

    async def aclose(self) -> None:
        pass


def run(tmp_path: Path, adapter: TurnAdapter, tools: list[dict], n: int = 2, llm_mock: bool = False,
        **cfg_keys: Any) -> list:
    cfg = ExperimentConfig(**{"splits": ["tool_calling"], "num_candidates": n, "verify": False, "model": "m",
                              "max_retries": 0, **cfg_keys})
    store = CheckpointStore(tmp_path / "out.parquet", cfg.fingerprint(), {})
    store.open()
    query = Query(query_id="q", split="tool_calling", question="Weather in Paris?",
                  messages=({"role": "user", "content": "Weather in Paris?"},), tools=tools)
    mock = LLMToolMock(adapter, "m", tmp_path / "mock", max_retries=0) if llm_mock else None  # type: ignore[arg-type]
    pipeline = Pipeline(cfg, adapter, store, tool_mock=mock)  # type: ignore[arg-type]
    try:
        return asyncio.run(pipeline.rows_for(query, list(range(n))))
    finally:
        pipeline.checker.close()


def test_each_turn_replays_the_adapters_own_record_then_the_results(tmp_path: Path) -> None:
    adapter = TurnAdapter([[_call("get_weather", {"city": "Paris"})], "Sunny."])
    rows = run(tmp_path, adapter, [WEATHER])
    assert [r.response for r in rows] == ["Sunny."] * 2
    second = [r for r in adapter.requests if len(r.messages) > 1]
    assert len(second) == 2  # one conversation per candidate, each its own request
    user, assistant, tool = second[0].messages
    assert assistant["native"] == {"api": "x"}  # what the adapter handed back goes back unchanged
    assert tool["role"] == "tool" and tool["tool_call_id"] == "c0" and "Paris" in tool["content"]
    row = rows[0]
    assert (row.num_tool_calls, row.num_iterations, row.invalid_tool_calls, row.terminated_by) == (1, 2, 0,
                                                                                                   "final_answer")
    assert row.input_tokens == 200 and row.output_tokens == 20  # every turn is billed to the row
    assert row.attempts == 1  # a second turn is not a retry
    assert json.loads(row.tool_calls) == [_call("get_weather", {"city": "Paris"})]


def test_results_are_deterministic_across_candidates_and_runs(tmp_path: Path) -> None:
    script = [[_call("get_weather", {"city": "Oslo"})], "Done."]
    first = run(tmp_path / "a", TurnAdapter(script), [WEATHER], n=3)
    again = run(tmp_path / "b", TurnAdapter(script), [WEATHER], n=1)
    results = {json.loads(r.tool_trace)[0]["calls"][0]["result"] for r in first + again}
    assert len(results) == 1 and "Oslo" in results.pop()


def test_an_invalid_call_gets_an_error_result_and_counts(tmp_path: Path) -> None:
    adapter = TurnAdapter([[_call("get_weather", {"town": "Paris"})], "Sorry."])
    rows = run(tmp_path, adapter, [WEATHER], n=1)
    call = json.loads(rows[0].tool_trace)[0]["calls"][0]
    assert not call["valid"] and call["error_kind"] == "unknown_parameter" and call["is_error"]
    assert "town" in json.loads(call["result"])["error"] and call["mock"] is None
    assert rows[0].invalid_tool_calls == 1
    tool_msg = adapter.requests[-1].messages[-1]
    assert tool_msg["is_error"] is True


def test_limits_end_a_loop(tmp_path: Path) -> None:
    forever = [[_call("get_weather", {"city": "Rome"})]]
    (row,) = run(tmp_path / "a", TurnAdapter(forever), [WEATHER], n=1, max_tool_iterations=3)
    assert (row.terminated_by, row.num_iterations, row.num_tool_calls) == ("max_iterations", 3, 3)
    (row,) = run(tmp_path / "b", TurnAdapter(forever), [WEATHER], n=1, max_tool_tokens=250)
    assert (row.terminated_by, row.num_iterations) == ("budget", 3)  # 110 tokens a turn: stops past 250


def test_an_error_mid_loop_keeps_the_tokens_and_marks_the_row(tmp_path: Path) -> None:
    adapter = TurnAdapter([[_call("get_weather", {"city": "Rome"})], ValueError("boom")])
    (row,) = run(tmp_path, adapter, [WEATHER], n=1)
    assert row.terminated_by == "error" and row.error and row.num_iterations == 2
    assert row.input_tokens == 100  # the turn that answered is billed
    assert row.cost_usd == pytest.approx(100 * 1.0 / 1e6 + 10 * 2.0 / 1e6)


def test_the_llm_mock_answers_what_no_mock_fits_once_and_from_disk_after(tmp_path: Path) -> None:
    script = [[_call("frobnicate_widget", {"zork": "x"})], "Frobbed."]
    adapter = TurnAdapter(script, mock_reply='{"frobbed": "x"}')
    rows = run(tmp_path, adapter, [FROB], n=4, llm_mock=True)
    calls = [json.loads(r.tool_trace)[0]["calls"][0] for r in rows]
    assert all(c["mock"] == "llm" and json.loads(c["result"]) == {"frobbed": "x"} for c in calls)
    assert adapter.mock_requests == 1  # four candidates asked at once: one question
    again = TurnAdapter(script, mock_reply='{"frobbed": "DIFFERENT"}')
    rows = run(tmp_path, again, [FROB], n=1, llm_mock=True)
    assert again.mock_requests == 0 and "frobbed" in json.loads(rows[0].tool_trace)[0]["calls"][0]["result"]
    assert json.loads(json.loads(rows[0].tool_trace)[0]["calls"][0]["result"]) == {"frobbed": "x"}


def test_a_failed_llm_mock_falls_back_to_a_generic_result(tmp_path: Path) -> None:
    adapter = TurnAdapter([[_call("frobnicate_widget", {"zork": "x"})], "ok"], mock_reply="not json at all")
    (row,) = run(tmp_path, adapter, [FROB], n=1, llm_mock=True)
    call = json.loads(row.tool_trace)[0]["calls"][0]
    assert call["mock"] is None and call["llm_mock_error"].startswith("tool mock: unparseable")
    assert not call["is_error"] and row.terminated_by == "final_answer"


def test_a_row_without_tools_has_no_tool_columns(tmp_path: Path) -> None:
    (row,) = run(tmp_path, TurnAdapter(["plain"]), [], n=1)
    assert row.tool_trace is None and row.num_tool_calls is None and row.terminated_by is None
