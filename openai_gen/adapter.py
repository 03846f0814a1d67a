"""OpenAI adapter: Chat Completions (with `n`) or the Responses API, for OpenAI and compatible servers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import openai
from openai.types.responses import Response as ResponsesReply

from common.errors import MissingKeyError, RunFailure, UserError
from common.model.api import (
    BatchItem,
    BatchState,
    Candidate,
    GenRequest,
    MalformedReply,
    ProviderInfo,
    Usage,
)
from common.model.pricing import load_prices
from common.model.ratelimit import (
    LimitRules,
    LimitsSnapshot,
    RateLimits,
    make_limit,
    pick_headers,
    retry_after_header_s,
)
from common.model.replicas import ReplicaPool, ReplicaStats, replica_failed, split_base_urls
from verifiers.tools.spec import WireNames, to_openai_chat, to_openai_responses

log = logging.getLogger("bestofn")

_FINISH_FROM_STATUS = {"max_output_tokens": "length", "content_filter": "content_filter"}


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def duration_s(value: str | None) -> float | None:
    """OpenAI's reset durations (`20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`) in seconds; None if not one."""
    if not value:
        return None
    text = value.strip()
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(num + unit for num, unit in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(num) * scale[unit] for num, unit in parts)


def read_limits(headers: Mapping[str, str]) -> LimitsSnapshot:
    """`x-ratelimit-{limit,remaining,reset}-{requests,tokens}` and Retry-After, as the limiter reads them."""
    headers = pick_headers(headers, "x-ratelimit-")
    if not headers:
        return LimitsSnapshot()

    def one(kind: str) -> Any:
        return make_limit(headers.get(f"x-ratelimit-limit-{kind}"), headers.get(f"x-ratelimit-remaining-{kind}"),
                          duration_s(headers.get(f"x-ratelimit-reset-{kind}")))

    return LimitsSnapshot(requests=one("requests"), tokens=one("tokens"), retry_after_s=retry_after_header_s(headers))


# OpenAI charges a request at admission its prompt (cached tokens too) plus max_tokens x n, and gives
# nothing back.
LIMIT_RULES = LimitRules(refunds_output=False, cache_reads_count=True, cached_in_input=True)


def _text_format(req: GenRequest) -> dict[str, Any]:
    return {"name": req.schema_name, "strict": True, "schema": req.response_schema}


