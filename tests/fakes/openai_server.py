"""Fake OpenAI API: /v1/chat/completions, /v1/responses, /v1/models, and the Batch API
(/v1/files, /v1/files/{id}, /v1/files/{id}/content, /v1/batches, /v1/batches/{id}, /v1/batches/{id}/cancel).

Run: python -m tests.fakes.openai_server --port 0 --latency 0.2 [--config file.json]

Conversation rules, checked only when a request carries tool turns (HTTP 400 invalid_request_error,
the real API's messages):
  Chat Completions: a `tool` message answers a call id of the assistant `tool_calls` message right
  before it (other tool messages may sit between); every call id gets its tool message before the next
  non-tool message; tool calls and tool messages have the fields the API requires.
  Responses: a `function_call_output` answers an earlier `function_call` (in `input` or the stored
  `previous_response_id` chain); every `function_call` gets its output later. Reasoning models (names
  starting with "o" or "gpt-5") emit a `reasoning` item before their output; a `function_call` they made
  must come back after that reasoning item; a reasoning item must come back followed by an output item,
  with `encrypted_content` (requested via `include: ["reasoning.encrypted_content"]`) when `store` is
  false, and that content must verify. Responses are stored (bounded) unless `store` is false.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.batches import (
    CANCELED,
    ERRORED,
    EXPIRED,
    SUCCEEDED,
    Answerer,
    Batch,
    Item,
    RequestView,
    all_batches,
    jsonl,
    page,
    parse_multipart,
)
from tests.fakes.common import (
    FakeState,
    LimitState,
    Provider,
    Reply,
    ToolTurns,
    bad_tool_name,
    build_app,
    count_tokens,
    dumps,
    generation_endpoint,
    guarded_get,
    json_response,
    loads,
    new_id,
    run_cli,
    seal,
    structured_json,
    text_of,
    truncate_words,
    unseal,
)
from tests.fakes.rate_limits import go_duration

DEFAULT_MODELS = ["gpt-5-mini", "gpt-4o-mini", "gpt-4o", "fake-model"]

# Messages real OpenAI sends for each status, so clients that log bodies see familiar text.
_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided. You can find your API key at "
          "https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
    404: ("The model does not exist or you do not have access to it.", "invalid_request_error",
          "model_not_found"),
    429: ("Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


class OpenAIProvider(Provider):
    def authorized(self, request: Request, api_key: str) -> bool:
        return request.headers.get("authorization") == f"Bearer {api_key}"

    def unauthorized(self) -> Response:
        return self.error(401)

    def error(self, status: int, message: str | None = None, headers: dict[str, str] | None = None,
              err_type: str | None = None, code: str | None = None) -> Response:
        d_msg, d_type, d_code = _ERRORS.get(status, ("Server error.", "server_error", None))
        body = {"error": {"message": message or d_msg, "type": err_type or d_type, "param": None,
                          "code": code or d_code}}
        return json_response(body, status, {"x-request-id": new_id("req_", 32), **(headers or {})})

    def limit_headers(self, state: LimitState) -> dict[str, str]:
        headers: dict[str, str] = {}
        for kind in ("requests", "tokens"):  # OpenAI's two limits; input/output buckets are Anthropic's
            if kind in state:
                limit, remaining, reset_s = state[kind]
                headers[f"x-ratelimit-limit-{kind}"] = str(limit)
                headers[f"x-ratelimit-remaining-{kind}"] = str(remaining)
                headers[f"x-ratelimit-reset-{kind}"] = go_duration(reset_s)
        return headers

    def rate_limited(self, wait_s: float, short: str, limit: int, state: LimitState, model: Any) -> Response:
        what = {"requests": "requests per min (RPM)"}.get(short, "tokens per min (TPM)")
        ms = max(int(wait_s * 1000 + 0.999), 1)
        message = (f"Rate limit reached for {model} in organization org-fake on {what}: Limit {limit}. "
                   f"Please try again in {ms}ms.")
        headers = {**self.limit_headers(state), "retry-after-ms": str(ms), "retry-after": str(-(-ms // 1000))}
        return self.error(429, message, headers, "tokens" if short != "requests" else "requests")


PROVIDER = OpenAIProvider()
DEFAULT_MAX_OUTPUT = 4096  # what a request without an output cap is charged for


def invalid(message: str, param: str | None, code: str | None = None) -> Response:
    """A 400 the way the real API words it, with the offending `param`."""
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}
    return json_response(body, 400, {"x-request-id": new_id("req_", 32)})


def _missing(param: str) -> Response:
    return invalid(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _kind(value: Any) -> str:
    """How the API names a JSON value's type in its 'Invalid type' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _wrong_type(param: str, expected: str, value: Any) -> Response:
    return invalid(f"Invalid type for '{param}': expected {expected}, but got {_kind(value)} instead.", param,
                   "invalid_type")


def _last_user_text(messages: Any) -> str:
    if isinstance(messages, str):
        return messages
    if not isinstance(messages, list):
        return ""
    for msg in reversed(messages):
        # Responses-API input items without a role are tool outputs etc., not the question.
        if isinstance(msg, dict) and msg.get("role") == "user":
            return text_of(msg.get("content"))
    return ""


