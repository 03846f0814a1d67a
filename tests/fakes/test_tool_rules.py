"""Multi-turn tool scripts and the real APIs' tool-conversation rules, driven by the official SDKs.

Each wire format gets: a scripted 3-turn loop (parallel calls -> calls -> text that quotes the results)
driven correctly by a small client loop, and each rule violation answered with the real API's 400.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import openai
import pytest

from tests.fakes.launch import FakeServer, fixture_factory

QUESTION = "Plan my trip: what is the weather?"
THREE_TURNS = {"turns": [
    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}},
                    {"name": "get_time", "arguments": {"tz": "CET"}}]},
    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Rome"}}]},
    "Done. Last: {tool_result}. Round: {tool_results}",
]}
FOREVER = {"turns": [{"tool_calls": [{"name": "search", "arguments": {"q": "more"}}]}]}
MALFORMED = '{"city": '
CHAT_TOOLS = [{"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
              for n in ("get_weather", "get_time", "search")]
RESP_TOOLS = [{"type": "function", "name": n, "parameters": {"type": "object"}}
              for n in ("get_weather", "get_time", "search")]
CLAUDE_TOOLS = [{"name": n, "input_schema": {"type": "object"}} for n in ("get_weather", "get_time", "search")]
THINKING = {"type": "enabled", "budget_tokens": 2048}

openai_server = pytest.fixture(scope="module", name="openai_server")(fixture_factory("openai"))
anthropic_server = pytest.fixture(scope="module", name="anthropic_server")(fixture_factory("anthropic"))


@pytest.fixture
def oai(openai_server: FakeServer) -> Iterator[FakeServer]:
    openai_server.reset()
    openai_server.configure({"rules": [{"match": "trip", "replies": [THREE_TURNS]},
                                       {"match": "forever", "replies": [FOREVER]},
                                       {"match": "broken", "replies": [{"turns": [
                                           {"tool_calls": [{"name": "get_weather", "arguments": MALFORMED}]},
                                           "ok"]}]}]})
    yield openai_server


@pytest.fixture
def ant(anthropic_server: FakeServer) -> Iterator[FakeServer]:
    anthropic_server.reset()
    anthropic_server.configure({"rules": [{"match": "trip", "replies": [THREE_TURNS]},
                                          {"match": "forever", "replies": [FOREVER]},
                                          {"match": "broken", "replies": [{"turns": [
                                              {"tool_calls": [{"name": "get_weather", "arguments": MALFORMED}]},
                                              "ok"]}]}]})
    yield anthropic_server


def oai_client(fake: FakeServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0)


def ant_client(fake: FakeServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake.base_url, api_key="sk-ant-test", max_retries=0)


def answer(name: str, arguments: Any) -> str:
    """The client-side tool: a result that names its call, so tests can see which result reached the model."""
    try:
        args = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:  # a deliberately malformed call: answered all the same
        return f"{name}=?"
    return f"{name}={'/'.join(str(v) for v in args.values())}"


# ---------------------------------------------------------------- Chat Completions


def chat(client: openai.OpenAI, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
    return client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=CHAT_TOOLS,
                                          **kwargs)


def chat_loop(client: openai.OpenAI, question: str, max_rounds: int = 5) -> tuple[list[Any], list[dict[str, Any]]]:
    """Model calls tools, the client answers each call, until the model answers in text."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    replies = []
    for _ in range(max_rounds):
        msg = chat(client, messages).choices[0].message
        replies.append(msg)
        if not msg.tool_calls:
            break
        messages.append(msg.model_dump(exclude_none=True))
        messages += [{"role": "tool", "tool_call_id": c.id, "content": answer(c.function.name, c.function.arguments)}
                     for c in msg.tool_calls]
    return replies, messages


def test_chat_three_turn_script_with_parallel_calls(oai: FakeServer) -> None:
    replies, messages = chat_loop(oai_client(oai), QUESTION)
    assert len(replies) == 3
    first, second, final = replies
    assert [c.function.name for c in first.tool_calls] == ["get_weather", "get_time"]  # parallel, one message
    assert len({c.id for c in first.tool_calls}) == 2
    assert [json.loads(c.function.arguments) for c in second.tool_calls] == [{"city": "Rome"}]
    assert final.content == "Done. Last: get_weather=Rome. Round: get_weather=Rome"
    assert oai.requests()[-1]["body"]["messages"] == messages
    # Stateless: replaying the conversation after round 1 gives round 2 again; tool results count as prompt.
    again = chat(oai_client(oai), messages[:4])
    assert [json.loads(c.function.arguments) for c in again.choices[0].message.tool_calls] == [{"city": "Rome"}]
    assert again.usage.prompt_tokens == len(QUESTION.split()) + 2  # "get_weather=Paris", "get_time=CET"