def _args_text(arguments: Any) -> str:
    """Arguments as the JSON string both OpenAI wire formats carry."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps({} if arguments is None else arguments, ensure_ascii=False)


def _tool_calls_from_chat(message: dict[str, Any], names: WireNames) -> list[dict[str, Any]] | None:
    calls = [c for c in message.get("tool_calls") or [] if isinstance(c, dict) and isinstance(c.get("function"), dict)]
    if not calls:
        return None
    # A compatible server may leave out ids; the tool loop needs one to answer each call.
    return [{"id": c.get("id") or f"call_{uuid.uuid4().hex[:24]}", "name": names.read(c["function"].get("name")),
             "arguments": _args_text(c["function"].get("arguments"))} for c in calls]


def chat_messages(system: str | None, messages: list[dict[str, Any]], names: WireNames) -> list[dict[str, Any]]:
    """Neutral turns to Chat Completions messages: an assistant turn carries its `tool_calls`, and
    each result follows it as a `tool` message answering one call id."""
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            msg: dict[str, Any] = {"role": "assistant", "content": m.get("content")}
            if m.get("tool_calls"):
                msg["tool_calls"] = [
                    {"id": c["id"], "type": "function",
                     "function": {"name": names.send(c["name"]), "arguments": _args_text(c.get("arguments"))}}
                    for c in m["tool_calls"]
                ]
            out.append(msg)
        elif role == "tool":
            out.append({"role": "tool", "tool_call_id": m["tool_call_id"], "content": m.get("content") or ""})
        else:
            out.append({"role": role, "content": m.get("content")})
    return out


def responses_input(messages: list[dict[str, Any]], names: WireNames) -> list[dict[str, Any]]:
    """Neutral turns to Responses input items. An assistant turn this adapter produced goes back as
    the very items the API returned (reasoning items with their encrypted content, which the API
    requires beside the function calls they led to when nothing is stored server-side)."""
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            native = m.get("native") or {}
            if native.get("api") == "responses":
                items.extend(native["items"])
                continue
            if m.get("content"):
                items.append({"role": "assistant", "content": m["content"]})
            items += [{"type": "function_call", "call_id": c["id"], "name": names.send(c["name"]),
                       "arguments": _args_text(c.get("arguments"))} for c in m.get("tool_calls") or []]
        elif role == "tool":
            items.append({"type": "function_call_output", "call_id": m["tool_call_id"],
                          "output": m.get("content") or ""})
        else:
            items.append({"role": role, "content": m.get("content")})
    return items


# A start-up check or model list of one replica among several waits no longer than this for it.
REPLICA_CHECK_TIMEOUT_S = 30.0


class OpenAIAdapter:
    """One adapter for api.openai.com, vLLM, SGLang, llama.cpp and local_server.py.

    `base_url` may name several servers of one model (a list, or comma-separated): one client each,
    generation routed through a `ReplicaPool` (common/model/replicas.py) to the least busy one that
    answers. `client` is the first one's (the batch API's, which has no replicas); `base_url` lists them
    all, comma-separated, so it opens the same adapter again."""

    cache_warmup = False  # OpenAI caches prefixes by itself; `n` already bills the prompt once

    def __init__(
        self,
        info: ProviderInfo,
        *,
        api: str = "chat",
        base_url: str | Sequence[str] | None = None,
        api_key: str | None = None,
        timeout: float = 600.0,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(info.key_env)
        if not key:
            raise MissingKeyError(
                f"{info.key_env} is not set; export your API key (or point --base-url at a local server)."
            )
        urls = split_base_urls(base_url)
        self.info = info
        self.api = api
        self.base_url = (base_url if isinstance(base_url, str) and len(urls) == 1 else ",".join(urls)) or None
        self.max_n_per_request = 1 if api == "responses" else 128
        self._timeout = timeout
        # aiohttp as transport: httpcore's pool checks every idle connection on each request,
        # which costs more than the request itself at concurrency 64 and up.
        self._clients = [
            openai.AsyncOpenAI(api_key=key, base_url=url, max_retries=0, timeout=timeout,
                               http_client=openai.DefaultAioHttpClient(timeout=timeout))
            for url in (urls or [None])
        ]
        self.client = self._clients[0]
        # Several servers: each call to the least busy healthy one (one server: no pool, nothing in the way).
        self.pool: ReplicaPool[openai.AsyncOpenAI] | None = (
            ReplicaPool(list(zip(urls, self._clients, strict=True)), lambda c: c.models.list())
            if len(urls) > 1 else None
        )
        self._official = not urls and not os.environ.get("OPENAI_BASE_URL")
        # A server of your own (vLLM, llama.cpp) sets no limits: no need to find them out first.
        self.limits = RateLimits(read_limits, LIMIT_RULES, probe=not info.self_hosted)
        self._batch_names: dict[str, dict[str, WireNames]] = {}  # batch id -> item -> renamed tools

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
        for client in self._clients:
            await client.close()

    def replicas(self) -> list[ReplicaStats]:
        """Counters per replica (calls, failures, in flight, healthy); empty with one server."""
        return self.pool.snapshot() if self.pool is not None else []

    def applies_temperature(self, model: str) -> bool:
        return not model.startswith(self.info.no_temperature_models)

    def _max_tokens_key(self, model: str) -> str:
        # api.openai.com, and its reasoning models behind any gateway, want max_completion_tokens;
        # compatible servers widely know only max_tokens.
        official = self._official or not self.applies_temperature(model)
        return "max_completion_tokens" if official else "max_tokens"

    def deprecation(self, model: str) -> str | None:
        return None  # the openai SDK ships no deprecation data

    async def ping(self) -> None:
        if self.pool is None:
            await self.client.models.list()
            return
        # Every replica: the ones that do not answer are warned about and left out until they do; the
        # run stops (as for one server) only when none answers.
        urls = self.pool.urls
        results = await self._each_replica(self._clients)
        down = [(url, r) for url, r in zip(urls, results, strict=True)
                if isinstance(r, BaseException) and replica_failed(r)]
        if len(down) == len(urls):
            raise down[0][1]
        for url, exc in down:
            self.pool.mark_down(url, exc)  # warns, naming the URL and the cause
        for r in results:
            if isinstance(r, BaseException) and not replica_failed(r):
                raise r  # a rejected key; or an answer other than a model list, which reachable() accepts

    async def _each_replica(self, clients: Sequence[openai.AsyncOpenAI]) -> list[Any]:
        """Each client's model list, or the error it got (a replica that hangs waits no longer than
        REPLICA_CHECK_TIMEOUT_S)."""
        wait = min(self._timeout, REPLICA_CHECK_TIMEOUT_S)
        return await asyncio.gather(*(c.with_options(timeout=wait).models.list() for c in clients),
                                    return_exceptions=True)

    async def pick_model(self, default: str | None) -> str:
        if default is not None and self._official:
            return default
        return await self._served_model()

    async def _served_model(self) -> str:
        """The first model a compatible server lists (with replicas: the first healthy one's, which every
        other one that answers must serve too)."""
        if self.pool is not None:
            return await self._replicas_model()
        try:
            models = await self.client.models.list()
        except openai.APIError as e:
            raise RunFailure(f"Could not list the models of {self.client.base_url}: {e}") from None
        if not models.data:
            raise RunFailure(f"{self.client.base_url} serves no model; pass --model.")
        return models.data[0].id

    async def _replicas_model(self) -> str:
        assert self.pool is not None
        replicas = self.pool.healthy() or list(zip(self.pool.urls, self.pool.clients, strict=True))
        results = await self._each_replica([c for _, c in replicas])
        listed = [(url, [m.id for m in r.data]) for (url, _), r in zip(replicas, results, strict=True)
                  if not isinstance(r, BaseException)]
        if not listed:
            first = next(r for r in results if isinstance(r, BaseException))
            if not isinstance(first, Exception):
                raise first
            raise RunFailure(f"Could not list the models of {replicas[0][0]}: {first}") from None
        url, ids = listed[0]
        if not ids:
            raise RunFailure(f"{url} serves no model; pass --model.")
        model = ids[0]
        for other, served in listed[1:]:
            if model not in served:
                raise UserError(
                    f"The base URLs are not replicas of one model: {url} serves {model} but {other} serves "
                    f"{', '.join(served) or 'no model'}; list only servers of the same model in base_url."
                )
        return model

    async def generate(self, req: GenRequest, n: int) -> list[Candidate]:
        async with self.limits.request(req, n) as gate:
            if self.pool is None:
                start = time.perf_counter()
                out, usage, headers = await self._send(self.client, req, n)
            else:
                async with self.pool.lease() as client:
                    start = time.perf_counter()
                    out, usage, headers = await self._send(client, req, n)
            latency = time.perf_counter() - start
            gate.done(headers, usage)
        for c in out:
            c.latency_s = latency
        return out

    def _send(self, client: openai.AsyncOpenAI, req: GenRequest,
              n: int) -> Awaitable[tuple[list[Candidate], Usage, Mapping[str, str]]]:
        return self._responses(req, client) if self.api == "responses" else self._chat(req, n, client)

    # ---- Chat Completions -------------------------------------------------------------------
    def chat_body(self, req: GenRequest, n: int) -> tuple[dict[str, Any], WireNames]:
        """The Chat Completions request body for `n` candidates (an online call and a batch line alike),
        and the tool names as sent, to read the reply's calls back."""
        names = WireNames(req.tools)
        if len(req.messages) == 1 and req.messages[0].get("role") == "user":  # the common case, kept cheap
            messages = ([{"role": "system", "content": req.system}] if req.system else []) + req.messages
        else:
            messages = chat_messages(req.system, req.messages, names)
        kwargs: dict[str, Any] = {"model": req.model, "messages": messages, "n": n}
        if req.temperature is not None and self.applies_temperature(req.model):
            kwargs["temperature"] = req.temperature
        kwargs[self._max_tokens_key(req.model)] = req.max_tokens
        if req.seed is not None:
            kwargs["seed"] = req.seed
        if req.tools:
            kwargs["tools"] = [to_openai_chat(t) for t in names.tools(req.tools)]
        if req.response_schema is not None:
            kwargs["response_format"] = {"type": "json_schema", "json_schema": _text_format(req)}
        return kwargs, names

    async def _chat(self, req: GenRequest, n: int,
                    client: openai.AsyncOpenAI | None = None) -> tuple[list[Candidate], Usage, Mapping[str, str]]:
        kwargs, names = self.chat_body(req, n)
        # The SDK's documented raw `post` skips its typed-parameter transform and response models,
        # the largest per-request costs at hundreds of requests a second; it still sends, authenticates
        # and maps HTTP errors to the SDK's exceptions. The body is the documented wire format.
        raw = await (client or self.client).post("/chat/completions", body=kwargs,
                                                 cast_to=openai.HttpxBinaryResponseContent)
        out, usage = parse_chat(json.loads(raw.content), names)
        return out, usage, raw.response.headers

    # ---- Responses API ----------------------------------------------------------------------
    def responses_body(self, req: GenRequest) -> tuple[dict[str, Any], WireNames]:
        """The Responses API request body (one candidate; an online call and a batch line alike)."""
        names = WireNames(req.tools)
        kwargs: dict[str, Any] = {
            "model": req.model,
            "input": responses_input(req.messages, names),
            "max_output_tokens": req.max_tokens,
            "store": False,
        }
        if req.temperature is not None and self.applies_temperature(req.model):
            kwargs["temperature"] = req.temperature
        if req.system:
            kwargs["instructions"] = req.system
        if req.tools:
            kwargs["tools"] = [to_openai_responses(t) for t in names.tools(req.tools)]
            # Nothing is stored server-side, so a reasoning model's reasoning items come back
            # encrypted and go back with the function calls they led to.
            kwargs["include"] = ["reasoning.encrypted_content"]
        if req.response_schema is not None:
            kwargs["text"] = {"format": {"type": "json_schema", **_text_format(req)}}
        return kwargs, names

    async def _responses(self, req: GenRequest,
                         client: openai.AsyncOpenAI | None = None) -> tuple[list[Candidate], Usage, Mapping[str, str]]:
        kwargs, names = self.responses_body(req)
        raw = await (client or self.client).responses.with_raw_response.create(**kwargs)
        cand, usage = parse_response(raw.parse(), names)
        return [cand], usage, raw.headers

    # ---- Batch API (BatchAPI in common/model/api.py) ------------------------------------------
    # One JSONL line per request, its body built by chat_body / responses_body and its answer read by
    # parse_chat / parse_response, exactly as online. An item of n candidates is one Chat Completions
    # request (up to 128 a request) or n Responses requests, named "<custom_id>-<first>-<n>" (see
    # `_BatchParts`), so results group back into items without any state kept here. Batch calls are not
    # paced by `self.limits` (the batch API has its own queue) and are not retried here.
    max_batch_items = 50_000  # requests in one batch (OpenAI's limit; the file may hold 200 MB)

    @property
    def _batch_endpoint(self) -> str:
        return "/v1/responses" if self.api == "responses" else "/v1/chat/completions"

    async def batch_submit(self, items: list[BatchItem], marker: str | None = None) -> str:
        models = sorted({item.req.model for item in items})
        if len(models) > 1:  # OpenAI fails the whole batch (mismatched_model) at validation
            raise ValueError(f"an OpenAI batch takes requests to one model, not {', '.join(models)}")
        lines: list[str] = []
        renamed: dict[str, WireNames] = {}
        for item in items:
            for first in range(0, item.n, self.max_n_per_request):
                k = min(self.max_n_per_request, item.n - first)
                body, names = self.responses_body(item.req) if self.api == "responses" else self.chat_body(item.req, k)
                if any(name != wire for name, wire in names.out.items()):
                    renamed[item.custom_id] = names
                lines.append(json.dumps({"custom_id": _BatchParts.wire_id(item.custom_id, first, item.n),
                                         "method": "POST", "url": self._batch_endpoint, "body": body},
                                        ensure_ascii=False))
        if not lines:
            raise ValueError("a batch needs at least one item")
        if len(lines) > self.max_batch_items:
            raise ValueError(f"{len(lines)} requests in one batch; OpenAI takes at most {self.max_batch_items}")
        data = ("\n".join(lines) + "\n").encode()
        if len(data) > _MAX_BATCH_BYTES:
            raise ValueError(f"the batch file is {len(data)} bytes; OpenAI takes at most {_MAX_BATCH_BYTES}")
        del lines
        upload = await self.client.files.create(file=("bestofn-batch.jsonl", data, "application/jsonl"),
                                                purpose="batch")
        metadata = {"created_by": "bestofn", **({"bestofn_batch": marker} if marker else {})}
        batch = await self.client.batches.create(input_file_id=upload.id, endpoint=self._batch_endpoint,
                                                 completion_window="24h", metadata=metadata)
        if renamed:  # tool names the API could not take, to read the calls back (this process only)
            self._batch_names[batch.id] = renamed
        return batch.id

    async def batch_state(self, batch_id: str) -> BatchState:
        return _batch_state(await self.client.batches.retrieve(batch_id))

    async def batch_find(self, marker: str, since: float) -> str | None:
        async for batch in self.client.batches.list(limit=100):  # newest first
            if batch.created_at < since - 60:
                return None
            if (batch.metadata or {}).get("bestofn_batch") == marker:
                return batch.id
        return None

    async def batch_cancel(self, batch_id: str) -> BatchState:
        try:
            batch = await self.client.batches.cancel(batch_id)
        except openai.ConflictError:  # it ended (or failed) meanwhile: nothing left to cancel
            batch = await self.client.batches.retrieve(batch_id)
        return _batch_state(batch)

    async def batch_results(self, batch_id: str) -> AsyncIterator[tuple[str, list[Candidate]]]:
        batch = await self.client.batches.retrieve(batch_id)
        state = _batch_state(batch)
        if state.status != "ended":
            raise ValueError(f"batch {batch_id} has no results to read: it is {batch.status}")
        renamed = self._batch_names.get(batch_id, {})
        parts = _BatchParts(self.max_n_per_request)
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            async with self.client.files.with_streaming_response.content(file_id) as stream:
                async for line in stream.iter_lines():
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    wire = str(record.get("custom_id"))
                    names = renamed.get(_BatchParts.item_id(wire)) or _NO_RENAMES
                    done = parts.add(wire, self._batch_line(record, names))
                    if done is not None:
                        yield done
        for done in parts.rest():
            yield done

    def _batch_line(self, record: dict[str, Any], names: WireNames) -> list[Candidate] | str:
        """The candidates of one output/error line, or why it has none."""
        response, error = record.get("response"), record.get("error")
        if isinstance(response, dict) and response.get("status_code") == 200:
            body = response.get("body")
            try:
                if self.api == "responses":
                    if not isinstance(body, dict):
                        raise MalformedReply(f"a JSON {type(body).__name__} where a response belongs")
                    out = [parse_response(ResponsesReply.construct(**body), names)[0]]
                else:
                    out = parse_chat(body, names)[0]
            except (MalformedReply, TypeError, ValueError, AttributeError) as e:
                return f"batch item errored: malformed reply: {e}"
            return out
        if isinstance(response, dict):
            err = (response.get("body") or {}).get("error") if isinstance(response.get("body"), dict) else None
            message = err.get("message") if isinstance(err, dict) else response.get("body")
            return f"batch item errored: {response.get('status_code')} {message}"
        err = error if isinstance(error, dict) else {}
        if err.get("code") == "batch_expired":
            return f"batch item expired: {err.get('message') or 'the completion window ended first'}"
        if err.get("code") == "batch_cancelled":
            return "batch item canceled"
        return f"batch item errored: {err.get('code')}: {err.get('message')}"