def chat_user_text(body: dict[str, Any]) -> str:
    return _last_user_text(body.get("messages"))


def responses_user_text(body: dict[str, Any]) -> str:
    return _last_user_text(body.get("input"))


def _prompt_tokens(items: Any) -> int:
    if isinstance(items, str):
        return count_tokens(items)
    total = 0
    for msg in items or []:
        if isinstance(msg, dict):
            total += count_tokens(text_of(msg.get("content")))
            output = msg.get("output")  # Responses function_call_output items: a string or content parts
            if output is not None:
                total += count_tokens(output if isinstance(output, str) else text_of(output))
    return total


PREFIX_CACHE_MIN = 1024  # OpenAI caches prompts from 1,024 tokens on, in 128-token steps
PREFIX_CACHE_STEP = 128


def _cached_prefix(body: dict[str, Any], messages: list[Any], state: FakeState) -> int:
    """OpenAI's automatic prefix caching, simulated: the longest of (whole prompt, all but the last
    message) sent before and long enough, in 128-token steps; this prompt's prefixes are remembered."""
    best = 0
    for prefix in (messages, messages[:-1]):
        tokens = _prompt_tokens(prefix)
        if tokens < PREFIX_CACHE_MIN:
            continue
        digest = hashlib.sha256(json.dumps([body.get("model"), prefix], sort_keys=True, default=str).encode())
        if state.cache_lookup(f"openai:{digest.hexdigest()}", tokens):
            best = max(best, tokens // PREFIX_CACHE_STEP * PREFIX_CACHE_STEP)
    return best


def chat_charge(body: dict[str, Any]) -> tuple[int, int]:
    """Prompt tokens + max_tokens x n: what OpenAI charges a Chat Completions request at admission."""
    cap = body.get("max_completion_tokens") or body.get("max_tokens") or DEFAULT_MAX_OUTPUT
    n = body.get("n") or 1
    return _prompt_tokens(body.get("messages")), int(cap) * int(n)


def responses_charge(body: dict[str, Any]) -> tuple[int, int]:
    instructions = body.get("instructions")
    prompt = _prompt_tokens(body.get("input")) + count_tokens(instructions if isinstance(instructions, str) else "")
    return prompt, int(body.get("max_output_tokens") or DEFAULT_MAX_OUTPUT)


def _is_json_schema(fmt: Any) -> bool:
    return isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")


def _render(reply: Reply, structured: bool, limit: int | None) -> tuple[str, bool]:
    """Final content text for a text reply, truncated to `limit` words."""
    text = structured_json(reply.text or "") if structured else (reply.text or "")
    if limit is None:
        return text, False
    return truncate_words(text, limit)


# ---------------------------------------------------------------- Chat Completions tool turns


def _chat_has_tools(messages: list[Any]) -> bool:
    for msg in messages:
        if isinstance(msg, dict) and (msg.get("role") == "tool" or msg.get("tool_calls") is not None):
            return True
    return False


def _chat_call_error(i: int, calls: Any) -> tuple[Response | None, list[Any]]:
    """Checks an assistant message's `tool_calls`; returns (error, call ids)."""
    where = f"messages.[{i}].tool_calls"
    if not isinstance(calls, list):
        return _wrong_type(where, "an array of objects", calls), []
    if not calls:
        return invalid(f"Invalid '{where}': empty array. Expected an array with minimum length 1, but got an empty "
                       "array instead.", where, "empty_array"), []
    ids: list[Any] = []
    for j, call in enumerate(calls):
        p = f"{where}.[{j}]"
        if not isinstance(call, dict):
            return _wrong_type(p, "an object", call), ids
        for key in ("id", "type"):
            if key not in call:
                return _missing(f"{p}.{key}"), ids
        if call["type"] not in ("function", "custom"):
            return invalid(f"Invalid value: '{call['type']}'. Supported values are: 'function' and 'custom'.",
                           f"{p}.type", "invalid_value"), ids
        if not isinstance(call["id"], str):
            return _wrong_type(f"{p}.id", "a string", call["id"]), ids
        if call["type"] == "function":
            if "function" not in call:
                return _missing(f"{p}.function"), ids
            fn = call["function"]
            if not isinstance(fn, dict):
                return _wrong_type(f"{p}.function", "an object", fn), ids
            for key in ("name", "arguments"):
                if key not in fn:
                    return _missing(f"{p}.function.{key}"), ids
                if not isinstance(fn[key], str):
                    return _wrong_type(f"{p}.function.{key}", "a string", fn[key]), ids
        ids.append(call["id"])
    return None, ids


def _tool_message_error(i: int, msg: dict[str, Any]) -> Response | None:
    if "tool_call_id" not in msg:
        return _missing(f"messages.[{i}].tool_call_id")
    if not isinstance(msg["tool_call_id"], str):
        return _wrong_type(f"messages.[{i}].tool_call_id", "a string", msg["tool_call_id"])
    if "content" not in msg:
        return _missing(f"messages.[{i}].content")
    content = msg["content"]
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return _wrong_type(f"messages.[{i}].content", "one of a string or array of objects", content)
    for k, part in enumerate(content):
        p = f"messages.[{i}].content.[{k}]"
        if not isinstance(part, dict):
            return _wrong_type(p, "an object", part)
        if part.get("type") != "text":
            return invalid(f"Invalid value: '{part.get('type')}'. Supported values are: 'text'.", f"{p}.type",
                           "invalid_value")
        if not isinstance(part.get("text"), str):
            return _missing(f"{p}.text")
    return None


def _chat_tool_error(messages: list[Any]) -> Response | None:
    """The real API's refusals of a conversation whose tool turns do not line up."""
    open_idx, open_ids, waiting = -1, [], []  # the assistant tool_calls message being answered
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            continue
        role = msg.get("role")
        if role == "tool":
            if (error := _tool_message_error(i, msg)) is not None:
                return error
            if msg["tool_call_id"] not in open_ids:
                return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
                               "message with 'tool_calls'.", f"messages.[{i}].role")
            if msg["tool_call_id"] in waiting:
                waiting.remove(msg["tool_call_id"])
            continue
        if waiting:
            break
        open_ids = []
        if role == "assistant" and msg.get("tool_calls") is not None:
            error, ids = _chat_call_error(i, msg["tool_calls"])
            if error is not None:
                return error
            open_idx, open_ids, waiting = i, ids, list(ids)
    if waiting:
        return invalid("An assistant message with 'tool_calls' must be followed by tool messages responding to "
                       "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
                       + ", ".join(map(str, waiting)), f"messages.[{open_idx}].role")
    return None