def test_chat_results_of_the_last_round_are_joined(oai: FakeServer) -> None:
    oai.configure({"rules": [{"match": None, "replies": [{"turns": [THREE_TURNS["turns"][0], "{tool_results}"]}]}]})
    replies, _ = chat_loop(oai_client(oai), "go")
    assert replies[-1].content == "get_weather=Paris | get_time=CET"


def test_chat_script_ending_in_calls_keeps_calling(oai: FakeServer) -> None:
    replies, _ = chat_loop(oai_client(oai), "search forever", max_rounds=4)
    assert len(replies) == 4 and all(r.tool_calls and r.tool_calls[0].function.name == "search" for r in replies)


def test_chat_malformed_arguments_pass_verbatim(oai: FakeServer) -> None:
    replies, _ = chat_loop(oai_client(oai), "broken weather")
    assert replies[0].tool_calls[0].function.arguments == MALFORMED and replies[1].content == "ok"


def test_chat_conversation_follows_its_own_script(oai: FakeServer) -> None:
    """Two scripts in one pool: a follow-up request continues the script its first turn came from,
    whatever the round-robin counter says by then."""
    weather = {"turns": [{"tool_calls": [{"name": "get_weather", "arguments": {}}]}, "weather script"]}
    clock = {"turns": [{"tool_calls": [{"name": "get_time", "arguments": {}}]}, "time script"]}
    oai.configure({"rules": [{"match": None, "replies": [weather, clock]}]})
    client = oai_client(oai)
    firsts = [chat(client, [{"role": "user", "content": "q"}]).choices[0].message for _ in range(3)]
    assert [m.tool_calls[0].function.name for m in firsts] == ["get_weather", "get_time", "get_weather"]
    for msg, expected in zip(firsts, ["weather script", "time script", "weather script"], strict=True):
        call = msg.tool_calls[0]
        messages = [{"role": "user", "content": "q"}, msg.model_dump(exclude_none=True),
                    {"role": "tool", "tool_call_id": call.id, "content": "r"}]
        assert chat(client, messages).choices[0].message.content == expected


class Refusal:
    """An OpenAI 400 as the body carried it (the SDK prefixes its `message` with the status)."""

    def __init__(self, err: openai.BadRequestError) -> None:
        assert err.status_code == 400 and err.type == "invalid_request_error"
        body: dict[str, Any] = err.body  # type: ignore[assignment]
        self.message, self.param, self.code = body["message"], body["param"], body["code"]


def _bad_chat(fake: FakeServer, messages: list[dict[str, Any]]) -> Refusal:
    with pytest.raises(openai.BadRequestError) as err:
        chat(oai_client(fake), messages)
    return Refusal(err.value)


CALL = {"id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}


def test_chat_tool_message_without_tool_calls_is_refused(oai: FakeServer) -> None:
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "tool", "tool_call_id": "call_a", "content": "x"}])
    assert err.message == ("Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                           "with 'tool_calls'.")
    assert err.param == "messages.[1].role"
    # An id the assistant message did not call, or a tool message after another turn, is refused the same way.
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [CALL]},
                          {"role": "tool", "tool_call_id": "call_a", "content": "x"},
                          {"role": "tool", "tool_call_id": "call_zzz", "content": "y"}])
    assert err.param == "messages.[3].role" and "preceeding message with 'tool_calls'" in err.message


def test_chat_missing_tool_response_is_refused(oai: FakeServer) -> None:
    call_b = {**CALL, "id": "call_b"}
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [CALL, call_b]},
                          {"role": "tool", "tool_call_id": "call_a", "content": "x"},
                          {"role": "user", "content": "and?"}])
    assert err.message == ("An assistant message with 'tool_calls' must be followed by tool messages responding to "
                           "each 'tool_call_id'. The following tool_call_ids did not have response messages: call_b")
    assert err.param == "messages.[1].role"