_MAX_BATCH_BYTES = 200 * 1024 * 1024
_NO_RENAMES = WireNames(None)
# Batch status -> the neutral BatchState.status.
_BATCH_STATUS = {"validating": "submitting", "in_progress": "in_progress", "finalizing": "in_progress",
                 "completed": "ended", "expired": "ended", "cancelled": "ended", "failed": "failed",
                 "cancelling": "cancelling"}


def _batch_state(batch: Any) -> BatchState:
    """An OpenAI Batch in neutral words: requests neither completed nor failed are still processing, or
    expired / were cancelled once the batch has."""
    status = _BATCH_STATUS.get(batch.status, "in_progress")
    rc = batch.request_counts
    total, done, failed = (rc.total, rc.completed, rc.failed) if rc is not None else (0, 0, 0)
    rest = max(total - done - failed, 0)
    counts = {"succeeded": done, "errored": failed, "expired": 0, "canceled": 0, "processing": 0}
    if batch.status == "expired":
        counts["expired"] = rest
    elif batch.status == "cancelled":
        counts["canceled"] = rest
    elif status != "failed":
        counts["processing"] = rest
    error = None
    if status == "failed":
        errors = batch.errors.data if batch.errors is not None and batch.errors.data else []
        error = "; ".join((f"line {e.line}: " if e.line is not None else "") + f"{e.message} ({e.code})"
                          for e in errors[:5]) or "the batch failed"
        if len(errors) > 5:
            error += f"; and {len(errors) - 5} more"
    return BatchState(id=batch.id, status=status, counts=counts, created_at=float(batch.created_at),
                      expires_at=None if batch.expires_at is None else float(batch.expires_at), error=error)


