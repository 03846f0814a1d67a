"""Control logic shared by the fake OpenAI and Anthropic servers.

Scripting (rules -> replies), failure injection, latency, auth, the bounded request log,
the `/_control/*` endpoints and the CLI live here once; each server module only knows its
own wire format (request parsing, response JSON, error bodies).

Config schema (every key optional; POST /_control/config replaces it, /_control/update merges):
    rules:           [{"match": str | null, "replies": [reply, ...]}]
                     first rule whose match is a substring of the last user message wins; its replies
                     go round-robin across choices and requests. No match -> DEFAULT_REPLY.
                     reply = str | {"text": str} | {"echo": true}
                           | {"tool_calls": [{"name": str, "arguments": dict | str}]}
                           | {"turns": [turn, ...]}   with turn = str | {"text": str} | {"tool_calls": [...]}
                     A string `arguments` passes verbatim (malformed JSON included; Claude's `tool_use.input`
                     must be an object, so a string that is not a JSON object becomes {"raw": <string>}).
                     Several tool_calls in one reply/turn are parallel calls in one assistant turn.
                     A plain `tool_calls` reply is skipped right after a tool result (the model answers in
                     text then); a `turns` reply is a multi-turn script instead, stateless:
                       turn used = number of assistant turns in the conversation after the last user turn
                       that has text (= tool-call rounds completed), clamped to the last turn, so a script
                       ending in tool calls keeps calling.
                       Which reply of the pool: once the conversation has assistant turns after the last user
                       text, the first `turns` reply whose first turn calls the same tool names (in order) as
                       the conversation's first assistant turn after that text continues the conversation, for
                       every choice, without advancing the rule's round-robin counter; if none matches, plain
                       round-robin (which does advance it).
                     Placeholders in a text reply/turn, filled only when the conversation has tool turns:
                       {tool_result}  the content of the last tool result in the request (string as sent;
                                      a list of text parts/blocks joined with newlines);
                       {tool_results} all results of the last round (answers to the last assistant turn's
                                      calls) joined with " | ".
    failures:        queue, one popped per generation request: {"status": 429, "retry_after": 0.2,
                     "message": str, "type": str, "code": str} or {"drop": true}
                     or {"status": 200, "raw": "<html>...</html>"} (a body that is not the API's JSON)
    fail_when_match: [{"match": str, <same fields as a failure>}]  every matching request fails
    latency_s:       float, awaited per successful generation (failures answer at once)
    api_key:         str | null (OpenAI: Authorization Bearer; Anthropic: x-api-key or Bearer)
    max_n:           int | null, cap on OpenAI chat choices
    models:          [str] for GET /v1/models (defaults per server)
    log_size:        int, request-log length (default 200)
    cache_min_tokens: int, shortest prefix the Anthropic cache simulation stores (default 0)
    prefix_cache:    bool, OpenAI: simulate automatic prefix caching (default false). A Chat Completions
                     prompt whose earlier messages (all but the last), or whole prompt, was sent before
                     and is 1,024 tokens or more reports that prefix, in 128-token steps, as
                     prompt_tokens_details.cached_tokens, as OpenAI does.
    rate_limits:     {"rpm", "tpm", "itpm", "otpm", "window_s"} | null: enforce limits as short-window token
                     buckets charged at admission (prompt tokens + max_tokens x n), 429 with the wait when a
                     request does not fit, truthful limit headers on every generation response
                     (tests/fakes/rate_limits.py). Counts: /_control/requests "rate_limits".
    batch:           the batch APIs (OpenAI /v1/files + /v1/batches, Anthropic /v1/messages/batches;
                     tests/fakes/batches.py). Every key optional; times in seconds, fixed at creation:
                       validate_s:  OpenAI "validating" lasts this long (default 0; create always answers
                                    "validating"); a malformed input file then fails the batch
                       process_s:   then the items finish one by one, evenly spread over this time (0.2)
                       finalize_s:  OpenAI "finalizing" lasts this long before "completed" (default 0)
                       cancel_s:    "cancelling"/"canceling" lasts this long after a cancel (default 0)
                       expire_after_s: null | s after creation: the batch expires then (its expires_at);
                                    unfinished items come back expired
                       expire_custom_ids: [id]  these items never finish: the batch expires as soon as the
                                    others are done (or at expire_after_s)
                       hold_custom_ids:   [id]  these items never finish: the batch stays in progress until it
                                    is cancelled or expires
                       error_custom_ids:  [id]  these items fail with a 500 (OpenAI error file / Anthropic
                                    `errored` api_error)
                     An id in these lists names the request with that custom_id, or every request whose custom_id
                     starts with it followed by "-" (the parts a client split one item into).
                     Items are answered by the online endpoint's own validation (a 400 there is the item's error)
                     and reply logic (rules, usage, max_n...), in finishing order, lazily when a batch is read;
                     `fail_when_match` applies, the failure queue, `latency_s` and `rate_limits` do not.
                     Counts: /_control/requests "batches" {batches, items, cancels, files} (launch: batch_stats()).

Conversation rules: each server rejects, with the real API's 400 message, a conversation whose tool
turns break that API's rules (see the server modules). Those checks run only when a request carries
tool turns (tool messages/calls, tool_use/tool_result/thinking blocks, function_call items), so plain
single-turn requests pay nothing for them.

Hot-path rule: handlers stay cheap (no pydantic, dicts built by hand, orjson when present)
because a benchmark drives the OpenAI fake at hundreds of requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import copy
import hashlib
import hmac
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.rate_limits import ServerLimits, check_config

try:  # orjson is several times faster for the n=8 response bodies the benchmark produces
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads = orjson.loads
except ImportError:  # pragma: no cover - exercised only where orjson is absent

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    loads = json.loads

DEFAULT_REPLY = "The answer is \\boxed{42}."
DEFAULT_LOG_SIZE = 200
CACHE_KEY_LIMIT = 10_000  # bounds the prompt-cache simulation's memory
STORE_LIMIT = 10_000  # bounds every server-side store (stored responses, reasoning items, ...)
# Signs what a client must send back unchanged (Claude thinking signatures, OpenAI encrypted reasoning);
# per process, so nothing outside this server can forge one.
_SECRET = os.urandom(32)

# Keys a config may carry; anything else is rejected so typos fail loudly in tests.
CONFIG_KEYS = {
    "rules", "failures", "fail_when_match", "latency_s", "api_key", "max_n", "models",
    "log_size", "cache_min_tokens", "rate_limits", "batch", "prefix_cache",
}
BATCH_DEFAULTS: dict[str, Any] = {
    "validate_s": 0.0, "process_s": 0.2, "finalize_s": 0.0, "cancel_s": 0.0, "expire_after_s": None,
    "expire_custom_ids": [], "hold_custom_ids": [], "error_custom_ids": [],
}


def check_batch_config(raw: Any) -> dict[str, Any]:
    """The `batch` knob with its defaults filled in; typos and wrong types fail loudly."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValueError(f"batch must be an object: {raw!r}")
    unknown = set(raw) - set(BATCH_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown batch keys: {sorted(unknown)}")
    cfg = {**copy.deepcopy(BATCH_DEFAULTS), **raw}
    for key in ("validate_s", "process_s", "finalize_s", "cancel_s"):
        cfg[key] = float(cfg[key] or 0.0)
        if cfg[key] < 0:
            raise ValueError(f"batch.{key} must be >= 0")
    if cfg["expire_after_s"] is not None:
        cfg["expire_after_s"] = float(cfg["expire_after_s"])
    for key in ("expire_custom_ids", "hold_custom_ids", "error_custom_ids"):
        if not isinstance(cfg[key], list) or not all(isinstance(x, str) for x in cfg[key]):
            raise ValueError(f"batch.{key} must be a list of strings")
    return cfg


def count_tokens(text: str) -> int:
    """Whitespace words: crude but deterministic, so tests can predict usage exactly."""
    return len(text.split())


def truncate_words(text: str, limit: int) -> tuple[str, bool]:
    """Cut `text` to `limit` words; returns (text, was_truncated)."""
    words = text.split()
    if len(words) <= limit:
        return text, False
    return " ".join(words[: max(limit, 0)]), True


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + uuid.uuid4().hex[:length]


def text_of(content: Any) -> str:
    """Text of a message `content`: a string, or a list of parts/blocks carrying `text`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # what both APIs accept as a function/tool name


def bad_tool_name(tools: Any, name_of: Callable[[Any], Any]) -> tuple[int, Any] | None:
    """(index, name) of the first tool whose name the real APIs reject, or None."""
    for i, tool in enumerate(tools if isinstance(tools, list) else []):
        name = name_of(tool) if isinstance(tool, dict) else None
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            return i, name
    return None


def mac(data: bytes) -> bytes:
    return hmac.new(_SECRET, data, hashlib.sha256).digest()


def sign(text: str) -> str:
    """Base64 HMAC-SHA256 of `text` under the server secret (e.g. a thinking block's signature)."""
    return base64.b64encode(mac(text.encode())).decode()


def signature_ok(text: Any, signature: Any) -> bool:
    if not isinstance(text, str) or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(text), signature)


def seal(payload: dict[str, Any]) -> str:
    """An opaque token carrying `payload`, verifiable by `unseal` (e.g. encrypted reasoning content)."""
    data = dumps(payload)
    return base64.b64encode(data + mac(data)).decode()


def unseal(token: Any) -> dict[str, Any] | None:
    """The payload of a `seal` token, or None when it was tampered with or is not one."""
    if not isinstance(token, str):
        return None
    try:
        raw = base64.b64decode(token, validate=True)
    except (ValueError, binascii.Error):
        return None
    data, tag = raw[:-32], raw[-32:]
    if not data or not hmac.compare_digest(mac(data), tag):
        return None
    try:
        payload = loads(data)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def structured_json(text: str) -> str:
    """Structured-output content derived from a scripted text reply.

    A scripted reply that already looks like JSON is passed through untouched, so tests can
    script exact (or deliberately malformed) structured output.
    """
    if text.lstrip().startswith("{"):
        return text
    final = text.strip()
    start = text.rfind("\\boxed{")
    if start >= 0:  # the answer inside the last \boxed{...}, braces balanced
        depth, i = 1, start + len("\\boxed{")
        begin = i
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        final = text[begin : i - 1] if depth == 0 else text[begin:]
    return dumps({"reasoning": text, "final_answer": final}).decode()


class ToolTurns:
    """What a multi-turn script needs from a conversation with tool turns (built only for those).

    rounds:      assistant turns after the last user turn that has text (tool-call rounds completed)
    first_calls: tool names the first of those assistant turns called, in order
    results:     contents of the last round's tool results, in order
    last_result: content of the last tool result in the request
    """

    __slots__ = ("rounds", "first_calls", "results", "last_result")

    def __init__(self, rounds: int, first_calls: list[Any], results: list[str], last_result: str) -> None:
        self.rounds = rounds
        self.first_calls = first_calls
        self.results = results
        self.last_result = last_result

    def fill(self, text: str) -> str:
        if "{tool_result" not in text:
            return text
        return text.replace("{tool_results}", " | ".join(self.results)).replace("{tool_result}", self.last_result)


class Reply:
    """One scripted answer: plain text or a list of tool calls."""

    __slots__ = ("text", "tool_calls")

    def __init__(self, text: str | None, tool_calls: list[dict[str, Any]] | None = None) -> None:
        self.text = text
        self.tool_calls = tool_calls

    @staticmethod
    def tool_args(call: dict[str, Any]) -> str:
        """Arguments as the JSON string the APIs send; a scripted string passes verbatim."""
        args = call.get("arguments", {})
        return args if isinstance(args, str) else dumps(args).decode()


def _check_calls(calls: Any) -> None:
    if not isinstance(calls, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in calls):
        raise ValueError(f"tool_calls must be a list of {{'name': str, 'arguments': ...}}: {calls!r}")


def _check_reply(raw: Any) -> None:
    """Typos in scripts fail loudly at configure time, not as a confusing reply later."""
    if isinstance(raw, str):
        return
    if not isinstance(raw, dict):
        raise ValueError(f"a reply is a string or an object: {raw!r}")
    if "tool_calls" in raw:
        _check_calls(raw["tool_calls"])
    if "turns" in raw:
        turns = raw["turns"]
        if not isinstance(turns, list) or not turns:
            raise ValueError(f"turns must be a non-empty list: {raw!r}")
        for turn in turns:
            if isinstance(turn, str) or (isinstance(turn, dict) and isinstance(turn.get("text"), str)):
                continue
            if isinstance(turn, dict) and "tool_calls" in turn:
                _check_calls(turn["tool_calls"])
                continue
            raise ValueError(f"a turn is a string, {{'text': str}} or {{'tool_calls': [...]}}: {turn!r}")


def _first_call_names(raw: Any) -> list[Any] | None:
    """Tool names of a `turns` reply's first turn, or None when it has no tool calls."""
    first = raw["turns"][0]
    if isinstance(first, dict) and first.get("tool_calls"):
        return [c["name"] for c in first["tool_calls"]]
    return None


def _normalize(config: dict[str, Any]) -> dict[str, Any]:
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        raise ValueError(f"unknown config keys: {sorted(unknown)}")
    cfg = copy.deepcopy(config)
    cfg.setdefault("rules", [])
    cfg.setdefault("failures", [])
    cfg.setdefault("fail_when_match", [])
    cfg["latency_s"] = float(cfg.get("latency_s") or 0.0)
    cfg.setdefault("api_key", None)
    cfg.setdefault("max_n", None)
    cfg.setdefault("models", [])
    cfg["log_size"] = int(cfg.get("log_size") or DEFAULT_LOG_SIZE)
    cfg["cache_min_tokens"] = int(cfg.get("cache_min_tokens") or 0)
    cfg["prefix_cache"] = bool(cfg.get("prefix_cache"))
    cfg["rate_limits"] = check_config(cfg.get("rate_limits"))
    cfg["batch"] = check_batch_config(cfg.get("batch"))
    for rule in cfg["rules"]:
        if not rule.get("replies"):
            raise ValueError(f"rule without replies: {rule}")
        for raw in rule["replies"]:
            _check_reply(raw)
    return cfg


class FakeState:
    """All mutable state of one fake server process (single event loop: no locks needed)."""

    def __init__(self, startup_config: dict[str, Any] | None = None,
                 default_models: list[str] | None = None) -> None:
        self.default_models = default_models or []
        self.startup_config = _normalize(startup_config or {})
        self.reset()

    def reset(self) -> None:
        """Back to the startup config with empty counters, log and cache."""
        self.request_count = 0
        self.log: deque[dict[str, Any]] = deque()
        self.cache_keys: OrderedDict[str, int] = OrderedDict()
        self.stores: dict[str, OrderedDict[str, Any]] = {}
        # What the batch APIs were given (tests/fakes/batches.py); the batches and files live in `stores`.
        self.batch_stats = {"batches": 0, "items": 0, "cancels": 0, "files": 0}
        self.apply(self.startup_config)

    def apply(self, config: dict[str, Any]) -> None:
        cfg = _normalize(config)
        if not cfg["models"]:
            cfg["models"] = list(self.default_models)
        self.config = cfg
        self.rule_counters = [0] * len(cfg["rules"])
        self.failures: deque[dict[str, Any]] = deque(cfg["failures"])
        # Full buckets whenever the config is set (or reset).
        self.limits = ServerLimits(cfg["rate_limits"]) if cfg["rate_limits"] else None
        self.log = deque(self.log, maxlen=cfg["log_size"])  # keep the log across config changes

    def snapshot(self) -> dict[str, Any]:
        cfg = dict(self.config)
        cfg["failures"] = list(self.failures)  # what is left of the queue
        return cfg

    def record(self, request: Request, body: Any) -> None:
        self.request_count += 1
        self.log.append({
            "method": request.method,
            "path": request.url.path,
            "headers": dict(request.headers),
            "body": body,
            "time": time.time(),
        })

    def next_failure(self, user_text: str) -> dict[str, Any] | None:
        """A queued failure wins; otherwise the first `fail_when_match` rule that matches."""
        if self.failures:
            return self.failures.popleft()
        for rule in self.config["fail_when_match"]:
            if rule.get("match") and rule["match"] in user_text:
                return rule
        return None

    def pick_replies(self, user_text: str, k: int, after_tool_result: bool = False,
                     turns: ToolTurns | None = None) -> list[Reply]:
        """`k` replies from the first matching rule, round-robin so candidates differ.

        After a tool result a model answers in text, so plain tool-call replies are skipped then;
        `turns` scripts stay and continue (see the module docstring for which one).
        """
        for idx, rule in enumerate(self.config["rules"]):
            match = rule.get("match")
            if match is not None and match not in user_text:
                continue
            pool = rule["replies"]
            if after_tool_result:
                pool = [r for r in pool if not (isinstance(r, dict) and "tool_calls" in r)]
                if not pool:
                    return [Reply(DEFAULT_REPLY) for _ in range(k)]
            if turns is not None and turns.rounds and turns.first_calls:
                for raw in pool:  # the script this conversation has been following
                    if isinstance(raw, dict) and "turns" in raw and _first_call_names(raw) == turns.first_calls:
                        return [self._reply(raw, user_text, turns) for _ in range(k)]
            start = self.rule_counters[idx]
            self.rule_counters[idx] = start + k
            return [self._reply(pool[(start + i) % len(pool)], user_text, turns) for i in range(k)]
        return [Reply(DEFAULT_REPLY) for _ in range(k)]

    @staticmethod
    def _reply(raw: Any, user_text: str, turns: ToolTurns | None = None) -> Reply:
        if isinstance(raw, dict) and "turns" in raw:
            script = raw["turns"]
            raw = script[min(turns.rounds if turns is not None else 0, len(script) - 1)]
        if isinstance(raw, str):
            return Reply(turns.fill(raw) if turns is not None else raw)
        if raw.get("echo"):
            return Reply(user_text)
        if "tool_calls" in raw:
            return Reply(None, raw["tool_calls"])
        text = str(raw.get("text", DEFAULT_REPLY))
        return Reply(turns.fill(text) if turns is not None else text)

    def remember(self, store: str, key: str, value: Any) -> None:
        """Keep `value` in the named server-side store (bounded: the oldest entries go first)."""
        entries = self.stores.setdefault(store, OrderedDict())
        entries[key] = value
        if len(entries) > STORE_LIMIT:
            entries.popitem(last=False)

    def recall(self, store: str, key: Any) -> Any:
        entries = self.stores.get(store)
        return entries.get(key) if entries is not None and isinstance(key, str) else None

    def cache_lookup(self, key: str, tokens: int) -> bool:
        """True when `key` was cached before; otherwise remember it (bounded LRU)."""
        if key in self.cache_keys:
            self.cache_keys.move_to_end(key)
            return True
        self.cache_keys[key] = tokens
        if len(self.cache_keys) > CACHE_KEY_LIMIT:
            self.cache_keys.popitem(last=False)
        return False


LimitState = dict[str, tuple[int, int, float]]  # kind -> (limit per minute, remaining, seconds until full)


class Provider:
    """What differs between the two APIs' envelopes: auth header, error bodies, rate-limit headers."""

    def authorized(self, request: Request, api_key: str) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Response:
        raise NotImplementedError

    def error(self, status: int, message: str | None = None, headers: dict[str, str] | None = None,
              err_type: str | None = None, code: str | None = None) -> Response:
        raise NotImplementedError

    def limit_headers(self, state: LimitState) -> dict[str, str]:
        """The API's own headers for the rate-limit buckets' state."""
        return {}

    def rate_limited(self, wait_s: float, short: str, limit: int, state: LimitState, model: Any) -> Response:
        """The 429 for a request that does not fit `short`'s bucket (`limit` a minute) for another `wait_s`
        seconds; `state` is what the limit headers say (empty when they are off)."""
        return self.error(429, headers=self.limit_headers(state))


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(obj), status_code=status, headers=headers, media_type="application/json")


