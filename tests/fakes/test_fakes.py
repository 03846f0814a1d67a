"""The fake servers, driven by the official SDKs, behave like the real APIs."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator

import anthropic
import httpx
import openai
import pytest
from anthropic.types import Message
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from tests.fakes.launch import FakeServer, fixture_factory

QUESTION = "What is six times seven?"
SCHEMA = {"type": "object", "properties": {"reasoning": {"type": "string"}, "final_answer": {"type": "string"}},
          "required": ["reasoning", "final_answer"], "additionalProperties": False}
WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}
WEATHER_RULE = {"match": "weather", "replies": [
    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}, "It is sunny in Paris."]}

openai_server = pytest.fixture(scope="module", name="openai_server")(fixture_factory("openai"))
anthropic_server = pytest.fixture(scope="module", name="anthropic_server")(fixture_factory("anthropic"))


@pytest.fixture
def oai(openai_server: FakeServer) -> Iterator[FakeServer]:
    openai_server.reset()
    yield openai_server


@pytest.fixture
def ant(anthropic_server: FakeServer) -> Iterator[FakeServer]:
    anthropic_server.reset()
    yield anthropic_server


def oai_client(fake: FakeServer, max_retries: int = 0, api_key: str = "sk-test") -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key=api_key, max_retries=max_retries)


def ant_client(fake: FakeServer, max_retries: int = 0, api_key: str = "sk-ant-test") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.base_url, api_key=api_key, max_retries=max_retries)


def ask(client: openai.OpenAI, question: str = QUESTION, **kwargs: object) -> ChatCompletion:
    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}],
                                          **kwargs)  # type: ignore[call-overload]


def claude(client: anthropic.Anthropic, question: str = QUESTION, **kwargs: object) -> Message:
    kwargs.setdefault("max_tokens", 256)
    return client.messages.create(model="claude-haiku-4-5", messages=[{"role": "user", "content": question}],
                                  **kwargs)  # type: ignore[call-overload]


# ---------------------------------------------------------------- OpenAI chat


def test_chat_n_returns_distinct_scripted_choices_and_usage(oai: FakeServer) -> None:
    oai.configure({"rules": [{"match": "seven", "replies": ["A is 1", "B is two words", "C"]}]})
    resp = ask(oai_client(oai), n=3)
    contents = [c.message.content for c in resp.choices]
    assert sorted(contents) == ["A is 1", "B is two words", "C"]  # type: ignore[type-var]
    assert [c.index for c in resp.choices] == [0, 1, 2]
    assert all(c.finish_reason == "stop" for c in resp.choices)
    assert resp.usage is not None
    assert resp.usage.prompt_tokens == 5 and resp.usage.completion_tokens == 3 + 4 + 1
    assert resp.usage.total_tokens == 13
    assert oai.requests()[-1]["body"]["n"] == 3
    # Round-robin continues across requests, so the next call starts where this one stopped.
    assert ask(oai_client(oai)).choices[0].message.content == "A is 1"


def test_prefix_cache_reports_a_long_prefix_sent_before_in_128_token_steps(oai: FakeServer) -> None:
    oai.configure({"prefix_cache": True})
    client = oai_client(oai)
    system = "word " * 1300  # 1,300 tokens by the fake's count

    def send(question: str) -> int:
        resp = client.chat.completions.create(model="gpt-4o-mini", messages=[
            {"role": "system", "content": system}, {"role": "user", "content": question}])
        details = resp.usage.prompt_tokens_details if resp.usage else None
        return details.cached_tokens if details and details.cached_tokens is not None else -1

    assert send("first question") == 0  # nothing sent before
    assert send("second question") == 1280  # the system prompt, in 128-token steps
    assert send("first question") == 1280  # the whole prompt again: 1,302 tokens -> 1,280
    oai.configure({"prefix_cache": False})
    assert send("first question") == 0
    short = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert short.usage is not None and short.usage.prompt_tokens_details.cached_tokens == 0


def test_default_reply_and_models(oai: FakeServer) -> None:
    client = oai_client(oai)
    assert ask(client).choices[0].message.content == "The answer is \\boxed{42}."
    assert "gpt-4o-mini" in [m.id for m in client.models.list()]


def test_max_n_cap_returns_fewer_choices(oai: FakeServer) -> None:
    oai.update({"max_n": 2})
    assert len(ask(oai_client(oai), n=5).choices) == 2


def test_structured_output_json_parses(oai: FakeServer) -> None:
    resp = ask(oai_client(oai), response_format={"type": "json_schema", "json_schema": {
        "name": "answer", "schema": SCHEMA, "strict": True}})
    payload = json.loads(resp.choices[0].message.content or "")
    assert payload == {"reasoning": "The answer is \\boxed{42}.", "final_answer": "42"}


def test_max_tokens_truncates_with_length(oai: FakeServer) -> None:
    oai.configure({"rules": [{"match": None, "replies": ["one two three four five"]}]})
    choice = ask(oai_client(oai), max_completion_tokens=3).choices[0]
    assert (choice.message.content, choice.finish_reason) == ("one two three", "length")


def test_tool_call_round_trip(oai: FakeServer) -> None:
    oai.configure({"rules": [WEATHER_RULE]})
    client = oai_client(oai)
    messages: list[dict[str, object]] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages,  # type: ignore[arg-type]
                                           tools=[WEATHER_TOOL])  # type: ignore[list-item]
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}
    messages += [choice.message.model_dump(exclude_none=True),
                 {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21C"}]
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages,  # type: ignore[arg-type]
                                            tools=[WEATHER_TOOL])  # type: ignore[list-item]
    assert second.choices[0].message.content == "It is sunny in Paris."


def test_raw_json_validates_strictly_against_sdk_types(oai: FakeServer, ant: FakeServer) -> None:
    # The SDKs build models leniently; model_validate proves no required field is missing.
    chat = httpx.post(f"{oai.base_url}/chat/completions", json={
        "model": "m", "n": 2, "messages": [{"role": "user", "content": QUESTION}]}).json()
    ChatCompletion.model_validate(chat)
    resp = httpx.post(f"{oai.base_url}/responses", json={"model": "m", "input": QUESTION}).json()
    Response.model_validate(resp)
    oai.configure({"rules": [WEATHER_RULE]})
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    called = httpx.post(f"{oai.base_url}/responses", json={
        "model": "m", "input": "weather in Paris?", "tools": [tool]}).json()
    assert Response.model_validate(called).output[0].type == "function_call"
    msg = httpx.post(f"{ant.base_url}/v1/messages", headers={"anthropic-version": "2023-06-01"}, json={
        "model": "m", "max_tokens": 2000, "thinking": {"type": "enabled", "budget_tokens": 1024},
        "messages": [{"role": "user", "content": QUESTION}]}).json()
    Message.model_validate(msg)


# ---------------------------------------------------------------- OpenAI responses


def test_responses_output_text_and_incomplete(oai: FakeServer) -> None:
    client = oai_client(oai)
    resp = client.responses.create(model="gpt-4o-mini", input=QUESTION, instructions="Be brief.")
    assert resp.output_text == "The answer is \\boxed{42}." and resp.status == "completed"
    assert resp.usage is not None and resp.usage.input_tokens == 5 + 2
    short = client.responses.create(model="gpt-4o-mini", input=[{"role": "user", "content": QUESTION}],
                                    max_output_tokens=2)
    assert short.status == "incomplete" and short.output_text == "The answer"
    assert short.incomplete_details is not None and short.incomplete_details.reason == "max_output_tokens"


def test_responses_structured_output(oai: FakeServer) -> None:
    resp = oai_client(oai).responses.create(model="gpt-4o-mini", input=QUESTION, text={"format": {
        "type": "json_schema", "name": "answer", "schema": SCHEMA, "strict": True}})
    assert json.loads(resp.output_text)["final_answer"] == "42"


# ---------------------------------------------------------------- OpenAI failures


def test_openai_auth(oai: FakeServer) -> None:
    oai.update({"api_key": "sk-good"})
    with pytest.raises(openai.AuthenticationError) as err:
        ask(oai_client(oai, api_key="sk-bad"))
    assert err.value.status_code == 401 and err.value.code == "invalid_api_key"
    assert ask(oai_client(oai, api_key="sk-good")).choices


def test_openai_429_retry_after_is_retried_by_sdk(oai: FakeServer) -> None:
    oai.update({"failures": [{"status": 429, "retry_after": 0.2}]})
    start = time.perf_counter()
    assert ask(oai_client(oai, max_retries=2)).choices
    assert time.perf_counter() - start >= 0.2
    assert oai.request_count() == 2
    oai.update({"failures": [{"status": 429}]})
    with pytest.raises(openai.RateLimitError):
        ask(oai_client(oai))


def test_openai_500_and_drop(oai: FakeServer) -> None:
    oai.update({"failures": [{"status": 500}, {"drop": True}]})
    with pytest.raises(openai.InternalServerError):
        ask(oai_client(oai))
    with pytest.raises(openai.APIConnectionError):
        ask(oai_client(oai))
    assert ask(oai_client(oai)).choices  # the queue is used up, the server still serves


def test_fail_when_match_fails_only_matching_prompts(oai: FakeServer) -> None:
    oai.update({"fail_when_match": [{"match": "poison", "status": 400, "message": "bad prompt"}]})
    client = oai_client(oai)
    with pytest.raises(openai.BadRequestError, match="bad prompt"):
        ask(client, "this is poison")
    assert ask(client).choices
    with pytest.raises(openai.BadRequestError):
        ask(client, "poison again")


def test_latency_is_honoured_and_non_blocking(oai: FakeServer) -> None:
    oai.update({"latency_s": 0.3})
    start = time.perf_counter()
    ask(oai_client(oai))
    assert time.perf_counter() - start >= 0.3

    async def many() -> float:
        client = openai.AsyncOpenAI(base_url=oai.base_url, api_key="sk-test", max_retries=0)
        begin = time.perf_counter()
        await asyncio.gather(*(client.chat.completions.create(
            model="m", n=8, messages=[{"role": "user", "content": QUESTION}]) for _ in range(40)))
        await client.close()
        return time.perf_counter() - begin

    assert asyncio.run(many()) < 1.5  # 40 concurrent 0.3 s requests overlap


def test_request_log_is_bounded(oai: FakeServer) -> None:
    oai.update({"log_size": 3})
    for _ in range(5):
        ask(oai_client(oai))
    log = oai.requests()
    assert len(log) == 3 and oai.request_count() == 5
    assert log[-1]["path"] == "/v1/chat/completions" and log[-1]["headers"]["authorization"] == "Bearer sk-test"


# ---------------------------------------------------------------- Anthropic


def test_anthropic_text_and_usage(ant: FakeServer) -> None:
    ant.configure({"rules": [{"match": None, "replies": ["First answer", "Second answer"]}]})
    client = ant_client(ant)
    msg = claude(client, system="You are terse.", extra_body={"temperature": 0.7})  # SDK 2.x dropped the kwarg
    assert [b.type for b in msg.content] == ["text"] and msg.content[0].text == "First answer"  # type: ignore[union-attr]
    assert msg.stop_reason == "end_turn" and msg.stop_sequence is None
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (3 + 5, 2)
    assert claude(client).content[0].text == "Second answer"  # type: ignore[union-attr]
    short = claude(client, max_tokens=1)
    assert short.stop_reason == "max_tokens" and short.content[0].text == "First"  # type: ignore[union-attr]


def test_anthropic_thinking_block_then_text(ant: FakeServer) -> None:
    msg = claude(ant_client(ant), max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 2048})
    assert [b.type for b in msg.content] == ["thinking", "text"]
    thinking = msg.content[0]
    assert thinking.type == "thinking" and QUESTION in thinking.thinking
    assert len(base64.b64decode(thinking.signature, validate=True)) == 32  # an HMAC the server checks on replay
    assert msg.content[1].text == "The answer is \\boxed{42}."  # type: ignore[union-attr]
    with pytest.raises(anthropic.BadRequestError, match="max_tokens"):
        claude(ant_client(ant), max_tokens=1500, thinking={"type": "enabled", "budget_tokens": 2048})


def test_anthropic_tool_use(ant: FakeServer) -> None:
    ant.configure({"rules": [WEATHER_RULE]})
    client = ant_client(ant)
    tools = [{"name": "get_weather", "input_schema": WEATHER_TOOL["function"]["parameters"]}]  # type: ignore[index]
    messages: list[dict[str, object]] = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = client.messages.create(model="claude-haiku-4-5", max_tokens=256, messages=messages,  # type: ignore[arg-type]
                                   tools=tools)  # type: ignore[arg-type]
    assert first.stop_reason == "tool_use"
    block = first.content[0]
    assert block.type == "tool_use" and block.id.startswith("toolu_") and block.input == {"city": "Paris"}
    messages += [{"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": block.id, "content": "sunny"}]}]
    second = client.messages.create(model="claude-haiku-4-5", max_tokens=256, messages=messages,  # type: ignore[arg-type]
                                    tools=tools)  # type: ignore[arg-type]
    assert second.stop_reason == "end_turn" and second.content[0].text == "It is sunny in Paris."  # type: ignore[union-attr]


def test_anthropic_prompt_cache_creation_then_read(ant: FakeServer) -> None:
    system = [{"type": "text", "text": "A long shared system prompt " * 10, "cache_control": {"type": "ephemeral"}}]
    client = ant_client(ant)
    first = claude(client, system=system)
    second = claude(client, "A different question", system=system)
    assert (first.usage.cache_creation_input_tokens, first.usage.cache_read_input_tokens) == (50, 0)
    assert (second.usage.cache_creation_input_tokens, second.usage.cache_read_input_tokens) == (0, 50)
    assert first.usage.input_tokens == 5 and second.usage.input_tokens == 3
    assert "cache_control" in ant.requests()[-1]["body"]["system"][0]


def test_anthropic_structured_output(ant: FakeServer) -> None:
    msg = claude(ant_client(ant), output_config={"format": {"type": "json_schema", "schema": SCHEMA}})
    assert json.loads(msg.content[0].text)["final_answer"] == "42"  # type: ignore[union-attr]


def test_anthropic_rejects_n(ant: FakeServer) -> None:
    with pytest.raises(anthropic.BadRequestError):
        claude(ant_client(ant), extra_body={"n": 3})


def test_anthropic_failures(ant: FakeServer) -> None:
    ant.update({"api_key": "sk-ant-good"})
    with pytest.raises(anthropic.AuthenticationError) as auth:
        claude(ant_client(ant, api_key="sk-ant-bad"))
    assert auth.value.body == {"type": "error", "error": {"type": "authentication_error",
                                                          "message": "invalid x-api-key"},
                               "request_id": auth.value.body["request_id"]}  # type: ignore[index]
    good = ant_client(ant, api_key="sk-ant-good")
    ant.update({"failures": [{"status": 529}, {"status": 500}, {"drop": True}, {"status": 429, "retry_after": 0.2}]})
    with pytest.raises(anthropic.OverloadedError) as overloaded:
        claude(good)
    assert isinstance(overloaded.value, anthropic.InternalServerError)
    with pytest.raises(anthropic.InternalServerError):
        claude(good)
    with pytest.raises(anthropic.APIConnectionError):
        claude(good)
    start = time.perf_counter()
    retrying = ant_client(ant, max_retries=2, api_key="sk-ant-good")
    assert claude(retrying).content
    assert time.perf_counter() - start >= 0.2


# ---- rate_limits mode -----------------------------------------------------------------------------
def _ratelimit_headers(headers: httpx.Headers | dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if "ratelimit" in k or k.startswith("retry-after")}


def test_openai_rate_limits_charge_at_admission_and_say_so(oai: FakeServer) -> None:
    # A long window so nothing refills noticeably during the test: 600 tokens, 5 requests.
    oai.configure({"rate_limits": {"tpm": 600, "rpm": 5, "window_s": 60}})
    client = oai_client(oai)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "one two three four"}], max_tokens=100, n=2)
    h = _ratelimit_headers(raw.headers)
    assert h["x-ratelimit-limit-tokens"] == "600" and h["x-ratelimit-limit-requests"] == "5"
    assert h["x-ratelimit-remaining-tokens"] == "396"  # 4 prompt tokens + 100 x 2, whatever was used
    assert h["x-ratelimit-remaining-requests"] == "4"
    assert h["x-ratelimit-reset-tokens"].endswith("s") and "ms" not in h["x-ratelimit-reset-tokens"]
    with pytest.raises(openai.RateLimitError) as limited:
        ask(client, "one two three four", max_tokens=200, n=2)  # 404 > 396 left
    h = _ratelimit_headers(limited.value.response.headers)
    assert int(h["retry-after-ms"]) > 0 and h["x-ratelimit-remaining-tokens"] == "396"  # refused: not charged
    assert "tokens per min (TPM)" in limited.value.message
    stats = oai.rate_limit_stats()
    assert stats == {"admitted": 1, "rejected": 1, "charged": {"requests": 1, "tokens": 204},
                     "limits": {"requests": 5, "tokens": 600}, "capacity": {"requests": 5.0, "tokens": 600.0}}


def test_openai_rate_limits_refill_and_can_hide_their_headers(oai: FakeServer) -> None:
    oai.configure({"rate_limits": {"rpm": 600, "window_s": 0.1}})  # 10 a second, one at a time
    client = oai_client(oai)
    ask(client)
    with pytest.raises(openai.RateLimitError):
        ask(client)
    time.sleep(0.15)
    assert ask(client).choices
    oai.configure({"rate_limits": {"rpm": 600, "window_s": 0.1, "headers": False}})
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini",
                                                           messages=[{"role": "user", "content": QUESTION}])
    assert _ratelimit_headers(raw.headers) == {}
    with pytest.raises(openai.RateLimitError) as limited:
        ask(client)
    assert set(_ratelimit_headers(limited.value.response.headers)) == {"retry-after-ms", "retry-after"}
    with pytest.raises(ValueError, match="unknown rate_limits keys"):
        oai.configure({"rate_limits": {"tpd": 5}})


def test_anthropic_rate_limits_give_back_unused_output(ant: FakeServer) -> None:
    ant.configure({"rate_limits": {"rpm": 60, "itpm": 600, "otpm": 600, "window_s": 60}})
    raw = ant_client(ant).messages.with_raw_response.create(
        model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": QUESTION}])
    used = raw.parse().usage.output_tokens
    h = _ratelimit_headers(raw.headers)
    assert h["anthropic-ratelimit-requests-limit"] == "60" and h["anthropic-ratelimit-requests-remaining"] == "59"
    assert h["anthropic-ratelimit-input-tokens-remaining"] == str(600 - len(QUESTION.split()))
    assert h["anthropic-ratelimit-output-tokens-remaining"] == str(600 - used)  # charged 300, then corrected
    assert h["anthropic-ratelimit-output-tokens-reset"].endswith("Z")
    with pytest.raises(anthropic.RateLimitError) as limited:
        claude(ant_client(ant), max_tokens=599)
    h = _ratelimit_headers(limited.value.response.headers)
    assert int(h["retry-after"]) >= 1 and "anthropic-ratelimit-output-tokens-limit" in h