class _BatchParts:
    """Requests of a batch back into items. A request answers candidates first..first+k-1 of an item of n
    (k = min(per, n - first), `per` the candidates one request answers), and is named "<item>-<first>-<n>";
    an item is yielded once all its requests came back, in candidate order (a request that failed, or
    gave fewer candidates than asked, counts as that many error candidates), and `rest` yields the items
    some of whose requests never came back."""

    def __init__(self, per: int) -> None:
        self.per = per
        self.open: dict[str, tuple[int, dict[int, list[Candidate]]]] = {}

    @staticmethod
    def wire_id(custom_id: str, first: int, n: int) -> str:
        return f"{custom_id}-{first}-{n}"

    @staticmethod
    def parse(wire: str) -> tuple[str, int, int] | None:
        item, _, tail = wire.rpartition("-")
        item, _, first = item.rpartition("-")
        if item and first.isdigit() and tail.isdigit() and int(first) < int(tail):
            return item, int(first), int(tail)
        return None

    @staticmethod
    def item_id(wire: str) -> str:
        parsed = _BatchParts.parse(wire)
        return parsed[0] if parsed else wire

    @staticmethod
    def failed(k: int, why: str) -> list[Candidate]:
        return [Candidate(text=None, error=why, batched=True) for _ in range(k)]

    def add(self, wire: str, got: list[Candidate] | str) -> tuple[str, list[Candidate]] | None:
        parsed = self.parse(wire)
        if parsed is None:  # not a name this adapter gave: the line stands alone
            return wire, self.failed(1, got) if isinstance(got, str) else self._mark(got)
        item, first, n = parsed
        k = min(self.per, n - first)
        if isinstance(got, str):
            cands = self.failed(k, got)
        else:
            cands = self._mark(got[:k])
            if len(cands) < k:
                cands += self.failed(k - len(cands), f"batch item errored: {len(got)} of {k} candidates came back")
        _, parts = self.open.setdefault(item, (n, {}))
        parts[first] = cands
        if all(j in parts for j in range(0, n, self.per)):
            del self.open[item]
            return item, [c for j in sorted(parts) for c in parts[j]]
        return None

    def rest(self) -> Iterator[tuple[str, list[Candidate]]]:
        for item, (n, parts) in self.open.items():
            for first in range(0, n, self.per):
                if first not in parts:
                    parts[first] = self.failed(min(self.per, n - first),
                                               "batch item errored: the batch returned no result for it")
            yield item, [c for j in sorted(parts) for c in parts[j]]
        self.open = {}

    @staticmethod
    def _mark(cands: list[Candidate]) -> list[Candidate]:
        for c in cands:
            c.batched = True
            c.latency_s = None
        return cands


