"""Math verification in batches: many candidates per message to the worker processes, none of the
caller's threads blocked (what `MathVerifier.submit` uses; `MathVerifier.verify` answers one candidate
through `timeout_pool` instead).

The whole of `MathVerifier.verify` runs in the worker: refusal and extraction (regex work) as well as the
SymPy comparison, so a busy caller spends no time on either. Verdicts are `verify`'s by construction: the
worker runs `prepare`, the string fast path, `compare_answers` and `finish`, the same code.

Time bounds are those of `verify`: the comparison has `timeout` seconds, counted from the worker's word that
it starts comparing (the "p" frame below, sent after extraction), and a worker that overruns it is killed, so
the candidate gets the timeout verdict `verify` gives. Extraction, unbounded in `verify`'s caller, is bounded
here by the same budget. A killed or crashed worker costs only the candidate it was on: the others it held go
back to the queue for any worker, and a replacement starts. A candidate still comparing after `SLOW_S`
releases the candidates queued behind it on that worker to the other workers, so a slow comparison holds up
nobody but itself.

Protocol (pickled frames, multiprocessing.Connection's framing): the parent sends a list of
(response, ground_truth, context); the worker answers each in order with
    ("p", (answer, gold, source, details))   extraction done, comparing now (only when SymPy is needed)
    ("d", (ok, confidence, explanation, method, details))   the verdict
    ("x", "Type: message")                   `verify` would have raised this
Each pool thread owns one worker; it reads results as they come, and keeps at most `MAX_INFLIGHT` candidates
on its worker. Workers start as they are needed: one with the first candidate, one more (up to
`pool_workers()`) whenever a candidate has waited `SCALE_WAIT_S` for one, or a worker is held up (a slow
comparison, a restart); one worker answers a few thousand candidates a second, and every worker that starts costs a
SymPy import and warm-up. The pipes carry trusted data only: our own process talking to its own children.

Within a worker, comparisons are memoised by all of their inputs (extracted answer, gold, question hints,
question; `compare_answers` reads nothing else and is deterministic), bounded to `MEMO_SIZE` entries: best-of-N
candidates often agree on their answer, and that answer is compared once.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import math
import os
import pickle
import select
import signal
import struct
import threading
import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from verifiers.base import VerificationResult
from verifiers.math.timeout_pool import _ORPHAN_GRACE_S, WorkerError, _Worker, worker_setup

OnDone = Callable[[VerificationResult | BaseException], None]
log = logging.getLogger(__name__)

MAX_BATCH = 16  # candidates per message
MAX_INFLIGHT = 32  # candidates handed to one worker and not answered yet
REFILL_BELOW = 16  # a worker gets more once it holds this few
MAX_BATCH_CHARS = 1 << 20  # text per message (at least one candidate)
SLOW_S = 0.5  # a comparison running this long releases the candidates queued behind it
SCALE_WAIT_S = 0.5  # a candidate waiting this long for a worker starts one more (up to pool_workers())
READ_TICK_S = 0.003  # a pool thread reads its worker's answers at most this often while it has work out
MEMO_SIZE = 4096
MEMO_MAX_CHARS = 512  # longer answers are not memoised; a longer question is keyed by its digest
_READ = 1 << 16
_HEADER = struct.Struct("!i")  # multiprocessing.Connection's frame header
_PRELOAD = ("verifiers.math.verifier:_warm_worker",)
_CONTEXT_KEYS = ("refusal_checked", "final_answer", "question")  # all that MathVerifier.verify reads


class _Item:
    __slots__ = ("response", "ground_truth", "context", "on_done", "done", "since")

    def __init__(self, response: str, ground_truth: str | None, context: dict[str, Any], on_done: OnDone) -> None:
        self.since = time.monotonic()
        self.response = response
        self.ground_truth = ground_truth
        self.context = context
        self.on_done = on_done
        self.done = False


class _Entry:
    """An item handed to one worker: `step` once the worker said it is comparing (at `comparing_at`)."""

    __slots__ = ("item", "step", "comparing_at", "released")

    def __init__(self, item: _Item) -> None:
        self.item = item
        self.step: tuple[Any, ...] | None = None
        self.comparing_at = 0.0
        self.released = False  # handed to the queue again: another worker may answer it first


class BatchPool:
    """Worker processes verifying math candidates in batches; `submit` never blocks."""

    def __init__(self, timeout: float, calibrate: bool = True, workers: int | None = None,
                 memory_limit_mb: int | None = 4096, startup_timeout: float = 120.0) -> None:
        from verifiers.math.verifier import MathVerifier, pool_workers

        self.timeout = timeout
        self.calibrate = calibrate
        # Answers what the workers cannot (a timeout, a crash) exactly as `verify` would.
        self.verifier = MathVerifier(timeout=timeout, calibrate=calibrate)
        self.workers = max(1, workers or pool_workers())
        self.memory_limit_mb = memory_limit_mb
        self.startup_timeout = startup_timeout
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._queue: deque[_Item] = deque()
        self._waiting = 0  # pool threads waiting for work
        self._closed = False
        self._drivers: list[_Driver] = []
        self._last_up = 0.0  # when a worker last came up
        _live_pools.add(self)

    # ---- the caller's side ------------------------------------------------------------------------------
    def submit(self, response: str, ground_truth: str | None, context: dict[str, Any], on_done: OnDone) -> None:
        """Queue one candidate; `on_done` gets its verdict (or the exception `verify` raises) from a pool
        thread."""
        if self._pid != os.getpid():
            raise WorkerError("a batch pool cannot cross a fork")
        # What MathVerifier.verify reads of the context, and nothing else crosses the pipe.
        ctx = {}
        for k in _CONTEXT_KEYS:
            v = context.get(k)
            if v is not None:
                ctx[k] = v
        item = _Item(response, ground_truth, ctx, on_done)
        with self._cond:
            closed = self._closed
            if not closed:
                self._queue.append(item)
                # The oldest has waited too long since the last worker came up (the queue that builds while
                # a worker starts is no reason: it drains in a moment).
                behind = item.since - max(self._queue[0].since, self._last_up) > SCALE_WAIT_S
                if not self._drivers or (behind and len(self._drivers) < self.workers
                                         and all(d.up for d in self._drivers)):
                    self._add_driver()
                elif self._waiting:
                    self._cond.notify()
        if closed:
            self._fallback(item, "pool is closed")

    def start(self, workers: int = 1) -> None:
        """Start up to `workers` workers now, in the background (the first candidate would start one)."""
        if self._pid == os.getpid():
            with self._cond:
                while len(self._drivers) < min(workers, self.workers) and not self._closed:
                    self._add_driver()

    @property
    def ready(self) -> int:
        """Workers up and taking candidates."""
        return sum(d.worker is not None and d.up for d in list(self._drivers))

    def _add_driver(self) -> None:
        """One more worker (called under _cond): the first on the first candidate, the others when the queue
        outgrows the ones running, or when one of them is held up (a slow comparison, a restart)."""
        if self._closed or len(self._drivers) >= self.workers:
            return
        d = _Driver(self, len(self._drivers))
        self._drivers.append(d)
        d.start()

    def _scale_up(self) -> None:
        with self._cond:
            self._add_driver()

    def verify_many(self, items: list[tuple[str, str | None, dict[str, Any]]]) -> list[VerificationResult]:
        """Blocking convenience: the verdicts of (response, ground_truth, context) items, in order."""
        results: list[Any] = [None] * len(items)
        left = threading.Semaphore(0)

        def done_at(i: int) -> OnDone:
            def on_done(value: VerificationResult | BaseException) -> None:
                results[i] = value
                left.release()
            return on_done

        for i, (response, gold, ctx) in enumerate(items):
            self.submit(response, gold, ctx, done_at(i))
        for _ in items:
            left.acquire()
        for r in results:
            if isinstance(r, BaseException):
                raise r
        return results

    def close(self) -> None:
        if self._pid != os.getpid():
            return
        with self._cond:
            self._closed = True
            left = list(self._queue)
            self._queue.clear()
            drivers = list(self._drivers)
            self._cond.notify_all()
        for d in drivers:
            d.stop_process()  # its thread sees the pipe close and answers what it held
        for item in left:
            self._fallback(item, "pool is closed")

    # ---- pool threads ------------------------------------------------------------------------------------
    def _take(self, space: int, wait: bool) -> list[_Item]:
        """Up to `space` queued items (a fair share when several workers are free); blocks for the first
        one when `wait`. [] when closed."""
        with self._cond:
            while wait and not self._queue and not self._closed:
                self._waiting += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiting -= 1
            if self._closed or not self._queue:
                return []
            share = max(1, math.ceil(len(self._queue) / max(1, self._waiting + 1)))
            items: list[_Item] = []
            chars = 0
            while self._queue and len(items) < min(space, share, MAX_BATCH) and chars < MAX_BATCH_CHARS:
                item = self._queue.popleft()
                if item.done:  # answered by another worker meanwhile
                    continue
                chars += len(item.response or "") + len(item.context.get("question") or "")
                items.append(item)
            return items

    def _requeue(self, items: list[_Item]) -> None:
        """Back to the front of the queue, in order, for whichever worker is free first."""
        with self._cond:
            self._queue.extendleft(reversed([i for i in items if not i.done]))
            self._cond.notify(len(items))

    def _answer(self, item: _Item, value: VerificationResult | BaseException) -> None:
        with self._cond:
            if item.done:
                return
            item.done = True
        try:
            item.on_done(value)
        except Exception:  # the caller's callback failing must not take a pool thread down with it
            log.exception("a math verification callback failed")

    def _fallback(self, item: _Item, why: str) -> None:
        """No worker to be had: answer the way `verify` does when its pool fails (extraction here, the
        comparison's failure as its verdict)."""
        from verifiers.math.verifier import Comparison

        try:
            step = self.verifier.prepare(item.response, item.ground_truth, **item.context)
            if isinstance(step, Comparison):
                out = _string_or_none(step)
                if out is None:
                    out = {"ok": False, "confidence": 0.1, "method": "math_error", "reason": "worker_error",
                           "error": why}
                step = self.verifier.finish(step, out)
            value: VerificationResult | BaseException = step
        except Exception as exc:  # noqa: BLE001 - handed to the caller, as verify would raise it
            value = exc
        self._answer(item, value)


def _string_or_none(step: Any) -> dict[str, Any] | None:
    from verifiers.math.verifier import string_match

    return string_match(step.answer, step.gold)


class _Driver(threading.Thread):
    """One pool thread: owns one worker process, feeds it batches and reads its answers."""

    def __init__(self, pool: BatchPool, index: int) -> None:
        super().__init__(name=f"bestofn-math-batch-{index}", daemon=True)
        self.pool = pool
        self.worker: _Worker | None = None
        self.inflight: deque[_Entry] = deque()
        self.head_since = 0.0  # when the worker started on inflight[0]
        self.released_head: _Entry | None = None
        self.inbuf = bytearray()
        self.outbuf = bytearray()
        self._lock = threading.Lock()
        self.up = False  # its worker has started once (a queue building up before that is no reason to scale)

    # ---- the worker process -----------------------------------------------------------------------------
    def _start_worker(self) -> str | None:
        """None when a worker is up; else why not."""
        pool = self.pool
        try:
            w = _Worker(_PRELOAD, pool.memory_limit_mb, entry="verifiers.math.batch:_batch_worker_main",
                        args=(repr(pool.timeout), "1" if pool.calibrate else "0"))
        except OSError as exc:
            return f"worker failed to start ({exc})"
        with self._lock:
            self.worker = w
        if pool._closed:
            self.kill_worker()
            return "pool is closed"
        try:
            w.wait_ready(pool.startup_timeout)
        except WorkerError as exc:
            self.kill_worker()
            return str(exc)
        os.set_blocking(w.tx.fileno(), False)
        self.up = True
        pool._last_up = time.monotonic()
        return None

    def stop_process(self) -> None:
        """From another thread: end the worker process only (the pipes are this thread's to close)."""
        with self._lock:
            w = self.worker
        if w is not None and w.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                w.proc.kill()

    def kill_worker(self) -> int | None:
        with self._lock:
            w, self.worker = self.worker, None
        if w is None:
            return None
        w.kill()
        return w.proc.poll()

    # ---- the loop ---------------------------------------------------------------------------------------
    def run(self) -> None:
        pool = self.pool
        try:
            while not pool._closed:
                if self.worker is None:
                    why = self._start_worker()
                    if why is not None:
                        # As `verify` fares when its pool cannot start a worker: the comparison fails, with why.
                        for item in pool._take(MAX_BATCH, wait=True):
                            pool._fallback(item, why)
                        continue
                self._fill()
                if self.inflight or self.outbuf:
                    self._pump()
        except BaseException as exc:  # noqa: BLE001 - a bug here must not strand the callers
            self._abandon(f"{type(exc).__name__}: {exc}")
            with pool._cond:  # another thread takes this one's place
                if self in pool._drivers:
                    pool._drivers.remove(self)
                pool._add_driver()
            raise
        finally:
            self._abandon("pool is closed")
            self.kill_worker()

    def _abandon(self, why: str) -> None:
        for e in self.inflight:
            if not e.item.done:
                self.pool._fallback(e.item, why)
        self.inflight.clear()

    def _fill(self) -> None:
        if len(self.inflight) > REFILL_BELOW:
            return
        if self.inflight and time.monotonic() - self.head_since > SLOW_S:
            return  # nothing more behind a slow comparison
        items = self.pool._take(MAX_INFLIGHT - len(self.inflight), wait=not self.inflight and not self.outbuf)
        if not items:
            return
        payload = pickle.dumps([(i.response, i.ground_truth, i.context) for i in items], pickle.HIGHEST_PROTOCOL)
        if len(payload) > 0x7FFFFFFF:  # pragma: no cover - MAX_BATCH_CHARS keeps messages far below
            raise ValueError("batch too large")
        if not self.inflight:
            self.head_since = time.monotonic()
        self.outbuf += _HEADER.pack(len(payload))
        self.outbuf += payload
        self.inflight.extend(_Entry(i) for i in items)

    def _deadline(self) -> float:
        head = self.inflight[0]
        if head.step is not None:
            return head.comparing_at + self.pool.timeout
        return self.head_since + self.pool.timeout

    def _pump(self) -> None:
        """Write what is pending, read what the worker answered, and enforce the time bounds."""
        w = self.worker
        assert w is not None
        now = time.monotonic()
        wake = now + 1.0
        if self.inflight:
            wake = min(wake, self._deadline())
            if self.released_head is not self.inflight[0] and len(self.inflight) > 1:
                wake = min(wake, self.head_since + SLOW_S)
        try:
            readable, writable, _ = select.select([w.rx.fileno()], [w.tx.fileno()] if self.outbuf else [], [],
                                                  max(0.0, wake - now))
        except (OSError, ValueError):  # closed under us (pool.close)
            self._lost("pool is closed")
            return
        if writable:
            try:
                sent = os.write(w.tx.fileno(), self.outbuf)
            except BlockingIOError:
                sent = 0
            except OSError:
                self._lost(None)
                return
            del self.outbuf[:sent]
        if readable:
            try:
                data = os.read(w.rx.fileno(), _READ)
            except OSError:
                data = b""
            if not data:
                self._lost(None)
                return
            self.inbuf += data
            if not self._frames():
                self._lost(None)
                return
            if self.inflight and len(data) < _READ:
                # Let answers gather: one wake-up of this thread (and one of the caller's loop) per few
                # milliseconds of answers, not one per frame. Each thread handoff costs the caller's
                # interpreter more than the frames themselves.
                time.sleep(READ_TICK_S)
        if not self.inflight:
            return
        now = time.monotonic()
        if now >= self._deadline():
            self._timed_out()
        elif now - self.head_since >= SLOW_S and self.released_head is not self.inflight[0]:
            self._release_behind_head()

    def _frames(self) -> bool:
        """Handle every whole frame read so far; False on a frame that makes no sense (worker is broken)."""
        buf = self.inbuf
        pos = 0
        answered: list[tuple[_Item, VerificationResult | BaseException]] = []
        ok = True
        while len(buf) - pos >= 4:
            (size,) = _HEADER.unpack_from(buf, pos)
            if size < 0 or len(buf) - pos - 4 < size:
                if size < 0:
                    ok = False
                break
            body = bytes(buf[pos + 4:pos + 4 + size])
            pos += 4 + size
            if not self.inflight:
                ok = False
                break
            try:
                kind, payload = pickle.loads(body)
            except Exception:  # noqa: BLE001
                ok = False
                break
            head = self.inflight[0]
            if kind == "p":
                head.step = payload
                head.comparing_at = time.monotonic()
                continue
            if kind == "d":
                value: VerificationResult | BaseException = VerificationResult(*payload)
            elif kind == "x":
                value = WorkerError(payload)
            else:
                ok = False
                break
            self.inflight.popleft()
            self.head_since = time.monotonic()
            answered.append((head.item, value))
        del buf[:pos]
        for item, value in answered:
            self.pool._answer(item, value)
        return ok

    def _finish_head(self, out: dict[str, Any]) -> None:
        """The head's verdict from a comparison that did not answer (timeout, crash): `verify`'s."""
        from verifiers.math.verifier import Comparison

        head = self.inflight.popleft()
        pool = self.pool
        if head.item.done:
            return
        if head.step is not None:
            answer, gold, source, details = head.step
            pool._answer(head.item, pool.verifier.finish(Comparison(answer, gold, source, details), out))
            return
        # Still extracting: no extraction to report.
        gold = head.item.ground_truth
        details = {"gold": _clip(None if gold is None else str(gold)), "reason": out["reason"]}
        if out["reason"] == "timeout":
            value = VerificationResult(False, 0.1, f"timed out after {pool.timeout:g}s", "math_timeout", details)
        else:
            value = VerificationResult(False, 0.1, f"comparison failed: {out['error']}", "math_error", details)
        pool._answer(head.item, value)

    def _timed_out(self) -> None:
        self.pool._scale_up()  # others go on while this worker is replaced
        self.kill_worker()
        self._finish_head({"ok": False, "confidence": 0.1, "method": "math_timeout", "reason": "timeout"})
        self._requeue_rest()

    def _lost(self, why: str | None) -> None:
        """The worker died (or the pool closed): the candidate it was on gets `verify`'s worker error."""
        code = self.kill_worker()
        if self.pool._closed:
            return
        self.pool._scale_up()
        if self.inflight:
            error = why or f"worker died (exit code {code})"
            self._finish_head({"ok": False, "confidence": 0.1, "method": "math_error", "reason": "worker_error",
                               "error": error})
        self._requeue_rest()

    def _requeue_rest(self) -> None:
        rest = [e.item for e in self.inflight if not e.released and not e.item.done]
        self.inflight.clear()
        self.inbuf.clear()
        self.outbuf.clear()
        self.released_head = None
        self.pool._requeue(rest)

    def _release_behind_head(self) -> None:
        """A slow comparison at the head: the candidates behind it go to whichever worker is free (their
        answers from this worker, if it gets to them first, are as good)."""
        self.released_head = self.inflight[0]
        self.pool._scale_up()
        behind = [e for e in list(self.inflight)[1:] if not e.released and not e.item.done]
        for e in behind:
            e.released = True
        self.pool._requeue([e.item for e in behind])


def _clip(text: str | None) -> str | None:
    from verifiers.math.verifier import _clip as clip

    return clip(text)


# ---- shared pools ---------------------------------------------------------------------------------------

_pools: dict[tuple[int, float, bool], BatchPool] = {}
_pools_lock = threading.Lock()
_live_pools: weakref.WeakSet[BatchPool] = weakref.WeakSet()


def shared_batch_pool(timeout: float, calibrate: bool = True) -> BatchPool:
    """The per-process batch pool for these options."""
    key = (os.getpid(), float(timeout), bool(calibrate))
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = BatchPool(timeout, calibrate)
    return pool


def _forget_inherited() -> None:
    # A forked child must not hold the parent's pipe ends, nor think it has its threads.
    for pool in list(_live_pools):
        for d in pool._drivers:
            w = d.worker
            if w is not None:
                for conn in (w.tx, w.rx):
                    with contextlib.suppress(OSError):
                        conn.close()
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


@atexit.register
def _close_all() -> None:
    for pool in list(_live_pools):
        pool.close()


# ---- the worker process -----------------------------------------------------------------------------------


def _batch_worker_main(argv: list[str]) -> None:
    """Entry point of a batch worker: argv = [memory_limit_mb, timeout, calibrate (1/0), *preload]."""
    from verifiers.math.compare import compare_answers
    from verifiers.math.verifier import MathVerifier, string_match

    timeout = float(argv[1])
    rx, tx = worker_setup(int(argv[0]), argv[3:])
    verifier = MathVerifier(timeout=timeout, inline=True, calibrate=argv[2] == "1")
    memo: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()

    def send(frame: tuple[str, Any]) -> None:  # Connection.send's framing, without its pickler per call
        tx.send_bytes(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL))

    alarm_s = int(timeout) + _ORPHAN_GRACE_S  # only matters if the parent is gone

    def compare(answer: str, gold: str, hints: dict[str, bool], question: str | None) -> dict[str, Any]:
        key = None
        if len(answer) + len(gold) <= MEMO_MAX_CHARS:  # the memo's size stays bounded
            q: Any = question
            if question is not None and len(question) > MEMO_MAX_CHARS:
                q = hashlib.blake2b(question.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            key = (answer, gold, tuple(sorted(hints.items())), q)
            out = memo.get(key)
            if out is not None:
                memo.move_to_end(key)
                return out
        try:
            out = compare_answers(answer, gold, hints, question)
        except BaseException as exc:  # noqa: BLE001 - as the timeout pool reports a failed task
            return {"ok": False, "confidence": 0.1, "method": "math_error", "reason": "worker_error",
                    "error": f"{type(exc).__name__}: {exc}"}
        if key is not None:
            memo[key] = out
            if len(memo) > MEMO_SIZE:
                memo.popitem(last=False)
        return out

    while True:
        try:
            batch = pickle.loads(rx.recv_bytes())
        except (EOFError, OSError):
            return
        for response, gold, context in batch:
            signal.alarm(alarm_s)
            try:
                step = verifier.prepare(response, gold, **context)
                if not isinstance(step, VerificationResult):
                    out = string_match(step.answer, step.gold)
                    if out is None:
                        send(("p", (step.answer, step.gold, step.source, step.details)))
                        out = compare(step.answer, step.gold, step.hints, step.question)
                    step = verifier.finish(step, out)
                frame: tuple[str, Any] = ("d", (step.is_verified, step.confidence, step.explanation, step.method,
                                                step.details))
            except Exception as exc:  # noqa: BLE001 - what verify would raise, for the caller
                frame = ("x", f"{type(exc).__name__}: {exc}")
            finally:
                signal.alarm(0)
            try:
                send(frame)
            except (BrokenPipeError, OSError):
                return