def _chat_turns(messages: list[Any]) -> ToolTurns:
    start = 0
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if isinstance(msg, dict) and msg.get("role") == "user" and text_of(msg.get("content")):
            start = i + 1
            break
    rounds, first_calls = 0, []
    for msg in messages[start:]:
        if isinstance(msg, dict) and msg.get("role") == "assistant":
            if rounds == 0:
                first_calls = [(c.get("function") or {}).get("name") for c in msg.get("tool_calls") or []
                               if isinstance(c, dict)]
            rounds += 1
    results: list[str] = []
    last = ""
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        if msg.get("role") == "assistant" and msg.get("tool_calls"):
            results = []
        elif msg.get("role") == "tool":
            last = text_of(msg.get("content"))
            results.append(last)
    return ToolTurns(rounds, first_calls, results, last)


def validate_chat(request: Request, body: dict[str, Any]) -> Response | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return PROVIDER.error(400, "'messages' must be a non-empty array.")
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or n < 1 or n > 128):
        return PROVIDER.error(400, f"{n} is not a valid value for 'n' (1..128).")
    if body.get("tools") and (bad := bad_tool_name(body["tools"], lambda t: (t.get("function") or {}).get("name"))):
        return PROVIDER.error(400, f"Invalid 'tools[{bad[0]}].function.name': string does not match pattern. "
                                   "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.")
    if _chat_has_tools(messages):
        return _chat_tool_error(messages)
    return None


# ---------------------------------------------------------------- Responses tool turns

_TOOL_ITEMS = ("function_call", "function_call_output", "reasoning")
_ENCRYPTED = "reasoning.encrypted_content"


def is_reasoning_model(model: Any) -> bool:
    return isinstance(model, str) and model.startswith(("o", "gpt-5"))


def _input_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    raw = body.get("input")
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _has_tool_items(items: list[dict[str, Any]]) -> bool:
    return any(item.get("type") in _TOOL_ITEMS for item in items)


def _is_output_item(item: dict[str, Any]) -> bool:
    """An item a model produced (as opposed to user/system messages and tool outputs)."""
    return item.get("type") in ("function_call", "reasoning") or item.get("role") == "assistant"


def _round_key(item: dict[str, Any]) -> str | None:
    """Call ids this fake hands out share a per-response prefix, so calls answered one by one
    (call, output, call, output) still count as one round."""
    call_id = item.get("call_id")
    if item.get("type") == "function_call" and isinstance(call_id, str) and call_id.startswith("call_") \
            and len(call_id) == 29:
        return call_id[:-2]
    return None


def _responses_turns(items: list[dict[str, Any]]) -> ToolTurns:
    start = 0
    for i in range(len(items) - 1, -1, -1):
        if items[i].get("role") == "user" and text_of(items[i].get("content")):
            start = i + 1
            break
    rounds, first_calls, in_run, prev_key = 0, [], False, None
    round_of: dict[Any, int] = {}
    for item in items[start:]:
        if not _is_output_item(item):
            in_run = False
            continue
        key = _round_key(item)
        if not in_run and not (key is not None and key == prev_key):
            rounds += 1
        in_run = True
        if key is not None:
            prev_key = key
        if item.get("type") == "function_call":
            round_of[item.get("call_id")] = rounds
            if rounds == 1:
                first_calls.append(item.get("name"))
    outputs = [item for item in items if item.get("type") == "function_call_output"]
    results = [_output_text(o) for o in outputs if rounds and round_of.get(o.get("call_id")) == rounds]
    return ToolTurns(rounds, first_calls, results, _output_text(outputs[-1]) if outputs else "")