def parse_chat(data: Any, names: WireNames) -> tuple[list[Candidate], Usage]:
    """A Chat Completions reply (online, or a batch line's body): one candidate per choice, the usage
    shared between them."""
    if not isinstance(data, dict) or not isinstance(data.get("choices", []), list):
        raise MalformedReply(f"a JSON {type(data).__name__} without a list of choices")
    choices = data.get("choices") or []
    u = data.get("usage") or {}
    usage = Usage(
        input_tokens=u.get("prompt_tokens"),
        output_tokens=u.get("completion_tokens"),
        cached_input_tokens=(u.get("prompt_tokens_details") or {}).get("cached_tokens"),
        reasoning_tokens=(u.get("completion_tokens_details") or {}).get("reasoning_tokens"),
    )
    shares = usage.split(max(len(choices), 1))
    out = []
    for choice, share in zip(choices, shares, strict=False):
        msg = choice.get("message") or {}
        text = msg.get("content")
        # vLLM, SGLang and DeepSeek-style servers return the reasoning trace beside the answer.
        reasoning = msg.get("reasoning_content") or msg.get("reasoning")
        if msg.get("refusal") and not text:
            text = msg["refusal"]
        calls = _tool_calls_from_chat(msg, names)
        out.append(
            Candidate(
                text=text,
                reasoning=reasoning,
                tool_calls=calls,
                finish_reason=choice.get("finish_reason"),
                usage=share,
                turn={"role": "assistant", "content": text, "tool_calls": calls} if calls else None,
            )
        )
    return out, usage


