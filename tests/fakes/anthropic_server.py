"""Fake Anthropic Messages API: /v1/messages, /v1/models, and Message Batches (/v1/messages/batches,
/v1/messages/batches/{id}, /v1/messages/batches/{id}/cancel, /v1/messages/batches/{id}/results).

Run: python -m tests.fakes.anthropic_server --port 0 --latency 0.2 [--config file.json]

Conversation rules (HTTP 400 invalid_request_error, the real API's messages; paths like
`messages.1.content.0` as the real API writes them), checked when a request carries tool_use,
tool_result, thinking or redacted_thinking blocks. Consecutive turns of one role are merged first, as
the real API does, so two user turns in a row are fine:
  - the first message must be a user message (checked on every request: it costs nothing);
  - every `tool_use` of an assistant turn is answered by `tool_result` blocks at the start of the next
    (user) turn, and every `tool_result` answers a `tool_use` of the assistant turn right before it;
  - a `tool_use` block's `input` is an object;
  - thinking blocks come back unchanged: their `signature` (base64 HMAC-SHA256 of the thinking text
    under a per-process secret) must verify;
  - with thinking enabled (or adaptive), when the final user turn answers the last assistant turn's
    `tool_use`, that assistant turn must start with a `thinking`/`redacted_thinking` block.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
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
    page,
)
from tests.fakes.common import (
    FakeState,
    LimitState,
    Provider,
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
    sign,
    signature_ok,
    structured_json,
    text_of,
    truncate_words,
)

DEFAULT_MODELS = ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-7"]

_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


class AnthropicProvider(Provider):
    def authorized(self, request: Request, api_key: str) -> bool:
        # SDK 2.x sends the key as a Bearer token; older clients and curl use x-api-key.
        headers = request.headers
        return headers.get("x-api-key") == api_key or headers.get("authorization") == f"Bearer {api_key}"

    def unauthorized(self) -> Response:
        return self.error(401)

    def error(self, status: int, message: str | None = None, headers: dict[str, str] | None = None,
              err_type: str | None = None, code: str | None = None) -> Response:
        d_type, d_msg = _ERRORS.get(status, ("api_error", "Internal server error"))
        request_id = new_id("req_", 24)
        body = {"type": "error", "error": {"type": err_type or d_type, "message": message or d_msg},
                "request_id": request_id}
        return json_response(body, status, {"request-id": request_id, **(headers or {})})

    def limit_headers(self, state: LimitState) -> dict[str, str]:
        headers: dict[str, str] = {}
        now = datetime.now(UTC)
        for kind, (limit, remaining, reset_s) in state.items():
            name = f"anthropic-ratelimit-{kind.replace('_', '-')}"
            headers[f"{name}-limit"] = str(limit)
            headers[f"{name}-remaining"] = str(remaining)
            # RFC 3339, when the bucket is full again (milliseconds: the fake's windows are short).
            reset = now + timedelta(seconds=reset_s)
            headers[f"{name}-reset"] = reset.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return headers

    def rate_limited(self, wait_s: float, short: str, limit: int, state: LimitState, model: Any) -> Response:
        what = {"requests": "requests", "input_tokens": "input tokens", "output_tokens": "output tokens"}
        message = (f"This request would exceed the rate limit for your organization of "
                   f"{limit} {what.get(short, 'tokens')} per minute. Please try again later.")
        # Anthropic's retry-after is whole seconds.
        headers = {**self.limit_headers(state), "retry-after": str(max(math.ceil(wait_s), 1))}
        return self.error(429, message, headers)


PROVIDER = AnthropicProvider()


def _block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "tool_use":
        return dumps(block.get("input", {})).decode()
    if kind == "tool_result":
        return text_of(block.get("content"))
    return block.get("text") or block.get("thinking") or ""


def user_text(body: dict[str, Any]) -> str:
    """Text of the last user turn that has text (tool_result-only turns are skipped)."""
    for msg in reversed(body.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "user":
            text = text_of(msg.get("content"))
            if text:
                return text
    return ""


def _prompt_blocks(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """The prompt in cache order (tools, system, messages) as (text, has_cache_control)."""
    blocks: list[tuple[str, bool]] = []
    for tool in body.get("tools") or []:
        blocks.append((dumps({k: v for k, v in tool.items() if k != "cache_control"}).decode(),
                       "cache_control" in tool))
    system = body.get("system")
    if isinstance(system, str):
        blocks.append((system, False))
    elif isinstance(system, list):
        blocks.extend((_block_text(b), isinstance(b, dict) and "cache_control" in b) for b in system)
    for msg in body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, str):
            blocks.append((content, False))
        elif isinstance(content, list):
            blocks.extend((_block_text(b), isinstance(b, dict) and "cache_control" in b) for b in content)
    return blocks


def _usage(body: dict[str, Any], state: FakeState, output_tokens: int) -> dict[str, Any]:
    blocks = _prompt_blocks(body)
    total = sum(count_tokens(t) for t, _ in blocks)
    created = read = 0
    marks = [i for i, (_, cc) in enumerate(blocks) if cc]
    if marks:
        prefix = blocks[: marks[-1] + 1]
        prefix_tokens = sum(count_tokens(t) for t, _ in prefix)
        if prefix_tokens >= state.config["cache_min_tokens"]:  # real API ignores short prefixes
            digest = hashlib.sha256("\x00".join(t for t, _ in prefix).encode()).hexdigest()
            if state.cache_lookup(f"{body.get('model')}:{digest}", prefix_tokens):
                read = prefix_tokens
            else:
                created = prefix_tokens
    return {
        "input_tokens": total - created - read,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": created,
        "cache_read_input_tokens": read,
        "cache_creation": {"ephemeral_5m_input_tokens": created, "ephemeral_1h_input_tokens": 0},
        "server_tool_use": None,
        "service_tier": "standard",
    }


_SCHEMA_MAPS = ("properties", "$defs", "definitions")  # keywords whose values are name -> subschema
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")  # keywords whose values are lists of subschemas


def _open_object(schema: Any) -> bool:
    """True if `schema` or a subschema is an object without `additionalProperties: false`, which the
    real API refuses for structured output."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    is_object = kind == "object" or (isinstance(kind, list) and "object" in kind)
    if is_object and schema.get("additionalProperties") is not False:
        return True
    items = schema.get("items")
    subs: list[Any] = [schema.get("not"), *(items if isinstance(items, list) else [items])]
    for key in _SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            subs += schema[key].values()
    for key in _SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            subs += schema[key]
    return any(_open_object(sub) for sub in subs)