def test_chat_malformed_tool_call_and_tool_message_are_refused(oai: FakeServer) -> None:
    untyped = {k: v for k, v in CALL.items() if k != "type"}
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [untyped]},
                          {"role": "tool", "tool_call_id": "call_a", "content": "x"}])
    assert err.message == "Missing required parameter: 'messages.[1].tool_calls.[0].type'."
    assert err.param == "messages.[1].tool_calls.[0].type" and err.code == "missing_required_parameter"
    no_args = {**CALL, "function": {"name": "get_weather"}}
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [no_args]},
                          {"role": "tool", "tool_call_id": "call_a", "content": "x"}])
    assert err.message == "Missing required parameter: 'messages.[1].tool_calls.[0].function.arguments'."
    dict_args = {**CALL, "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [dict_args]},
                          {"role": "tool", "tool_call_id": "call_a", "content": "x"}])
    assert err.message == ("Invalid type for 'messages.[1].tool_calls.[0].function.arguments': expected a string, "
                           "but got an object instead.")
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [CALL]},
                          {"role": "tool", "content": "x"}])
    assert err.message == "Missing required parameter: 'messages.[2].tool_call_id'."
    err = _bad_chat(oai, [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [CALL]},
                          {"role": "tool", "tool_call_id": "call_a", "content": {"x": 1}}])
    assert err.message == ("Invalid type for 'messages.[2].content': expected one of a string or array of objects, "
                           "but got an object instead.")
    # Text parts are fine as tool content.
    ok = chat(oai_client(oai), [{"role": "user", "content": "q"}, {"role": "assistant", "tool_calls": [CALL]},
                                {"role": "tool", "tool_call_id": "call_a", "content": [{"type": "text", "text": "x"}]}])
    assert ok.choices[0].message.content


# ---------------------------------------------------------------- Responses


def respond(client: openai.OpenAI, input_: Any, model: str = "gpt-4o-mini", **kwargs: Any) -> Any:
    return client.responses.create(model=model, input=input_, tools=RESP_TOOLS, **kwargs)