def parse_response(resp: Any, names: WireNames) -> tuple[Candidate, Usage]:
    """A Responses API reply (the SDK's `Response`, online or built from a batch line's body)."""
    # "" when a message came back empty (the model said nothing); None when no message came at all.
    text = resp.output_text if any(item.type == "message" for item in resp.output or []) else None
    reasoning_parts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for item in resp.output or []:
        if item.type == "reasoning":
            reasoning_parts += [s.text for s in (getattr(item, "summary", None) or [])]
        elif item.type == "function_call":
            tool_calls.append({"id": item.call_id, "name": names.read(item.name), "arguments": item.arguments})
    reasoning = "\n".join(reasoning_parts) or None
    finish = "stop"
    if resp.status == "incomplete":
        reason = getattr(resp.incomplete_details, "reason", None)
        finish = _FINISH_FROM_STATUS.get(reason or "", reason or "incomplete")
    elif tool_calls:
        finish = "tool_calls"
    usage = Usage()
    if resp.usage is not None:
        u = resp.usage
        usage = Usage(
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cached_input_tokens=getattr(u.input_tokens_details, "cached_tokens", None),
            reasoning_tokens=getattr(u.output_tokens_details, "reasoning_tokens", None),
        )
    turn = None
    if tool_calls:
        items = [item.model_dump(exclude_none=True) for item in resp.output or []]
        turn = {"role": "assistant", "content": text, "tool_calls": tool_calls,
                "native": {"api": "responses", "items": items}}
    cand = Candidate(text=text, reasoning=reasoning, tool_calls=tool_calls or None, finish_reason=finish,
                     usage=usage, turn=turn)
    return cand, usage


