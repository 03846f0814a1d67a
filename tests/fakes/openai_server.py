"""Fake OpenAI API: /v1/chat/completions, /v1/responses, /v1/models.

Run: python -m tests.fakes.openai_server --port 0 --latency 0.2 [--config file.json]
"""

from __future__ import annotations

import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.common import (
    FakeState,
    Provider,
    Reply,
    build_app,
    count_tokens,
    generation_endpoint,
    guarded_get,
    json_response,
    new_id,
    run_cli,
    structured_json,
    text_of,
    truncate_words,
)

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


PROVIDER = OpenAIProvider()


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
            total += count_tokens(str(msg.get("output", "")))  # Responses function_call_output items
    return total


def _is_json_schema(fmt: Any) -> bool:
    return isinstance(fmt, dict) and fmt.get("type") in ("json_schema", "json_object")


def _render(reply: Reply, structured: bool, limit: int | None) -> tuple[str, bool]:
    """Final content text for a text reply, truncated to `limit` words."""
    text = structured_json(reply.text or "") if structured else (reply.text or "")
    if limit is None:
        return text, False
    return truncate_words(text, limit)


def validate_chat(request: Request, body: dict[str, Any]) -> Response | None:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return PROVIDER.error(400, "'messages' must be a non-empty array.")
    n = body.get("n")
    if n is not None and (not isinstance(n, int) or n < 1 or n > 128):
        return PROVIDER.error(400, f"{n} is not a valid value for 'n' (1..128).")
    return None


def validate_response(request: Request, body: dict[str, Any]) -> Response | None:
    if not body.get("input"):
        return PROVIDER.error(400, "Missing required parameter: 'input'.")
    if "n" in body:  # the Responses API has no n
        return PROVIDER.error(400, "Unknown parameter: 'n'.")
    return None


def build_chat(body: dict[str, Any], state: FakeState) -> dict[str, Any] | Response:
    messages = body["messages"]
    n = body.get("n") or 1
    max_n = state.config["max_n"]
    k = min(n, max_n) if max_n else n  # some servers silently cap n; clients must top up
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    structured = _is_json_schema(body.get("response_format"))
    after_tool = isinstance(messages[-1], dict) and messages[-1].get("role") == "tool"
    replies = state.pick_replies(chat_user_text(body), k, after_tool)

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
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_fake",
    }


def build_response(body: dict[str, Any], state: FakeState) -> dict[str, Any] | Response:
    items = body["input"]
    text_cfg = body.get("text") if isinstance(body.get("text"), dict) else {"format": {"type": "text"}}
    structured = _is_json_schema(text_cfg.get("format"))
    limit = body.get("max_output_tokens")
    after_tool = isinstance(items, list) and isinstance(items[-1], dict) \
        and items[-1].get("type") == "function_call_output"
    reply = state.pick_replies(responses_user_text(body), 1, after_tool)[0]

    cut = False
    if reply.tool_calls is not None:
        output = [{"type": "function_call", "id": new_id("fc_"), "call_id": new_id("call_"),
                   "name": c["name"], "arguments": Reply.tool_args(c), "status": "completed"}
                  for c in reply.tool_calls]
        output_tokens = sum(count_tokens(o["arguments"]) + 1 for o in output)
    else:
        content, cut = _render(reply, structured, limit)
        output_tokens = count_tokens(content)
        output = [{"type": "message", "id": new_id("msg_"), "status": "incomplete" if cut else "completed",
                   "role": "assistant",
                   "content": [{"type": "output_text", "text": content, "annotations": [], "logprobs": []}]}]

    instructions = body.get("instructions")
    input_tokens = _prompt_tokens(items) + count_tokens(instructions or "")
    now = int(time.time())
    return {
        "id": new_id("resp_", 32),
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
        "store": body.get("store", True),
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
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens,
        },
        "user": None,
        "metadata": body.get("metadata") or {},
    }


def list_models(state: FakeState) -> dict[str, Any]:
    return {"object": "list",
            "data": [{"id": m, "object": "model", "created": 1700000000, "owned_by": "fake"}
                     for m in state.config["models"]]}


def create_app(config: dict[str, Any] | None = None) -> Starlette:
    state = FakeState(config, DEFAULT_MODELS)
    routes = [
        Route("/v1/chat/completions", generation_endpoint(state, PROVIDER, chat_user_text, build_chat,
                                                         validate_chat), methods=["POST"]),
        Route("/v1/responses", generation_endpoint(state, PROVIDER, responses_user_text,
                                                    build_response, validate_response), methods=["POST"]),
        Route("/v1/models", guarded_get(state, PROVIDER, list_models), methods=["GET"]),
    ]
    return build_app(state, routes)


if __name__ == "__main__":
    run_cli(create_app, "python -m tests.fakes.openai_server")