def responses_loop(client: openai.OpenAI, question: str, model: str = "gpt-4o-mini", max_rounds: int = 5,
                   dump: Callable[[Any], dict[str, Any]] = lambda i: i.model_dump(exclude_none=True),
                   **kwargs: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    items: list[dict[str, Any]] = [{"role": "user", "content": question}]
    responses = []
    for _ in range(max_rounds):
        resp = respond(client, items, model, **kwargs)
        responses.append(resp)
        calls = [o for o in resp.output if o.type == "function_call"]
        if not calls:
            break
        items += [dump(o) for o in resp.output]  # reasoning items included, as the API requires
        items += [{"type": "function_call_output", "call_id": c.call_id, "output": answer(c.name, c.arguments)}
                  for c in calls]
    return responses, items


def test_responses_three_turn_script_with_parallel_calls(oai: FakeServer) -> None:
    responses, items = responses_loop(oai_client(oai), QUESTION)
    assert len(responses) == 3
    first = [o for o in responses[0].output if o.type == "function_call"]
    assert [o.type for o in responses[0].output] == ["function_call", "function_call"]  # no reasoning: not o*/gpt-5
    assert [c.name for c in first] == ["get_weather", "get_time"] and len({c.call_id for c in first}) == 2
    assert responses[2].output_text == "Done. Last: get_weather=Rome. Round: get_weather=Rome"
    assert responses[2].usage.input_tokens == sum(
        len(str(i.get("content") or i.get("output") or "").split()) for i in items if "arguments" not in i)


def test_responses_reasoning_model_round_trip_without_store(oai: FakeServer) -> None:
    """gpt-5-mini with store=false: encrypted reasoning items go back beside their calls; the SDK's extra
    keys (status/content: None) are accepted."""
    responses, _ = responses_loop(oai_client(oai), QUESTION, model="gpt-5-mini", store=False,
                                  include=["reasoning.encrypted_content"], dump=lambda i: i.model_dump())
    assert len(responses) == 3 and responses[2].output_text.startswith("Done. Last: get_weather=Rome")
    for resp in responses:
        reasoning = resp.output[0]
        assert reasoning.type == "reasoning" and reasoning.id.startswith("rs_") and reasoning.encrypted_content
        assert reasoning.summary[0].type == "summary_text" and reasoning.summary[0].text
        assert resp.usage.output_tokens_details.reasoning_tokens > 0
    assert [o.type for o in responses[0].output] == ["reasoning", "function_call", "function_call"]


def test_responses_stored_reasoning_replays_by_id(oai: FakeServer) -> None:
    responses, _ = responses_loop(oai_client(oai), QUESTION, model="o4-mini")  # store defaults to true
    assert len(responses) == 3 and responses[0].output[0].encrypted_content is None


def test_responses_previous_response_id_chains_turns(oai: FakeServer) -> None:
    client = oai_client(oai)
    first = respond(client, QUESTION)
    outputs = [{"type": "function_call_output", "call_id": c.call_id, "output": answer(c.name, c.arguments)}
               for c in first.output]
    second = respond(client, outputs, previous_response_id=first.id)  # round 2 of the script, from the chain
    assert [(c.name, json.loads(c.arguments)) for c in second.output] == [("get_weather", {"city": "Rome"})]
    # The chain ends in a call nobody answered.
    err = _bad_response(oai, [{"role": "user", "content": "never mind"}], previous_response_id=second.id)
    assert err.message == f"No tool output found for function call {second.output[0].call_id}."
    err = _bad_response(oai, outputs, previous_response_id="resp_unknown")
    assert err.message == "Previous response with id 'resp_unknown' not found."
    assert err.param == "previous_response_id"
    unstored = respond(client, QUESTION, store=False)
    assert _bad_response(oai, outputs, previous_response_id=unstored.id).message.endswith("not found.")


def test_responses_script_ending_in_calls_and_malformed_arguments(oai: FakeServer) -> None:
    responses, _ = responses_loop(oai_client(oai), "search forever", max_rounds=3)
    assert all(r.output[0].type == "function_call" and r.output[0].name == "search" for r in responses)
    responses, _ = responses_loop(oai_client(oai), "broken weather")
    assert responses[0].output[0].arguments == MALFORMED and responses[1].output_text == "ok"


def _bad_response(fake: FakeServer, input_: Any, **kwargs: Any) -> Refusal:
    with pytest.raises(openai.BadRequestError) as err:
        respond(oai_client(fake), input_, **kwargs)
    return Refusal(err.value)


def test_responses_output_for_unknown_call_is_refused(oai: FakeServer) -> None:
    err = _bad_response(oai, [{"role": "user", "content": QUESTION},
                              {"type": "function_call_output", "call_id": "call_nope", "output": "x"}])
    assert err.message == "No tool call found for function call output with call_id call_nope."
    assert err.param == "input"


def test_responses_call_without_output_is_refused(oai: FakeServer) -> None:
    first = respond(oai_client(oai), QUESTION)
    items = [{"role": "user", "content": QUESTION}, *(o.model_dump(exclude_none=True) for o in first.output),
             {"type": "function_call_output", "call_id": first.output[0].call_id, "output": "x"}]
    err = _bad_response(oai, items)
    assert err.message == f"No tool output found for function call {first.output[1].call_id}."


def _reasoning_turn(fake: FakeServer, **kwargs: Any) -> tuple[Any, list[dict[str, Any]]]:
    first = respond(oai_client(fake), QUESTION, "gpt-5-mini", **kwargs)
    outputs = [{"type": "function_call_output", "call_id": o.call_id, "output": "x"}
               for o in first.output if o.type == "function_call"]
    return first, outputs


def test_responses_call_without_its_reasoning_item_is_refused(oai: FakeServer) -> None:
    first, outputs = _reasoning_turn(oai)
    rs, fc = first.output[0], first.output[1]
    calls = [o.model_dump(exclude_none=True) for o in first.output if o.type == "function_call"]
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, *calls, *outputs], model="gpt-5-mini")
    assert err.message == (f"Item '{fc.id}' of type 'function_call' was provided without its required 'reasoning' "
                           f"item: '{rs.id}'.")
    assert err.param == "input"
    # The reasoning item alone, without the calls that followed it, is refused too.
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, rs.model_dump(exclude_none=True)],
                        model="gpt-5-mini")
    assert err.message == f"Item '{rs.id}' of type 'reasoning' was provided without its required following item."


def test_responses_reasoning_without_encrypted_content_when_not_stored(oai: FakeServer) -> None:
    first, outputs = _reasoning_turn(oai, store=False, include=["reasoning.encrypted_content"])
    replay = [o.model_dump(exclude_none=True) for o in first.output]
    del replay[0]["encrypted_content"]
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, *replay, *outputs], model="gpt-5-mini",
                        store=False)
    rs_id = first.output[0].id
    assert err.message == (f"Item with id '{rs_id}' not found. Items are not persisted when `store` is set to false. "
                           "Try again with `store` set to true, or remove this item from your input.")
    # Made with store=false and no encrypted content: not found by id either.
    first, outputs = _reasoning_turn(oai, store=False)
    replay = [o.model_dump(exclude_none=True) for o in first.output]
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, *replay, *outputs], model="gpt-5-mini")
    assert err.message == f"Item with id '{first.output[0].id}' not found."