# List prices: openai_gen/prices.yaml (common/model/pricing.py reads it).
_OPENAI_PRICES = load_prices(Path(__file__).with_name("prices.yaml"))


def _open_openai(
    base_url: str | Sequence[str] | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> OpenAIAdapter:
    return OpenAIAdapter(OPENAI, api=api, base_url=base_url, timeout=timeout)


def _open_local(
    base_url: str | Sequence[str] | None, *, api: str, timeout: float, model: str | None, stack: ExitStack
) -> OpenAIAdapter:
    """A compatible server at `base_url` (or $BESTOFN_LOCAL_BASE_URL); without one, the embedded
    model is started here and stopped by `stack`."""
    base_url = base_url or os.environ.get("BESTOFN_LOCAL_BASE_URL")
    if base_url is None:
        from openai_gen.local_launch import local_server

        base_url = stack.enter_context(local_server(model))
    key = os.environ.get("BESTOFN_LOCAL_API_KEY") or os.environ.get("OPENAI_API_KEY") or "not-needed"
    return OpenAIAdapter(LOCAL, api=api, base_url=base_url, api_key=key, timeout=timeout)


OPENAI = ProviderInfo(
    name="openai",
    open=_open_openai,
    key_env="OPENAI_API_KEY",
    default_model="gpt-5-mini",
    default_judge_model="gpt-5-mini",
    apis=("chat", "responses"),
    supports_structured_output=True,
    supports_n=True,
    supports_batch=True,  # the Batch API (--batch); LOCAL servers have none
    # OpenAI's reasoning models take no temperature, at api.openai.com or behind a gateway.
    no_temperature_models=("o1", "o3", "o4", "gpt-5"),
    cached_input_in_input_tokens=True,
    prices=_OPENAI_PRICES,
    accepts_generators=("local",),
)

LOCAL = ProviderInfo(
    name="local",
    open=_open_local,
    key_env="BESTOFN_LOCAL_API_KEY",  # optional: most local servers want none (see _open_local)
    default_model=None,  # the server is asked what it serves
    default_judge_model=None,
    apis=("chat", "responses"),
    supports_structured_output=True,
    supports_n=True,
    self_hosted=True,
    accepts_generators=("openai",),
)