class DropResponse(Response):
    """Starts a response, then returns without a body: uvicorn closes the socket mid-reply,
    which clients see as a broken connection (the closest ASGI gets to a TCP drop)."""

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})


def failure_response(provider: Provider, failure: dict[str, Any]) -> Response:
    if "raw" in failure:  # a body that is not the API's JSON (a proxy's HTML page, a cut-off reply)
        return Response(str(failure["raw"]).encode(), status_code=int(failure.get("status", 200)),
                        media_type=failure.get("media_type", "application/json"))
    if failure.get("drop"):
        return DropResponse()
    headers: dict[str, str] = {}
    retry_after = failure.get("retry_after")
    if retry_after is not None:
        ra = float(retry_after)
        # Whole seconds as an integer (what real servers send); sub-second stays a float,
        # with retry-after-ms alongside for clients that prefer it.
        headers["retry-after"] = str(int(ra)) if ra.is_integer() else str(ra)
        headers["retry-after-ms"] = str(int(ra * 1000))
    return provider.error(int(failure.get("status", 500)), failure.get("message"), headers,
                          failure.get("type"), failure.get("code"))


# A generation builder gets (parsed body, state) and returns a response dict or a Response.
Builder = Callable[[dict[str, Any], FakeState], dict[str, Any] | Response]
UserText = Callable[[dict[str, Any]], str]
# A validator rejects requests the real API would reject (None = fine).
Validator = Callable[[Request, dict[str, Any]], Response | None]
# What a request is charged against rate limits at admission: (prompt tokens, max output tokens in all).
Charge = Callable[[dict[str, Any]], tuple[int, int]]