def test_responses_tampered_encrypted_content_is_refused(oai: FakeServer) -> None:
    first, outputs = _reasoning_turn(oai, store=False, include=["reasoning.encrypted_content"])
    replay = [o.model_dump(exclude_none=True) for o in first.output]
    raw = bytearray(base64.b64decode(replay[0]["encrypted_content"]))
    raw[5] ^= 1
    replay[0]["encrypted_content"] = base64.b64encode(bytes(raw)).decode()
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, *replay, *outputs], model="gpt-5-mini",
                        store=False)
    assert err.message == f"The encrypted content for item {first.output[0].id} could not be verified."
    replay[0]["encrypted_content"] = "not base64!"
    err = _bad_response(oai, [{"role": "user", "content": QUESTION}, *replay, *outputs], model="gpt-5-mini",
                        store=False)
    assert "could not be verified" in err.message


# ---------------------------------------------------------------- Anthropic


def claude(client: anthropic.Anthropic, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
    kwargs.setdefault("max_tokens", 4000)
    return client.messages.create(model="claude-haiku-4-5", messages=messages, tools=CLAUDE_TOOLS, **kwargs)


def claude_loop(client: anthropic.Anthropic, question: str, max_rounds: int = 5,
                **kwargs: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    replies = []
    for _ in range(max_rounds):
        msg = claude(client, messages, **kwargs)
        replies.append(msg)
        calls = [b for b in msg.content if b.type == "tool_use"]
        if not calls:
            break
        # Every block goes back unchanged (thinking and its signature included).
        messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in msg.content]})
        # One result as a list of text blocks: the placeholder joins their text.
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": c.id,
             "content": [{"type": "text", "text": answer(c.name, c.input)}] if i else answer(c.name, c.input)}
            for i, c in enumerate(calls)]})
    return replies, messages


def test_claude_three_turn_script_with_parallel_calls(ant: FakeServer) -> None:
    replies, _ = claude_loop(ant_client(ant), QUESTION)
    assert len(replies) == 3
    first = replies[0].content
    assert [b.type for b in first] == ["tool_use", "tool_use"] and replies[0].stop_reason == "tool_use"
    assert [b.input for b in first] == [{"city": "Paris"}, {"tz": "CET"}]
    assert replies[1].content[0].input == {"city": "Rome"}
    assert replies[2].content[0].text == "Done. Last: get_weather=Rome. Round: get_weather=Rome"
    # Results are input tokens: round 1's two results ("get_weather=Paris", "get_time=CET") count.
    assert replies[1].usage.input_tokens - replies[0].usage.input_tokens == 2 + 2  # the calls' inputs + results


def test_claude_thinking_replay_is_accepted(ant: FakeServer) -> None:
    replies, messages = claude_loop(ant_client(ant), QUESTION, thinking=THINKING)
    assert len(replies) == 3 and replies[2].content[-1].text.startswith("Done.")
    assert all(r.content[0].type == "thinking" for r in replies)
    assert messages[1]["content"][0]["signature"] == replies[0].content[0].signature


def test_claude_script_ending_in_calls_and_malformed_arguments(ant: FakeServer) -> None:
    replies, _ = claude_loop(ant_client(ant), "search forever", max_rounds=3)
    assert all(r.stop_reason == "tool_use" and r.content[0].name == "search" for r in replies)
    replies, _ = claude_loop(ant_client(ant), "broken weather")
    assert replies[0].content[0].input == {"raw": MALFORMED} and replies[1].content[0].text == "ok"


def test_claude_merges_consecutive_user_turns(ant: FakeServer) -> None:
    client = ant_client(ant)
    first = claude(client, [{"role": "user", "content": QUESTION}])
    messages = [{"role": "user", "content": QUESTION},
                {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": b.id, "content": "r"}
                                             for b in first.content]},
                {"role": "user", "content": "Please go on."}]
    assert claude(client, messages).content


def _bad_claude(fake: FakeServer, messages: list[dict[str, Any]], **kwargs: Any) -> str:
    with pytest.raises(anthropic.BadRequestError) as err:
        claude(ant_client(fake), messages, **kwargs)
    body = err.value.body
    assert err.value.status_code == 400 and body["error"]["type"] == "invalid_request_error"  # type: ignore[index]
    return body["error"]["message"]  # type: ignore[index]


