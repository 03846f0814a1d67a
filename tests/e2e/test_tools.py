"""Tool calling end to end: the real CLI drives multi-turn tool conversations through the official SDKs
against fake servers that reject any conversation the real APIs would reject (tests/fakes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

JUDGE_YES = '{"reasoning": "sensible calls, answer uses the result", "is_correct": true, "confidence": 0.8}'
JUDGE_RULE = {"match": "Task type: tool calling", "replies": [JUDGE_YES]}


def _calls(*calls: tuple[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


def _openai(cfg: Path, fake: FakeServer, *extra: str):
    return run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(OPENAI_API_KEY="sk-test"))


def _claude(cfg: Path, fake: FakeServer, *extra: str):
    return run_cli("claude", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))


def _config(tmp_path: Path, **keys: Any) -> Path:
    base = {"splits": "tool_calling", "max_queries": 17, "num_candidates": 2, "concurrency": 4}
    return write_config(tmp_path / "c.yaml", **{**base, **keys})


def _rows(tmp_path: Path) -> pd.DataFrame:
    return pd.read_parquet(tmp_path / "out.parquet").set_index(["query_id", "candidate_idx"]).sort_index()


def _trace(row: pd.Series) -> list[dict[str, Any]]:
    return json.loads(row.tool_trace)


def _generations(fake: FakeServer, path: str) -> list[dict[str, Any]]:
    return [r["body"] for r in fake.requests() if r["path"].endswith(path)
            and "Task type" not in json.dumps(r["body"]) and "simulate software tools" not in json.dumps(r["body"])]


# Scripts for the sample rows (experiments/samples/tool_calling.jsonl), by their questions.
PARIS = {"match": "weather like in Paris", "replies": [{"turns": [
    _calls(("get_weather", {"city": "Paris"})),
    "In Paris right now: {tool_result}",
]}]}
SHARES = {"match": "Microsoft and Nvidia", "replies": [{"turns": [
    _calls(("get_stock_price", {"ticker": "MSFT"}), ("get_stock_price", {"ticker": "NVDA"})),
    "Both quotes: {tool_results}",
]}]}
BAD_ARGS = {"match": "Convert 5 miles", "replies": [{"turns": [
    _calls(("convert_units", '{"value": 5, "from_unit": "miles", ')),  # cut-off JSON
    _calls(("convert_units", {"value": 5, "from_unit": "miles", "to_unit": "kilometers"})),
    "5 miles is {tool_result}",
]}]}
NEVER_STOPS = {"match": "37 * 41", "replies": [{"turns": [_calls(("calculator", {"expression": "37 * 41"}))]}]}
TOOL_ERROR = {"match": "tallest mountain in Africa", "replies": [{"turns": [
    _calls(("no_such_tool", {"q": "tallest mountain"})),
    _calls(("web_search", {"query": "tallest mountain in Africa"})),
    "Kilimanjaro, per {tool_result}",
]}]}
BERLIN_RIGHT = {"match": "weather in Berlin", "replies": [{"turns": [
    _calls(("get_weather", {"city": "berlin", "unit": "celsius"})), "Berlin: {tool_result}"]}, {"turns": [
    _calls(("get_weather", {"city": "Bern"})), "Bern: {tool_result}"]}]}
JOKE = {"match": "joke about cats", "replies": ["Why did the cat sit on the computer? To keep an eye on the mouse."]}


def test_openai_chat_runs_multi_turn_tool_loops(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [JUDGE_RULE, PARIS, SHARES, BAD_ARGS, NEVER_STOPS, TOOL_ERROR, BERLIN_RIGHT, JOKE]})
    cfg = _config(tmp_path, max_tool_iterations=4)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = _rows(tmp_path)
    assert len(df) == 34 and df.error.isna().all()

    # One call, its result shown to the model (the fake echoes it), then the answer.
    paris = df.loc[("sample-tool-calling-001", 0)]
    assert (paris.num_tool_calls, paris.num_iterations, paris.invalid_tool_calls) == (1, 2, 0)
    assert paris.terminated_by == "final_answer"
    call = _trace(paris)[0]["calls"][0]
    assert call["valid"] and call["mock"] and call["mock_confidence"] >= 0.4
    assert "Paris" in call["result"] and paris.response == f"In Paris right now: {call['result']}"
    assert paris.is_verified and paris.verification_method == "tool_schema+llm_judge"

    # Parallel calls in one turn: both answered, both results reach the model.
    shares = df.loc[("sample-tool-calling-010", 1)]
    first_turn = _trace(shares)[0]["calls"]
    assert shares.num_tool_calls == 2 and [c["arguments"] for c in first_turn] == ['{"ticker":"MSFT"}',
                                                                                   '{"ticker":"NVDA"}']
    assert "MSFT" in shares.response and "NVDA" in shares.response

    # Malformed arguments are answered with an error the model can fix; the row counts it and fails.
    bad = df.loc[("sample-tool-calling-002", 0)]
    trace = _trace(bad)
    assert trace[0]["calls"][0]["error_kind"] == "malformed_json" and trace[0]["calls"][0]["is_error"]
    assert trace[1]["calls"][0]["valid"] and (bad.invalid_tool_calls, bad.num_tool_calls) == (1, 2)
    assert bad.is_verified == False and bad.verification_reason == "invalid_call"  # noqa: E712
    assert pd.isna(bad.judge_model)  # never verified on the judge's word

    # A model that never stops calling is stopped at max_tool_iterations.
    loop = df.loc[("sample-tool-calling-004", 0)]
    assert (loop.terminated_by, loop.num_iterations, loop.num_tool_calls) == ("max_iterations", 4, 4)
    assert loop.is_verified == False and loop.verification_reason == "no_final_answer"  # noqa: E712
    assert json.loads(_trace(loop)[0]["calls"][0]["result"])["result"] == 1517  # real arithmetic

    # An unknown tool is an error result; the model recovers, but the call still counts against it.
    err = df.loc[("sample-tool-calling-006", 0)]
    assert _trace(err)[0]["calls"][0]["error_kind"] == "unknown_tool" and err.invalid_tool_calls == 1
    assert not err.is_verified

    # A trusted reference decides without the judge, BFCL style ("berlin" == "Berlin").
    assert df.loc[("sample-tool-calling-014", 0)].is_verified
    assert df.loc[("sample-tool-calling-014", 0)].verification_reason == "reference_match"
    assert not df.loc[("sample-tool-calling-014", 1)].is_verified
    assert df.loc[("sample-tool-calling-014", 1)].verification_reason == "reference_mismatch"
    # Irrelevance: no tool fits, and answering without a call is right.
    joke = df.loc[("sample-tool-calling-015", 0)]
    assert joke.is_verified and joke.num_tool_calls == 0 and joke.verification_reason == "reference_match"
    assert df.loc[list(df.index[df.index.get_level_values(0).str.endswith(("014", "015"))])].judge_model.isna().all()

    # The judge saw the tool definitions, the calls with their results and the final answer.
    judge = [b for b in (r["body"] for r in openai_fake.requests()) if "Task type: tool calling" in json.dumps(b)]
    prompt = next(b["messages"][-1]["content"] for b in judge if "weather like in Paris" in json.dumps(b))
    assert '"name": "get_weather"' in prompt and "get_weather(" in prompt and call["result"][:40] in prompt
    assert paris.response in prompt
    # Every later turn sent the assistant's tool_calls before the tool messages (the fake checks it).
    later = [b for b in _generations(openai_fake, "/chat/completions")
             if any(m["role"] == "assistant" for m in b["messages"])]
    assert len(later) >= 10 and all(b["messages"][-1]["role"] == "tool" and b["n"] == 1 for b in later)


def test_claude_thinking_blocks_go_back_unchanged(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": [JUDGE_RULE, PARIS, SHARES]})
    cfg = _config(tmp_path, thinking_budget=1024, max_tokens=2048, max_queries=10)
    r = _claude(cfg, anthropic_fake)
    assert r.returncode == 0, r.stderr
    df = _rows(tmp_path)
    paris = df.loc[("sample-tool-calling-001", 0)]
    assert paris.terminated_by == "final_answer" and paris.num_iterations == 2 and pd.isna(paris.error)
    assert "Paris" in paris.response and paris.reasoning
    shares = df.loc[("sample-tool-calling-010", 0)]
    assert shares.num_tool_calls == 2 and "NVDA" in shares.response
    # The second turn carried the first turn's content blocks, thinking first, signature intact
    # (the fake verifies signatures and rejects a tool loop that drops them).
    second = [b for b in _generations(anthropic_fake, "/v1/messages") if len(b["messages"]) == 3]
    assert second
    for body in second:
        replayed = body["messages"][1]["content"]
        assert replayed[0]["type"] == "thinking" and replayed[0]["signature"]
        results = body["messages"][2]["content"]
        assert all(b["type"] == "tool_result" for b in results)


def test_responses_api_carries_reasoning_items_forward(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [JUDGE_RULE, PARIS, SHARES]})
    cfg = _config(tmp_path, api="responses", max_queries=10, num_candidates=1)
    r = _openai(cfg, openai_fake, "--model", "gpt-5-mini")
    assert r.returncode == 0, r.stderr
    df = _rows(tmp_path)
    paris = df.loc[("sample-tool-calling-001", 0)]
    assert paris.terminated_by == "final_answer" and "Paris" in paris.response and pd.isna(paris.error)
    shares = df.loc[("sample-tool-calling-010", 0)]
    assert shares.num_tool_calls == 2 and "NVDA" in shares.response
    bodies = _generations(openai_fake, "/responses")
    later = [b for b in bodies if any(i.get("type") == "function_call_output" for i in b["input"])]
    assert later and all(b["store"] is False and "reasoning.encrypted_content" in b["include"] for b in later)
    assert all(any(i.get("type") == "reasoning" and i.get("encrypted_content") for i in b["input"]) for b in later)


FROB = {"name": "frobnicate_widget", "description": "Frobnicates a widget.",
        "parameters": {"type": "object", "properties": {"zork": {"type": "string"}}, "required": ["zork"]}}


def test_llm_mock_answers_unknown_tools_once_and_regen_redoes_tool_rows(tmp_path: Path,
                                                                        openai_fake: FakeServer) -> None:
    data = tmp_path / "tool_calling.jsonl"
    data.write_text(json.dumps({"id": "frob-1", "question": "Frobnicate the blue widget.", "tools": [FROB]}) + "\n")
    openai_fake.configure({"rules": [
        JUDGE_RULE,
        {"match": "Reply with the JSON result", "replies": ['{"status": "frobnicated", "widget": "blue"}']},
        {"match": "Frobnicate the blue", "replies": [{"turns": [_calls(("frobnicate_widget", {"zork": "blue"})),
                                                               "Done: {tool_result}"]}]},
    ]})
    cfg = _config(tmp_path, dataset=str(data), num_candidates=3)
    assert _openai(cfg, openai_fake).returncode == 0
    df = _rows(tmp_path)
    calls = [_trace(row)[0]["calls"][0] for _, row in df.iterrows()]
    assert all(c["mock"] == "llm" and "frobnicated" in c["result"] for c in calls)
    assert df.response.str.contains("frobnicated").all()
    mock_requests = [r for r in openai_fake.requests() if "simulate software tools" in json.dumps(r["body"])]
    assert len(mock_requests) == 1  # three candidates, one question to the mock

    # regen --split tool_calling runs the loop again; the mock answers from its disk cache.
    openai_fake.reset()
    openai_fake.configure({"rules": [
        JUDGE_RULE,
        {"match": "Frobnicate the blue", "replies": [{"turns": [_calls(("frobnicate_widget", {"zork": "blue"})),
                                                               "Again: {tool_result}"]}]},
    ]})
    r = run_cli("openai", "regen", str(tmp_path / "out.parquet"), "--split", "tool_calling", "--all",
                "--base-url", openai_fake.base_url, "--quiet", env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    again = _rows(tmp_path)
    assert again.response.str.startswith("Again: ").all() and again.response.str.contains("frobnicated").all()
    assert again.regen_count.eq(1).all() and again.num_iterations.eq(2).all()
    assert not [r for r in openai_fake.requests() if "simulate software tools" in json.dumps(r["body"])]


def test_token_budget_stops_a_loop(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [JUDGE_RULE, PARIS]})
    cfg = _config(tmp_path, max_queries=1, num_candidates=1, max_tool_tokens=1)
    assert _openai(cfg, openai_fake).returncode == 0
    row = _rows(tmp_path).iloc[0]
    assert (row.terminated_by, row.num_iterations, row.num_tool_calls) == ("budget", 1, 1)
    assert row.is_verified == False  # noqa: E712


FACTORIAL = {"name": "math.factorial", "description": "Factorial of a number.",
             "parameters": {"type": "dict", "properties": {"number": {"type": "integer"}}, "required": ["number"]}}


@pytest.mark.parametrize("provider, api", [("openai", "chat"), ("openai", "responses"), ("claude", "chat")])
def test_bfcl_dotted_tool_names_reach_the_api_as_names_it_accepts(tmp_path: Path, openai_fake: FakeServer,
                                                                   anthropic_fake: FakeServer, provider: str,
                                                                   api: str) -> None:
    data = tmp_path / "tool_calling.jsonl"
    data.write_text(json.dumps({"id": "fact-5", "question": "What is 5 factorial?", "tools": [FACTORIAL],
                                "reference_calls": [{"math.factorial": {"number": [5]}}]}) + "\n")
    fake = openai_fake if provider == "openai" else anthropic_fake
    # The model sees (and calls) the name the APIs accept; the fakes reject "math.factorial" as real APIs do.
    fake.configure({"rules": [{"match": "5 factorial", "replies": [{"turns": [
        _calls(("math_factorial", {"number": 5})), "5! = {tool_result}"]}]}]})
    cfg = _config(tmp_path, dataset=str(data), num_candidates=1, api=api)
    r = (_openai if provider == "openai" else _claude)(cfg, fake)
    assert r.returncode == 0, r.stderr
    row = _rows(tmp_path).iloc[0]
    assert json.loads(row.tool_calls)[0]["name"] == "math.factorial"  # the dataset's name on the row
    assert row.is_verified and row.verification_reason == "reference_match" and pd.isna(row.error)
    assert "120" in row.response  # the factorial mock answered
