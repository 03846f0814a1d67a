"""Bookkeeping of the fakes' batch APIs, shared by OpenAI Batch and Anthropic Message Batches.

A batch item is answered by the online endpoint's own validation and reply logic (`Answerer`), so a batch
answer is what an online call would have returned (a 400 from the validator becomes the item's error).
Nothing runs in the background: every read of a batch advances it to the present, answering the items
whose finishing time has come, in finishing order. Tests drive a batch by waiting; the times come from the
`batch` config knob (documented in tests/fakes/common.py), fixed for a batch when it is created.

Each server module turns a `Batch` into its own wire format (statuses, counts, result lines).
"""

from __future__ import annotations

import email.parser
import email.policy
from collections.abc import Callable, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.fakes.common import Builder, FakeState, Provider, UserText, Validator, loads, new_id

SUCCEEDED, ERRORED, EXPIRED, CANCELED = "succeeded", "errored", "expired", "canceled"


def listed(ids: list[str], custom_id: str) -> bool:
    """`custom_id` is named by an entry of a knob's id list (itself, or a part `<id>-...` of it)."""
    return any(custom_id == x or custom_id.startswith(x + "-") for x in ids)


class RequestView:
    """What a validator reads from a request (`headers`, `app`), kept from the call that created the batch:
    the items are answered later, outside any HTTP request."""

    __slots__ = ("headers", "app")

    def __init__(self, request: Request) -> None:
        self.headers = request.headers
        self.app = request.app