def _output_format_error(body: dict[str, Any]) -> str | None:
    """The real API's refusals of `output_config.format` that a client can cause."""
    config = body.get("output_config")
    if config is None:
        return None
    if not isinstance(config, dict):
        return "output_config: Input should be a valid dictionary"
    fmt = config.get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        return "output_config.format: Input should be a valid dictionary"
    if fmt.get("type") != "json_schema":
        return "output_config.format.type: Input should be 'json_schema'"
    if "schema" not in fmt:
        return "output_config.format.schema: Field required"
    if not isinstance(fmt["schema"], dict):
        return "output_config.format.schema: Input should be a valid dictionary"
    if _open_object(fmt["schema"]):
        return "output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false"
    return None


# ---------------------------------------------------------------- tool turns

_TOOL_BLOCKS = ("tool_use", "tool_result", "thinking", "redacted_thinking")
_THINKING = ("thinking", "redacted_thinking")
_THINKING_FIRST = (
    "When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the "
    "lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous "
    "turns. To avoid this requirement, disable `thinking`. Please consult our documentation at "
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking")

Block = tuple[int, int, dict[str, Any]]  # (message index, content index, block)


def has_tool_turns(messages: list[Any]) -> bool:
    for msg in messages:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") in _TOOL_BLOCKS:
                    return True
    return False


def _turns_of(messages: list[Any]) -> list[tuple[Any, int, list[Block]]]:
    """(role, index of its first message, blocks) per turn, consecutive same-role messages merged."""
    turns: list[tuple[Any, int, list[Block]]] = []
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            continue
        content = msg.get("content")
        if isinstance(content, str):
            blocks: list[Block] = [(i, 0, {"type": "text", "text": content})]
        elif isinstance(content, list):
            blocks = [(i, j, b) for j, b in enumerate(content) if isinstance(b, dict)]
        else:
            blocks = []
        role = msg.get("role")
        if turns and turns[-1][0] == role:
            turns[-1][2].extend(blocks)
        else:
            turns.append((role, i, blocks))
    return turns


def _thinking_on(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def conversation_error(body: dict[str, Any]) -> str | None:
    """The real API's refusal of a conversation whose tool/thinking turns do not line up, or None."""
    turns = _turns_of(body["messages"])
    prev_ids: list[Any] = []  # tool_use ids of the assistant turn right before
    prev_at = -1
    for role, at, blocks in turns:
        if role not in ("user", "assistant"):
            return f"messages.{at}.role: Input should be 'user' or 'assistant'"
        if role == "assistant":
            ids = []
            for i, j, block in blocks:
                kind = block.get("type")
                if kind == "thinking":
                    if "signature" not in block:
                        return f"messages.{i}.content.{j}.thinking.signature: Field required"
                    if not signature_ok(block.get("thinking"), block["signature"]):
                        return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
                elif kind == "tool_use":
                    if not isinstance(block.get("input"), dict):
                        return f"messages.{i}.content.{j}.tool_use.input: Input should be a valid dictionary"
                    ids.append(block.get("id"))
            prev_ids, prev_at = ids, at
            continue
        for i, j, block in blocks:
            if block.get("type") == "tool_result" and block.get("tool_use_id") not in prev_ids:
                return (f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` "
                        "block in the previous message.")
        if prev_ids:
            leading = set()
            for _, _, block in blocks:
                if block.get("type") != "tool_result":
                    break
                leading.add(block.get("tool_use_id"))
            missing = [str(x) for x in prev_ids if x not in leading]
            if missing:
                return (f"messages.{prev_at}: `tool_use` ids were found without `tool_result` blocks immediately "
                        f"after: {', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` "
                        "block in the next message.")
        prev_ids = []
    if _thinking_on(body) and len(turns) >= 2 and turns[-1][0] == "user" and turns[-2][0] == "assistant":
        answered = any(b.get("type") == "tool_result" for _, _, b in turns[-1][2])
        calls = turns[-2][2]
        if answered and calls and any(b.get("type") == "tool_use" for _, _, b in calls):
            i, j, first = calls[0]
            if first.get("type") not in _THINKING:
                return (f"messages.{i}.content.{j}.type: Expected `thinking` or `redacted_thinking`, but found "
                        f"`{first.get('type')}`. {_THINKING_FIRST}")
    return None


def _is_question(msg: Any) -> bool:
    """A user turn that asks something (text, no tool results): scripts count rounds from the last one."""
    if not isinstance(msg, dict) or msg.get("role") != "user":
        return False
    content = msg.get("content")
    if isinstance(content, str):
        return bool(content)
    if not isinstance(content, list):
        return False
    kinds = {b.get("type") for b in content if isinstance(b, dict)}
    return "text" in kinds and "tool_result" not in kinds


def tool_turns(messages: list[Any]) -> ToolTurns:
    start = 0
    for i in range(len(messages) - 1, -1, -1):
        if _is_question(messages[i]):
            start = i + 1
            break
    rounds, first_calls, prev_role = 0, [], None
    for msg in messages[start:]:
        role = msg.get("role") if isinstance(msg, dict) else None
        if role == "assistant" and prev_role != "assistant":  # the API merges consecutive turns
            if rounds == 0 and isinstance(msg.get("content"), list):
                first_calls = [b.get("name") for b in msg["content"]
                               if isinstance(b, dict) and b.get("type") == "tool_use"]
            rounds += 1
        prev_role = role
    results: list[str] = []
    last = ""
    for msg in messages:
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            continue
        if msg.get("role") == "assistant":
            if any(isinstance(b, dict) and b.get("type") == "tool_use" for b in content):
                results = []  # a new round: its answers follow
            continue
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                last = text_of(block.get("content"))
                results.append(last)
    return ToolTurns(rounds, first_calls, results, last)


def validate(request: Request, body: dict[str, Any]) -> Response | None:
    """The checks the real API makes that a client is most likely to get wrong."""
    if "anthropic-version" not in request.headers:
        return PROVIDER.error(400, "anthropic-version: header is required")
    if "n" in body:
        return PROVIDER.error(400, "n: Extra inputs are not permitted")
    if body.get("tools") and (bad := bad_tool_name(body["tools"], lambda t: t.get("name"))):
        return PROVIDER.error(400, f"tools.{bad[0]}.custom.name: String should match pattern "
                                   "'^[a-zA-Z0-9_-]{1,128}$'")
    if not isinstance(body.get("max_tokens"), int):
        return PROVIDER.error(400, "max_tokens: Field required")
    messages = body.get("messages")
    if not messages:
        return PROVIDER.error(400, "messages: Field required")
    if not isinstance(messages, list):
        return PROVIDER.error(400, "messages: Input should be a valid list")
    if not isinstance(messages[0], dict) or messages[0].get("role") != "user":
        return PROVIDER.error(400, 'messages: first message must use the "user" role')
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            return PROVIDER.error(400, "thinking.enabled.budget_tokens: Input should be greater than or "
                                       "equal to 1024")
        if budget >= body["max_tokens"]:
            return PROVIDER.error(400, "`max_tokens` must be greater than `thinking.budget_tokens`.")
        if body.get("temperature") not in (None, 1, 1.0):
            return PROVIDER.error(400, "`temperature` may only be set to 1 when thinking is enabled or in "
                                       "interleaved thinking mode.")
    if message := _output_format_error(body):
        return PROVIDER.error(400, message)
    if has_tool_turns(messages) and (message := conversation_error(body)):
        return PROVIDER.error(400, message)
    return None


def _tool_input(call: dict[str, Any]) -> Any:
    args = call.get("arguments", {})
    if isinstance(args, str):  # a scripted string: tool_use.input must still be an object
        try:
            parsed = loads(args)
        except ValueError:
            return {"raw": args}
        return parsed if isinstance(parsed, dict) else {"raw": args}
    return args


def build_message(body: dict[str, Any], state: FakeState) -> dict[str, Any] | Response:
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    content_last = last.get("content")
    after_tool = isinstance(content_last, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content_last)
    question = user_text(body)
    turns = tool_turns(messages) if has_tool_turns(messages) else None
    reply = state.pick_replies(question, 1, after_tool, turns)[0]
    limit: int = body["max_tokens"]

    content: list[dict[str, Any]] = []
    output_tokens = 0
    thinking = body.get("thinking")
    if _thinking_on(body):
        thought = f"Let me work through this carefully. The question is: {question[:500]}"
        thought, _ = truncate_words(thought, int(thinking.get("budget_tokens") or limit))
        content.append({"type": "thinking", "thinking": thought, "signature": sign(thought)})
        output_tokens += count_tokens(thought)

    output_format = (body.get("output_config") or {}).get("format")
    structured = isinstance(output_format, dict) and output_format.get("type") == "json_schema"
    stop_reason, stop_sequence = "end_turn", None
    if reply.tool_calls is not None:
        for call in reply.tool_calls:
            block = {"type": "tool_use", "id": new_id("toolu_"), "name": call["name"], "input": _tool_input(call)}
            content.append(block)
            output_tokens += count_tokens(dumps(block["input"]).decode()) + 1
        stop_reason = "tool_use"
    else:
        text = structured_json(reply.text or "") if structured else (reply.text or "")
        for seq in body.get("stop_sequences") or []:
            pos = text.find(seq)
            if pos >= 0:
                text, stop_reason, stop_sequence = text[:pos], "stop_sequence", seq
                break
        text, cut = truncate_words(text, limit - output_tokens)
        if cut:
            stop_reason, stop_sequence = "max_tokens", None
        content.append({"type": "text", "text": text, "citations": None})
        output_tokens += count_tokens(text)

    return {
        "id": new_id("msg_01", 22),
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "unknown"),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "usage": _usage(body, state, output_tokens),
        "container": None,
    }


def charge(body: dict[str, Any]) -> tuple[int, int]:
    """The whole prompt + max_tokens at admission (cache reads and unused output are given back at the end)."""
    return sum(count_tokens(t) for t, _ in _prompt_blocks(body)), int(body.get("max_tokens") or 0)


# ---------------------------------------------------------------- Message Batches
# Each request's params go through the online endpoint's own `validate` and `build_message`
# (tests/fakes/batches.py), checked when the request is processed (the real API validates params
# asynchronously too): a rejected one comes back `errored` with the 400 body online would return.
# The create call itself is refused as a whole (400) for a bad `requests` list or custom_id.

CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_BATCH_REQUESTS = 100_000


def _rfc3339(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _authorized(state: FakeState, request: Request, body: Any) -> Response | None:
    """Log the call and check its key and version header (the generation endpoint's first steps)."""
    state.record(request, body)
    key = state.config["api_key"]
    if key and not PROVIDER.authorized(request, key):
        return PROVIDER.unauthorized()
    if "anthropic-version" not in request.headers:
        return PROVIDER.error(400, "anthropic-version: header is required")
    return None


def _requests_error(body: Any) -> str | None:
    """Why the API refuses the create call as a whole, or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    if "requests" not in body:
        return "requests: Field required"
    requests = body["requests"]
    if not isinstance(requests, list):
        return "requests: Input should be a valid list"
    if not requests:
        return "requests: List should have at least 1 item after validation, not 0"
    if len(requests) > MAX_BATCH_REQUESTS:
        return f"requests: List should have at most {MAX_BATCH_REQUESTS} items after validation, not {len(requests)}"
    seen: set[str] = set()
    for i, req in enumerate(requests):
        if not isinstance(req, dict):
            return f"requests.{i}: Input should be a valid dictionary"
        for key in ("custom_id", "params"):
            if key not in req:
                return f"requests.{i}.{key}: Field required"
        cid = req["custom_id"]
        if not isinstance(cid, str):
            return f"requests.{i}.custom_id: Input should be a valid string"
        if len(cid) > 64:
            return f"requests.{i}.custom_id: String should have at most 64 characters"
        if not CUSTOM_ID.fullmatch(cid):
            return f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
        if cid in seen:
            return f"requests.{i}.custom_id: Duplicate custom_id '{cid}'; each request in a batch needs a unique one"
        seen.add(cid)
        if not isinstance(req["params"], dict):
            return f"requests.{i}.params: Input should be a valid dictionary"
        extra = set(req) - {"custom_id", "params"}
        if extra:
            return f"requests.{i}.{sorted(extra)[0]}: Extra inputs are not permitted"
    return None


def _results_url(request: Request, batch_id: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/v1/messages/batches/{batch_id}/results"


def message_batch_json(request: Request, batch: Batch, now: float, status: str | None = None) -> dict[str, Any]:
    """The MessageBatch object as of `now` (`status` forces what cancel answers at once)."""
    batch.advance(now)
    ended = batch.end is not None and status is None
    if status is None:
        status = "ended" if ended else "canceling" if batch.cancel_at is not None else "in_progress"
    if ended:  # the other counts stay zero until processing of the whole batch ends
        counts = {"processing": 0, "succeeded": batch.count(SUCCEEDED), "errored": batch.count(ERRORED),
                  "canceled": batch.count(CANCELED), "expired": batch.count(EXPIRED)}
    else:
        counts = {"processing": len(batch.items), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": status,
        "request_counts": counts,
        "ended_at": _rfc3339(batch.ended_at) if ended else None,
        "created_at": _rfc3339(batch.created),
        "expires_at": _rfc3339(batch.expires_at),
        "archived_at": None,
        "cancel_initiated_at": _rfc3339(batch.cancel_at),
        "results_url": _results_url(request, batch.id) if ended else None,
    }


def _result(item: Item) -> dict[str, Any]:
    if item.outcome == SUCCEEDED:
        result: dict[str, Any] = {"type": "succeeded", "message": item.answer}
    elif item.outcome == ERRORED:
        result = {"type": "errored", "error": item.answer}
    else:
        result = {"type": item.outcome}
    return {"custom_id": item.custom_id, "result": result}


def batch_routes(state: FakeState) -> list[Route]:
    def not_found(batch_id: str) -> Response:
        return PROVIDER.error(404, f"No message batch found with id '{batch_id}'.")

    async def create(request: Request) -> Response:
        raw = await request.body()
        try:
            body = loads(raw)
        except ValueError:
            state.record(request, raw.decode(errors="replace"))
            return PROVIDER.error(400, "There was an error parsing the body of your request as JSON.")
        if (denied := _authorized(state, request, body)) is not None:
            return denied
        if message := _requests_error(body):
            return PROVIDER.error(400, message)
        now = time.time()
        items = [Item(r["custom_id"], r["params"]) for r in body["requests"]]
        batch = Batch(new_id("msgbatch_01", 22), items, now, state.config["batch"], RequestView(request),
                      Answerer(state, PROVIDER, user_text, build_message, validate))
        state.remember("batches", batch.id, batch)
        state.batch_stats["batches"] += 1
        state.batch_stats["items"] += len(items)
        return json_response(message_batch_json(request, batch, now, status="in_progress"))

    async def retrieve(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        batch = state.recall("batches", request.path_params["batch_id"])
        if batch is None:
            return not_found(request.path_params["batch_id"])
        return json_response(message_batch_json(request, batch, time.time()))

    async def list_batches(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        try:
            limit = int(request.query_params.get("limit", 20))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            return PROVIDER.error(400, "limit: Input should be greater than or equal to 1 and less than or equal "
                                       "to 1000")
        found, more = page(all_batches(state), limit, after=request.query_params.get("after_id"),
                           before=request.query_params.get("before_id"))
        now = time.time()
        data = [message_batch_json(request, b, now) for b in found]
        return json_response({"data": data, "has_more": more, "first_id": data[0]["id"] if data else None,
                              "last_id": data[-1]["id"] if data else None})

    async def cancel(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        batch = state.recall("batches", request.path_params["batch_id"])
        if batch is None:
            return not_found(request.path_params["batch_id"])
        now = time.time()
        batch.advance(now)
        if batch.end is not None:
            return PROVIDER.error(400, f"Message batch {batch.id} has ended; only a batch still in progress can be "
                                       "canceled.")
        if batch.cancel_at is None:
            batch.cancel(now)
            state.batch_stats["cancels"] += 1
        return json_response(message_batch_json(request, batch, now, status="canceling"))

    async def results(request: Request) -> Response:
        if (denied := _authorized(state, request, None)) is not None:
            return denied
        batch = state.recall("batches", request.path_params["batch_id"])
        if batch is None:
            return not_found(request.path_params["batch_id"])
        batch.advance(time.time())
        if batch.end is None:
            return PROVIDER.error(400, f"Message batch {batch.id} has not ended yet; its results are available "
                                       "once processing_status is 'ended'.")

        async def lines() -> AsyncIterator[bytes]:
            for item in batch.items:
                yield dumps(_result(item)) + b"\n"

        return StreamingResponse(lines(), media_type="application/x-jsonl")

    return [
        Route("/v1/messages/batches", create, methods=["POST"]),
        Route("/v1/messages/batches", list_batches, methods=["GET"]),
        Route("/v1/messages/batches/{batch_id}", retrieve, methods=["GET"]),
        Route("/v1/messages/batches/{batch_id}/cancel", cancel, methods=["POST"]),
        Route("/v1/messages/batches/{batch_id}/results", results, methods=["GET"]),
    ]


def list_models(state: FakeState) -> dict[str, Any]:
    data = [{"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}
            for m in state.config["models"]]
    return {"data": data, "has_more": False, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None}


def create_app(config: dict[str, Any] | None = None) -> Starlette:
    state = FakeState(config, DEFAULT_MODELS)
    routes = [
        Route("/v1/messages", generation_endpoint(state, PROVIDER, user_text, build_message, validate, charge),
              methods=["POST"]),
        Route("/v1/models", guarded_get(state, PROVIDER, list_models), methods=["GET"]),
        *batch_routes(state),
    ]
    return build_app(state, routes)


if __name__ == "__main__":
    run_cli(create_app, "python -m tests.fakes.anthropic_server")