def generation_endpoint(state: FakeState, provider: Provider, user_text: UserText, build: Builder,
                        validate: Validator | None = None,
                        charge: Charge | None = None) -> Callable[[Request], Awaitable[Response]]:
    """The common request pipeline: log -> auth -> validate -> injected failure -> rate limits -> latency
    -> build (-> the rate limits' end-of-request corrections and headers)."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            body = loads(raw)
        except ValueError:
            state.record(request, raw.decode(errors="replace"))
            return provider.error(400, "We could not parse the JSON body of your request.")
        state.record(request, body)
        key = state.config["api_key"]
        if key and not provider.authorized(request, key):
            return provider.unauthorized()
        if not isinstance(body, dict):
            return provider.error(400, "Request body must be a JSON object.")
        if validate is not None and (rejected := validate(request, body)) is not None:
            return rejected
        failure = state.next_failure(user_text(body))
        if failure is not None:  # failures answer fast, like real rate limiters do
            return failure_response(provider, failure)
        limits = state.limits
        admission = None
        if limits is not None and charge is not None:
            admission, wait, short = limits.admit(*charge(body))
            if admission is None:
                return provider.rate_limited(wait, short, limits.buckets[short].limit, limits.state(),
                                             body.get("model"))
        if state.config["latency_s"] > 0:
            await asyncio.sleep(state.config["latency_s"])
        result = build(body, state)
        if isinstance(result, Response):
            return result
        headers = None
        if admission is not None and limits is state.limits:  # not reconfigured meanwhile
            usage = result.get("usage") or {}
            limits.settle(admission, usage.get("output_tokens", usage.get("completion_tokens")),
                          usage.get("cache_read_input_tokens"))
            headers = provider.limit_headers(limits.state())
        return json_response(result, headers=headers)

    return endpoint


def guarded_get(state: FakeState, provider: Provider,
                build: Callable[[FakeState], dict[str, Any]]) -> Callable[[Request], Awaitable[Response]]:
    """A GET endpoint (e.g. /v1/models) behind the same auth check."""

    async def endpoint(request: Request) -> Response:
        state.record(request, None)
        key = state.config["api_key"]
        if key and not provider.authorized(request, key):
            return provider.unauthorized()
        return json_response(build(state))

    return endpoint


def control_routes(state: FakeState) -> list[Route]:
    async def set_config(request: Request) -> Response:
        try:
            state.apply(loads(await request.body()))
        except (ValueError, TypeError, AttributeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"ok": True})

    async def update_config(request: Request) -> Response:
        merged = state.snapshot()
        try:
            merged.update(loads(await request.body()))
            state.apply(merged)
        except (ValueError, TypeError, AttributeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"ok": True})

    async def get_config(request: Request) -> Response:
        return json_response(state.snapshot())

    async def get_requests(request: Request) -> Response:
        limits = state.limits.stats() if state.limits is not None else None
        return json_response({"count": state.request_count, "requests": list(state.log), "rate_limits": limits,
                              "batches": state.batch_stats})

    async def reset(request: Request) -> Response:
        state.reset()
        return json_response({"ok": True})

    return [
        Route("/_control/config", set_config, methods=["POST"]),
        Route("/_control/config", get_config, methods=["GET"]),
        Route("/_control/update", update_config, methods=["POST"]),
        Route("/_control/requests", get_requests, methods=["GET"]),
        Route("/_control/reset", reset, methods=["POST"]),
    ]


def build_app(state: FakeState, routes: list[Route]) -> Starlette:
    app = Starlette(routes=[*routes, *control_routes(state)])
    app.state.fake = state
    return app


def _parse_cli(argv: list[str] | None, prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description="Protocol-faithful fake LLM API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--config", help="JSON file with the startup config")
    parser.add_argument("--latency", type=float, default=None, help="seconds added to each generation")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--max-n", type=int, default=None)
    for flag in ("rpm", "tpm", "itpm", "otpm"):
        parser.add_argument(f"--{flag}", type=int, default=None, help=f"enforce this {flag.upper()} (rate_limits)")
    parser.add_argument("--limit-window", type=float, default=None,
                        help="seconds of a minute's limit a rate-limit bucket holds (default 1)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when stdin closes, so a crashed parent leaves no orphan server")
    return parser.parse_args(argv)


def cli_config(args: argparse.Namespace) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if args.config:
        with open(args.config) as fh:
            config = json.load(fh)
    if args.latency is not None:
        config["latency_s"] = args.latency
    if args.api_key is not None:
        config["api_key"] = args.api_key
    if args.max_n is not None:
        config["max_n"] = args.max_n
    limits = {k: getattr(args, k) for k in ("rpm", "tpm", "itpm", "otpm") if getattr(args, k) is not None}
    if args.limit_window is not None:
        limits["window_s"] = args.limit_window
    if limits:
        config["rate_limits"] = {**(config.get("rate_limits") or {}), **limits}
    return config


def run_cli(make_app: Callable[[dict[str, Any]], Starlette], prog: str, argv: list[str] | None = None) -> None:
    """Serve `make_app(config)`; prints `LISTENING <port>` once the socket accepts connections."""
    import uvicorn  # imported here so importing the app (e.g. in-process tests) stays light

    args = _parse_cli(argv, prog)
    app = make_app(cli_config(args))
    # Bind ourselves so `--port 0` yields the real port before uvicorn starts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1, backlog=2048,
                            timeout_keep_alive=75)  # clients pool connections; idle closes race them
    # Dropped connections are deliberate here; keep uvicorn from logging each one as an error.
    logging.getLogger("uvicorn.error").addFilter(
        lambda record: "without completing response" not in record.getMessage())
    server = uvicorn.Server(config)

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                return await task
            await asyncio.sleep(0.005)
        print(f"LISTENING {port}", flush=True)
        if args.exit_on_stdin_eof:
            loop = asyncio.get_running_loop()

            def watch() -> None:
                sys.stdin.buffer.read()  # returns at EOF, i.e. when the parent is gone
                loop.call_soon_threadsafe(setattr, server, "should_exit", True)

            threading.Thread(target=watch, daemon=True).start()
        await task

    asyncio.run(serve())