USE = {"type": "tool_use", "id": "toolu_a", "name": "get_weather", "input": {"city": "Paris"}}


def test_claude_tool_use_without_result_is_refused(ant: FakeServer) -> None:
    message = _bad_claude(ant, [{"role": "user", "content": "q"}, {"role": "assistant", "content": [USE]},
                                {"role": "user", "content": "what now?"}])
    assert message == ("messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
                       "toolu_a. Each `tool_use` block must have a corresponding `tool_result` block in the next "
                       "message.")
    # Results that do not come first in the next turn do not count either.
    message = _bad_claude(ant, [{"role": "user", "content": "q"}, {"role": "assistant", "content": [USE]},
                                {"role": "user", "content": [{"type": "text", "text": "here"},
                                                             {"type": "tool_result", "tool_use_id": "toolu_a"}]}])
    assert message.startswith("messages.1: `tool_use` ids were found without `tool_result` blocks")


def test_claude_unexpected_tool_use_id_is_refused(ant: FakeServer) -> None:
    message = _bad_claude(ant, [{"role": "user", "content": "q"}, {"role": "assistant", "content": [USE]},
                                {"role": "user", "content": [
                                    {"type": "tool_result", "tool_use_id": "toolu_a", "content": "ok"},
                                    {"type": "tool_result", "tool_use_id": "toolu_x", "content": "?"}]}])
    assert message == ("messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. "
                       "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.")


def test_claude_first_message_and_input_shape(ant: FakeServer) -> None:
    message = _bad_claude(ant, [{"role": "assistant", "content": "hi"}, {"role": "user", "content": "q"}])
    assert message == 'messages: first message must use the "user" role'
    message = _bad_claude(ant, [{"role": "user", "content": "q"},
                                {"role": "assistant", "content": [{**USE, "input": "Paris"}]},
                                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_a"}]}])
    assert message == "messages.1.content.0.tool_use.input: Input should be a valid dictionary"


def _thinking_turn(fake: FakeServer) -> list[dict[str, Any]]:
    first = claude(ant_client(fake), [{"role": "user", "content": QUESTION}], thinking=THINKING)
    assert [b.type for b in first.content] == ["thinking", "tool_use", "tool_use"]
    return [{"role": "user", "content": QUESTION},
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": b.id, "content": "r"}
                                         for b in first.content if b.type == "tool_use"]}]


def test_claude_dropped_thinking_block_is_refused(ant: FakeServer) -> None:
    messages = _thinking_turn(ant)
    messages[1]["content"] = messages[1]["content"][1:]
    message = _bad_claude(ant, messages, thinking=THINKING)
    assert message == (
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When "
        "`thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the "
        "lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from "
        "previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at "
        "https://docs.claude.com/en/docs/build-with-claude/extended-thinking")
    messages[1]["content"] = [{"type": "text", "text": "Let me check."}, *messages[1]["content"]]
    assert "but found `text`." in _bad_claude(ant, messages, thinking=THINKING)
    assert claude(ant_client(ant), messages).content  # without thinking there is no such requirement


def test_claude_tampered_thinking_signature_is_refused(ant: FakeServer) -> None:
    messages = _thinking_turn(ant)
    thinking = messages[1]["content"][0]
    signature = thinking["signature"]
    thinking["signature"] = signature[:-4] + ("AAA=" if signature[-4:] != "AAA=" else "BBB=")
    expected = "messages.1.content.0: Invalid `signature` in `thinking` block"
    assert _bad_claude(ant, messages, thinking=THINKING) == expected
    thinking["signature"] = signature
    thinking["thinking"] += " Actually, let me edit this."
    assert _bad_claude(ant, messages, thinking=THINKING) == expected
    thinking["thinking"] = thinking["thinking"].removesuffix(" Actually, let me edit this.")
    assert claude(ant_client(ant), messages, thinking=THINKING).content[-1].type == "tool_use"  # round 2 calls


def test_invalid_turns_script_is_rejected_at_configure(ant: FakeServer) -> None:
    with pytest.raises(ValueError, match="turns"):
        ant.configure({"rules": [{"match": None, "replies": [{"turns": []}]}]})
    with pytest.raises(ValueError, match="turn"):
        ant.configure({"rules": [{"match": None, "replies": [{"turns": [{"tool": "x"}]}]}]})