def _output_text(item: dict[str, Any]) -> str:
    output = item.get("output")
    return output if isinstance(output, str) else text_of(output)


def _history(state: FakeState, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The stored conversation `previous_response_id` points at ([] without one, None when unknown)."""
    prev = body.get("previous_response_id")
    return [] if prev is None else state.recall("responses", prev)


def _responses_tool_error(state: FakeState, body: dict[str, Any], history: list[dict[str, Any]],
                          items: list[dict[str, Any]]) -> Response | None:
    store = body.get("store") is not False
    seen_calls = {item.get("call_id") for item in history if item.get("type") == "function_call"}
    seen_reasoning = {item.get("id") for item in history if item.get("type") == "reasoning"}
    for idx, item in enumerate(items):
        kind = item.get("type")
        if kind == "reasoning":
            rid = item.get("id")
            sealed = item.get("encrypted_content")
            if sealed is not None:
                payload = unseal(sealed)
                if payload is None or payload.get("id") != rid:
                    return invalid(f"The encrypted content for item {rid} could not be verified.", "input")
            elif not store:
                return invalid(f"Item with id '{rid}' not found. Items are not persisted when `store` is set to false. "
                               "Try again with `store` set to true, or remove this item from your input.", "input")
            elif state.recall("reasoning", rid) is None and rid not in seen_reasoning:
                return invalid(f"Item with id '{rid}' not found.", "input")
            following = items[idx + 1] if idx + 1 < len(items) else None
            if following is None or not _is_output_item(following) or following.get("type") == "reasoning":
                return invalid(f"Item '{rid}' of type 'reasoning' was provided without its required following item.",
                               "input")
            seen_reasoning.add(rid)
        elif kind == "function_call":
            for key in ("call_id", "name", "arguments"):
                if key not in item:
                    return _missing(f"input[{idx}].{key}")
            required = state.recall("fc_reasoning", item.get("id"))
            if required is not None and required not in seen_reasoning:
                return invalid(f"Item '{item.get('id')}' of type 'function_call' was provided without its required "
                               f"'reasoning' item: '{required}'.", "input")
            seen_calls.add(item["call_id"])
        elif kind == "function_call_output":
            for key in ("call_id", "output"):
                if key not in item:
                    return _missing(f"input[{idx}].{key}")
            if item["call_id"] not in seen_calls:
                return invalid(f"No tool call found for function call output with call_id {item['call_id']}.", "input")
    answered: set[Any] = set()
    for item in reversed(history + items):
        if item.get("type") == "function_call_output":
            answered.add(item.get("call_id"))
        elif item.get("type") == "function_call" and item.get("call_id") not in answered:
            return invalid(f"No tool output found for function call {item.get('call_id')}.", "input")
    return None


def validate_response(request: Request, body: dict[str, Any]) -> Response | None:
    if not body.get("input"):
        return PROVIDER.error(400, "Missing required parameter: 'input'.")
    if "n" in body:  # the Responses API has no n
        return PROVIDER.error(400, "Unknown parameter: 'n'.")
    if body.get("tools") and (bad := bad_tool_name(body["tools"], lambda t: t.get("name"))):
        return PROVIDER.error(400, f"Invalid 'tools[{bad[0]}].name': string does not match pattern. "
                                   "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.")
    items = _input_items(body)
    if body.get("previous_response_id") is None and not _has_tool_items(items):
        return None
    state: FakeState = request.app.state.fake
    history = _history(state, body)
    if history is None:
        return invalid(f"Previous response with id '{body['previous_response_id']}' not found.",
                       "previous_response_id", "previous_response_not_found")
    return _responses_tool_error(state, body, history, items)


def build_chat(body: dict[str, Any], state: FakeState) -> dict[str, Any] | Response:
    messages = body["messages"]
    n = body.get("n") or 1
    max_n = state.config["max_n"]
    k = min(n, max_n) if max_n else n  # some servers silently cap n; clients must top up
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    structured = _is_json_schema(body.get("response_format"))
    after_tool = isinstance(messages[-1], dict) and messages[-1].get("role") == "tool"
    turns = _chat_turns(messages) if _chat_has_tools(messages) else None
    replies = state.pick_replies(chat_user_text(body), k, after_tool, turns)

    choices, completion_tokens = [], 0
    for i, reply in enumerate(replies):
        if reply.tool_calls is not None:
            calls = [{"id": new_id("call_"), "type": "function",
                      "function": {"name": c["name"], "arguments": Reply.tool_args(c)}}
                     for c in reply.tool_calls]
            completion_tokens += sum(count_tokens(c["function"]["arguments"]) + 1 for c in calls)
            message = {"role": "assistant", "content": None, "refusal": None, "annotations": [],
                       "tool_calls": calls}
            finish = "tool_calls"
        else:
            content, cut = _render(reply, structured, limit)
            completion_tokens += count_tokens(content)
            message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
            finish = "length" if cut else "stop"
        choices.append({"index": i, "message": message, "finish_reason": finish, "logprobs": None})

    prompt_tokens = _prompt_tokens(messages)
    cached = _cached_prefix(body, messages, state) if state.config["prefix_cache"] else 0
    return {
        "id": new_id("chatcmpl-", 29),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "unknown"),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def build_response(body: dict[str, Any], state: FakeState) -> dict[str, Any] | Response:
    items = _input_items(body)
    conversation = (_history(state, body) or []) + items
    text_cfg = body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}}
    structured = _is_json_schema(text_cfg.get("format"))
    limit = body.get("max_output_tokens")
    after_tool = bool(items) and items[-1].get("type") == "function_call_output"
    turns = _responses_turns(conversation) if _has_tool_items(conversation) else None
    question = _last_user_text(conversation)
    reply = state.pick_replies(question, 1, after_tool, turns)[0]
    store = body.get("store") is not False

    cut = False
    output: list[dict[str, Any]] = []
    reasoning_tokens = 0
    rs_id = None
    if is_reasoning_model(body.get("model")):
        rs_id = new_id("rs_", 32)
        summary = f"Considering the request: {question[:200]}"
        reasoning = {"type": "reasoning", "id": rs_id, "summary": [{"type": "summary_text", "text": summary}]}
        if _ENCRYPTED in (body.get("include") or []):
            reasoning["encrypted_content"] = seal({"id": rs_id, "summary": summary})
        if store:
            state.remember("reasoning", rs_id, True)
        output.append(reasoning)
        reasoning_tokens = count_tokens(summary)
    if reply.tool_calls is not None:
        tag = new_id("call_", 22)  # shared by this response's calls (see _round_key)
        calls = [{"type": "function_call", "id": new_id("fc_", 32), "call_id": f"{tag}{i:02d}",
                  "name": c["name"], "arguments": Reply.tool_args(c), "status": "completed"}
                 for i, c in enumerate(reply.tool_calls)]
        if rs_id is not None:
            for call in calls:
                state.remember("fc_reasoning", call["id"], rs_id)
        output += calls
        output_tokens = sum(count_tokens(o["arguments"]) + 1 for o in calls)
    else:
        content, cut = _render(reply, structured, limit)
        output_tokens = count_tokens(content)
        output.append({"type": "message", "id": new_id("msg_"), "status": "incomplete" if cut else "completed",
                       "role": "assistant",
                       "content": [{"type": "output_text", "text": content, "annotations": [], "logprobs": []}]})
    output_tokens += reasoning_tokens

    instructions = body.get("instructions")
    input_tokens = _prompt_tokens(conversation) + count_tokens(instructions or "")
    now = int(time.time())
    response_id = new_id("resp_", 32)
    if store:  # what previous_response_id can chain onto
        state.remember("responses", response_id, conversation + output)
    return {
        "id": response_id,
        "object": "response",
        "created_at": now,
        "completed_at": None if cut else now,
        "status": "incomplete" if cut else "completed",
        "background": False,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "instructions": instructions,
        "max_output_tokens": limit,
        "max_tool_calls": None,
        "model": body.get("model", "unknown"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": store,
        "temperature": body.get("temperature", 1.0),
        "text": text_cfg,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "top_logprobs": 0,
        "top_p": body.get("top_p", 1.0),
        "truncation": "disabled",
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
            "total_tokens": input_tokens + output_tokens,
        },
        "user": None,
        "metadata": body.get("metadata") or {},
    }


# ---------------------------------------------------------------- Files and Batch API
# Batch items go through the online endpoints' own validator and builder (tests/fakes/batches.py), so an
# item's answer is the body the online call would return, and a body the endpoint rejects is a per-request
# error line (its 400) in the error file, as the real API does. A malformed input file (not JSONL, a
# duplicate custom_id, a method other than POST, a url other than the batch endpoint, a body that is not an
# object, several models) fails the whole batch, with `errors` naming each line.

BATCH_ENDPOINTS = {
    "/v1/chat/completions": (chat_user_text, build_chat, validate_chat),
    "/v1/responses": (responses_user_text, build_response, validate_response),
}
_SDK_ENDPOINTS = ("/v1/embeddings", "/v1/completions", "/v1/moderations", "/v1/images/generations",
                  "/v1/images/edits", "/v1/videos")
FILE_PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
MAX_BATCH_REQUESTS = 50_000
FILE_TTL_S = 30 * 24 * 3600  # batch files expire after 30 days by default
_EXPIRED_ERROR = {"code": "batch_expired",
                  "message": "This request could not be executed before the completion window expired."}
_CANCELLED_ERROR = {"code": "batch_cancelled",
                    "message": "This request was not executed because the batch was cancelled."}


def _not_found(what: str, ident: str) -> Response:
    body = {"error": {"message": f"No such {what}: '{ident}'.", "type": "invalid_request_error", "param": "id",
                      "code": None}}
    return json_response(body, 404, {"x-request-id": new_id("req_", 32)})


def _authorized(state: FakeState, request: Request, body: Any) -> Response | None:
    """Log the call and check its key (the generation endpoints' first steps)."""
    state.record(request, body)
    key = state.config["api_key"]
    if key and not PROVIDER.authorized(request, key):
        return PROVIDER.unauthorized()
    return None


def _store_file(state: FakeState, content: bytes, filename: str, purpose: str) -> dict[str, Any]:
    now = int(time.time())
    obj = {"id": new_id("file-", 22), "object": "file", "bytes": len(content), "created_at": now,
           "filename": filename, "purpose": purpose, "status": "processed",
           "expires_at": now + FILE_TTL_S if purpose.startswith("batch") else None, "status_details": None}
    state.remember("files", obj["id"], {"object": obj, "content": content})
    return obj


def _file_error(line: int | None, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


def _read_input(content: bytes, endpoint: str) -> tuple[list[Item], list[dict[str, Any]], str | None]:
    """The requests of a batch input file, or the errors that fail the batch (model: the one model used)."""
    items: list[Item] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    model: str | None = None
    for no, raw in enumerate(content.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = loads(raw)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            errors.append(_file_error(no, "invalid_json_line", "This line is not parseable as valid JSON."))
            continue
        missing = [k for k in ("custom_id", "method", "url", "body") if k not in obj]
        if missing:
            errors.append(_file_error(no, "missing_required_parameter",
                                      f"Missing required parameter: '{missing[0]}'.", missing[0]))
            continue
        cid, body = obj["custom_id"], obj["body"]
        if not isinstance(cid, str) or not cid:
            errors.append(_file_error(no, "invalid_custom_id", "The custom_id for this request must be a non-empty "
                                                              "string.", "custom_id"))
        elif cid in seen:
            errors.append(_file_error(no, "duplicate_custom_id", "The custom_id for this request is a duplicate of "
                                      "another request. The custom_id parameter must be unique for each request in "
                                      "a batch.", "custom_id"))
        elif obj["method"] != "POST":
            errors.append(_file_error(no, "invalid_method", "The method for this request must be 'POST'.", "method"))
        elif obj["url"] != endpoint:
            errors.append(_file_error(no, "invalid_url", "The URL provided for this request does not match the batch "
                                                         "endpoint.", "url"))
        elif not isinstance(body, dict):
            errors.append(_file_error(no, "invalid_body", "The body for this request must be a JSON object.", "body"))
        elif model is not None and body.get("model") != model:
            errors.append(_file_error(no, "mismatched_model", f"The provided model '{body.get('model')}' does not "
                                      f"match the model '{model}' of the other requests. A batch may only use one "
                                      "model.", "body.model"))
        else:
            seen.add(cid)
            if model is None and isinstance(body.get("model"), str):
                model = body["model"]
            items.append(Item(cid, body))
    if not items and not errors:
        errors.append(_file_error(None, "empty_file", "The batch input file is empty. Please ensure that the batch "
                                                      "contains at least one request."))
    if len(items) > MAX_BATCH_REQUESTS:
        errors.append(_file_error(None, "too_many_requests", f"The batch input file contains {len(items)} requests; "
                                  f"the limit is {MAX_BATCH_REQUESTS}."))
    return items, errors[:100], model


def _batch_usage(batch: Batch) -> dict[str, Any]:
    total = {"input": 0, "cached": 0, "output": 0, "reasoning": 0}
    for item in batch.items:
        if item.outcome != SUCCEEDED:
            continue
        u = item.answer.get("usage") or {}
        if "prompt_tokens" in u:  # Chat Completions
            total["input"] += u.get("prompt_tokens") or 0
            total["output"] += u.get("completion_tokens") or 0
            total["cached"] += (u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
            total["reasoning"] += (u.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
        else:
            total["input"] += u.get("input_tokens") or 0
            total["output"] += u.get("output_tokens") or 0
            total["cached"] += (u.get("input_tokens_details") or {}).get("cached_tokens") or 0
            total["reasoning"] += (u.get("output_tokens_details") or {}).get("reasoning_tokens") or 0
    return {"input_tokens": total["input"], "input_tokens_details": {"cached_tokens": total["cached"]},
            "output_tokens": total["output"], "output_tokens_details": {"reasoning_tokens": total["reasoning"]},
            "total_tokens": total["input"] + total["output"]}


def _result_line(item: Item) -> dict[str, Any]:
    line: dict[str, Any] = {"id": new_id("batch_req_", 32), "custom_id": item.custom_id}
    if item.outcome in (SUCCEEDED, ERRORED):
        line["response"] = {"status_code": item.status, "request_id": item.request_id, "body": item.answer}
        line["error"] = None
    else:
        line["response"] = None
        line["error"] = dict(_EXPIRED_ERROR if item.outcome == EXPIRED else _CANCELLED_ERROR)
    return line


def _write_results(state: FakeState, batch: Batch) -> None:
    """The output file (answers) and error file (per-request errors, expired and cancelled requests)."""
    if batch.extra.get("written"):
        return
    batch.extra["written"] = True
    done = [_result_line(i) for i in batch.items if i.outcome == SUCCEEDED]
    failed = [_result_line(i) for i in batch.items if i.outcome in (ERRORED, EXPIRED, CANCELED)]
    if done:
        batch.extra["output_file_id"] = _store_file(state, jsonl(done, dumps), f"{batch.id}_output.jsonl",
                                                    "batch_output")["id"]
    if failed:
        batch.extra["error_file_id"] = _store_file(state, jsonl(failed, dumps), f"{batch.id}_error.jsonl",
                                                   "batch_output")["id"]


def batch_json(state: FakeState, batch: Batch, now: float, status: str | None = None) -> dict[str, Any]:
    """The Batch object as of `now` (`status` forces what create and cancel answer at once)."""
    batch.advance(now)
    ts: dict[str, float | None] = dict.fromkeys(
        ("in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at", "cancelling_at",
         "cancelled_at"))
    end = batch.end
    if batch.cancel_at is not None:
        ts["cancelling_at"] = batch.cancel_at
    if batch.started <= now and not batch.errors and (batch.cancel_at is None or batch.started <= batch.cancel_at):
        ts["in_progress_at"] = batch.started
    if status is None:
        if end == "failed":
            status, ts["failed_at"] = "failed", batch.ended_at
        elif end == "cancelled":
            status, ts["cancelled_at"] = "cancelled", batch.ended_at
        elif end == "expired":
            status, ts["expired_at"] = "expired", batch.ended_at
        elif end == "completed":
            finalized = batch.ended_at + batch.cfg["finalize_s"]  # type: ignore[operator]
            ts["finalizing_at"] = batch.ended_at
            if now < finalized:
                status = "finalizing"
            else:
                status, ts["completed_at"] = "completed", finalized
        elif batch.cancel_at is not None:
            status = "cancelling"
        else:
            status = "in_progress" if now >= batch.started else "validating"
        if status in ("completed", "expired", "cancelled"):
            _write_results(state, batch)
    failed = batch.count(ERRORED)
    extra = batch.extra
    return {
        "id": batch.id,
        "object": "batch",
        "endpoint": extra["endpoint"],
        "model": extra["model"],
        "errors": {"object": "list", "data": batch.errors} if batch.errors else None,
        "input_file_id": extra["input_file_id"],
        "completion_window": "24h",
        "status": status,
        "output_file_id": extra.get("output_file_id"),
        "error_file_id": extra.get("error_file_id"),
        "created_at": int(batch.created),
        "expires_at": int(batch.expires_at),
        **{k: None if v is None else int(v) for k, v in ts.items()},
        "request_counts": {"total": len(batch.items), "completed": batch.count(SUCCEEDED), "failed": failed},
        "usage": _batch_usage(batch),
        "metadata": extra["metadata"],
    }


def batch_routes(state: FakeState) -> list[Route]:
    async def upload(request: Request) -> Response:
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        try:
            fields = parse_multipart(ctype, raw) if ctype.startswith("multipart/form-data") else None
        except ValueError:
            fields = None
        summary = None if fields is None else {
            k: (v[1].decode(errors="replace") if v[0] is None else {"filename": v[0], "bytes": len(v[1])})
            for k, v in fields.items()}
        if (denied := _authorized(state, request, summary)) is not None:
            return denied
        if fields is None:
            return invalid(f"Invalid Content-Type header ({ctype}), expected multipart/form-data.", None)
        if "file" not in fields or fields["file"][0] is None:
            return _missing("file")
        if "purpose" not in fields:
            return _missing("purpose")
        purpose = fields["purpose"][1].decode(errors="replace")
        if purpose not in FILE_PURPOSES:
            return invalid(f"Invalid value: '{purpose}'. Supported values are: "
                           + ", ".join(f"'{p}'" for p in FILE_PURPOSES) + ".", "purpose", "invalid_value")
        filename, content = fields["file"]
        if purpose == "batch" and not str(filename).endswith(".jsonl"):
            return invalid("Invalid file format for Batch API. Must be .jsonl", "file")
        state.batch_stats["files"] += 1
        return json_response(_store_file(state, content, str(filename), purpose))

    async def get_file(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        file_id = request.path_params["file_id"]
        stored = state.recall("files", file_id)
        return _not_found("File object", file_id) if stored is None else json_response(stored["object"])

    async def file_content(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        file_id = request.path_params["file_id"]
        stored = state.recall("files", file_id)
        if stored is None:
            return _not_found("File object", file_id)
        return Response(stored["content"], media_type="application/octet-stream")

    async def create(request: Request) -> Response:
        raw = await request.body()
        try:
            body = loads(raw)
        except ValueError:
            body = None
        if (denied := _authorized(state, request, body)) is not None:
            return denied
        if not isinstance(body, dict):
            return PROVIDER.error(400, "We could not parse the JSON body of your request.")
        for key in ("input_file_id", "endpoint", "completion_window"):
            if key not in body:
                return _missing(key)
        endpoint, window, metadata = body["endpoint"], body["completion_window"], body.get("metadata")
        if endpoint not in BATCH_ENDPOINTS:
            if endpoint in _SDK_ENDPOINTS:
                return invalid(f"This fake serves batches for {', '.join(BATCH_ENDPOINTS)} only, not {endpoint}.",
                               "endpoint", "invalid_value")
            return invalid(f"Invalid value: '{endpoint}'. Supported values are: "
                           + ", ".join(f"'{e}'" for e in (*BATCH_ENDPOINTS, *_SDK_ENDPOINTS)) + ".",
                           "endpoint", "invalid_value")
        if window != "24h":
            return invalid(f"Invalid value: '{window}'. Supported values are: '24h'.", "completion_window",
                           "invalid_value")
        if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > 16 or not all(
                isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and len(v) <= 512
                for k, v in metadata.items())):
            return invalid("Invalid 'metadata': at most 16 pairs of string keys (64 characters) and string values "
                           "(512 characters).", "metadata", "invalid_value")
        stored = state.recall("files", body["input_file_id"])
        if stored is None:
            return _not_found("File object", str(body["input_file_id"]))
        if stored["object"]["purpose"] != "batch":
            return invalid(f"The input file {body['input_file_id']} must be uploaded with purpose 'batch'.",
                           "input_file_id")
        items, errors, model = _read_input(stored["content"], endpoint)
        now = time.time()
        cfg = state.config["batch"]
        user_text, build, validate = BATCH_ENDPOINTS[endpoint]
        batch = Batch(new_id("batch_", 32), [] if errors else items, now, cfg, RequestView(request),
                      Answerer(state, PROVIDER, user_text, build, validate), start_delay=cfg["validate_s"],
                      errors=errors)
        batch.extra.update(endpoint=endpoint, model=model, input_file_id=body["input_file_id"], metadata=metadata)
        state.remember("batches", batch.id, batch)
        state.batch_stats["batches"] += 1
        state.batch_stats["items"] += len(batch.items)
        return json_response(batch_json(state, batch, now, status="validating"))

    async def retrieve(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        batch = state.recall("batches", request.path_params["batch_id"])
        if batch is None:
            return _not_found("batch", request.path_params["batch_id"])
        return json_response(batch_json(state, batch, time.time()))

    async def list_batches(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        try:
            limit = int(request.query_params.get("limit", 20))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return invalid("Invalid 'limit': integer between 1 and 100 expected.", "limit", "invalid_value")
        found, more = page(all_batches(state), limit, after=request.query_params.get("after"))
        now = time.time()
        data = [batch_json(state, b, now) for b in found]
        return json_response({"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
                              "last_id": data[-1]["id"] if data else None, "has_more": more})

    async def cancel(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        batch = state.recall("batches", request.path_params["batch_id"])
        if batch is None:
            return _not_found("batch", request.path_params["batch_id"])
        now = time.time()
        current = batch_json(state, batch, now)
        if current["status"] == "cancelling":
            return json_response(current)
        if current["status"] not in ("validating", "in_progress"):
            body = {"error": {"message": f"Cannot cancel a batch with status '{current['status']}'.",
                              "type": "invalid_request_error", "param": None, "code": None}}
            return json_response(body, 409, {"x-request-id": new_id("req_", 32)})
        batch.cancel(now)
        state.batch_stats["cancels"] += 1
        return json_response(batch_json(state, batch, now, status="cancelling"))

    return [
        Route("/v1/files", upload, methods=["POST"]),
        Route("/v1/files/{file_id}", get_file, methods=["GET"]),
        Route("/v1/files/{file_id}/content", file_content, methods=["GET"]),
        Route("/v1/batches", create, methods=["POST"]),
        Route("/v1/batches", list_batches, methods=["GET"]),
        Route("/v1/batches/{batch_id}", retrieve, methods=["GET"]),
        Route("/v1/batches/{batch_id}/cancel", cancel, methods=["POST"]),
    ]


def list_models(state: FakeState) -> dict[str, Any]:
    return {"object": "list",
            "data": [{"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"}
                     for m in state.config["models"]]}


def create_app(config: dict[str, Any] | None = None) -> Starlette:
    state = FakeState(config, DEFAULT_MODELS)
    routes = [
        Route("/v1/chat/completions", generation_endpoint(state, PROVIDER, chat_user_text, build_chat,
                                                         validate_chat, chat_charge), methods=["POST"]),
        Route("/v1/responses", generation_endpoint(state, PROVIDER, responses_user_text, build_response,
                                                    validate_response, responses_charge), methods=["POST"]),
        Route("/v1/models", guarded_get(state, PROVIDER, list_models), methods=["GET"]),
        *batch_routes(state),
    ]
    return build_app(state, routes)


if __name__ == "__main__":
    run_cli(create_app, "python -m tests.fakes.openai_server")