class Answerer:
    """The online endpoint's checks and reply for one request body, without its HTTP side (no log entry,
    rate limits, latency or failure queue; `fail_when_match` applies): (HTTP status, JSON body)."""

    def __init__(self, state: FakeState, provider: Provider, user_text: UserText, build: Builder,
                 validate: Validator | None) -> None:
        self.state, self.provider, self.user_text = state, provider, user_text
        self.build, self.validate = build, validate

    def __call__(self, view: RequestView, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return self.decode(self.provider.error(400, "Request body must be a JSON object."))
        if self.validate is not None and (rejected := self.validate(view, body)) is not None:  # type: ignore[arg-type]
            return self.decode(rejected)
        text = self.user_text(body)
        for rule in self.state.config["fail_when_match"]:
            if rule.get("match") and rule["match"] in text:
                return self.decode(self.provider.error(int(rule.get("status", 500)), rule.get("message"), None,
                                                       rule.get("type"), rule.get("code")))
        result = self.build(body, self.state)
        if isinstance(result, Response):
            return self.decode(result)
        return 200, result

    def server_error(self) -> tuple[int, Any]:
        return self.decode(self.provider.error(500))

    @staticmethod
    def decode(response: Response) -> tuple[int, Any]:
        return response.status_code, loads(bytes(response.body))


class Item:
    __slots__ = ("custom_id", "body", "due", "outcome", "status", "answer", "request_id")

    def __init__(self, custom_id: str, body: Any) -> None:
        self.custom_id = custom_id
        self.body = body
        self.due: float | None = None  # when it finishes (None: never by itself)
        self.outcome: str | None = None  # succeeded | errored | expired | canceled
        self.status = 0  # HTTP status of the answer
        self.answer: Any = None  # the answer's JSON body: a response, or an error
        self.request_id = new_id("req_", 32)


class Batch:
    """One batch: its items, its clock and how it ended ("completed", "expired", "cancelled", "failed")."""

    def __init__(self, batch_id: str, items: list[Item], created: float, cfg: dict[str, Any],
                 view: RequestView, answer: Answerer | None, *, start_delay: float = 0.0,
                 errors: list[dict[str, Any]] | None = None) -> None:
        self.id = batch_id
        self.items = items
        self.created = created
        self.cfg = cfg
        self.view = view
        self.answer = answer
        self.errors = errors or []  # the whole batch was rejected (OpenAI's validation)
        self.started = created + start_delay  # items are processed from then on
        expire_after = cfg["expire_after_s"]
        self.expires_at = created + (expire_after if expire_after is not None else 24 * 3600.0)
        self.cancel_at: float | None = None
        self.end: str | None = None
        self.ended_at: float | None = None
        self.extra: dict[str, Any] = {}  # what a server keeps beside (OpenAI: endpoint, files, metadata)
        if self.errors:
            self.order: list[Item] = []
            self.deadline: float | None = None
            self.done_at: float | None = None
            return
        runs = [i for i in items if not listed(cfg["hold_custom_ids"], i.custom_id)
                and not listed(cfg["expire_custom_ids"], i.custom_id)]
        for k, item in enumerate(runs):
            item.due = self.started + cfg["process_s"] * (k + 1) / len(runs)
        self.order = runs
        self._next = 0
        deadline = created + expire_after if expire_after is not None else None
        if len(runs) < len(items) and any(listed(cfg["expire_custom_ids"], i.custom_id) for i in items):
            others_done = runs[-1].due if runs else self.started
            deadline = others_done if deadline is None else min(deadline, others_done)  # type: ignore[type-var]
        self.deadline = deadline
        self.done_at = (runs[-1].due if runs else self.started) if len(runs) == len(items) else None

    def advance(self, now: float) -> None:
        """Answer what has finished by `now` and end the batch if its time has come."""
        if self.end is not None:
            return
        if self.errors:
            if now >= self.started:
                self.end, self.ended_at = "failed", self.started
            return
        limit = min(t for t in (now, self.cancel_at, self.deadline) if t is not None)
        while self._next < len(self.order) and self.order[self._next].due <= limit:  # type: ignore[operator]
            self._finish(self.order[self._next])
            self._next += 1
        events: list[tuple[float, str]] = []
        if self.cancel_at is not None:
            events.append((self.cancel_at + self.cfg["cancel_s"], "cancelled"))
        if self.deadline is not None:
            events.append((self.deadline, "expired"))
        if self.done_at is not None and (self.cancel_at is None or self.done_at <= self.cancel_at) \
                and (self.deadline is None or self.done_at <= self.deadline):
            events.append((self.done_at, "completed"))
        due = [e for e in events if e[0] <= now]
        if not due:
            return
        when, how = min(due)
        rest = CANCELED if how == "cancelled" else EXPIRED
        for item in self.items:
            if item.outcome is None:
                item.outcome = rest
        self.end, self.ended_at = how, when

    def cancel(self, now: float) -> None:
        self.advance(now)
        if self.end is None and self.cancel_at is None:
            self.cancel_at = now
            self.advance(now)

    def _finish(self, item: Item) -> None:
        assert self.answer is not None
        if listed(self.cfg["error_custom_ids"], item.custom_id):
            item.status, item.answer = self.answer.server_error()
        else:
            item.status, item.answer = self.answer(self.view, item.body)
        item.outcome = SUCCEEDED if item.status == 200 else ERRORED

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)


def all_batches(state: FakeState) -> list[Batch]:
    """Every batch the server holds, newest first."""
    return list(reversed((state.stores.get("batches") or {}).values()))


def page(batches: list[Batch], limit: int, after: str | None = None,
         before: str | None = None) -> tuple[list[Batch], bool]:
    """A page of `batches` (newest first) after / before the batch with that id; (page, has_more)."""
    ids = [b.id for b in batches]
    if after in ids:
        batches = batches[ids.index(after) + 1:]
    elif before in ids:
        start = ids.index(before)
        batches = batches[max(start - limit, 0):start]
        return batches, start - limit > 0
    return batches[:limit], len(batches) > limit


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """multipart/form-data fields: name -> (filename, bytes). The stdlib's MIME parser, so the fake needs no
    python-multipart (which Starlette's `request.form()` would)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def jsonl(lines: Iterator[Any] | list[Any], dumps: Callable[[Any], bytes]) -> bytes:
    return b"".join(dumps(line) + b"\n" for line in lines)
