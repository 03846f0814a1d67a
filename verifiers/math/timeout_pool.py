"""A small process pool whose tasks have a hard wall-clock budget.

`concurrent.futures.ProcessPoolExecutor` cannot stop one runaway task, and `signal.alarm` only
works in the main thread. Here each worker is a plain `python` subprocess speaking pickled
frames over its stdin/stdout pipes; when a task overruns, that worker is SIGKILLed and a
replacement is started in the background. Subprocesses (rather than `multiprocessing`) keep
this safe to use from any thread, from inside an event loop, from daemonic pool workers, and
without re-importing the caller's `__main__`.

Only module-level functions (picklable by reference) can be submitted, and their arguments
and results must be picklable. The pipes carry trusted data only: our own process talking to
its own children.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

_REPO_ROOT = str(Path(__file__).resolve().parents[2])
# If the parent dies mid-task the child would otherwise run its runaway task forever.
_ORPHAN_GRACE_S = 30


class TaskTimeout(TimeoutError):
    """The task overran its budget; its worker was killed."""


class WorkerError(RuntimeError):
    """The task raised inside the worker, or the worker died or could not start."""


class _Worker:
    """`entry` ("module:function") is the worker's main loop, called with [memory_limit_mb, *args]."""

    def __init__(self, preload: Sequence[str], memory_limit_mb: int | None,
                 entry: str = "verifiers.math.timeout_pool:_worker_main", args: Sequence[str] = ()) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_REPO_ROOT, env.get("PYTHONPATH", "")) if p)
        module, _, func = entry.partition(":")
        cmd = [
            sys.executable,
            "-c",
            f"import sys; from {module} import {func}; {func}(sys.argv[1:])",
            str(memory_limit_mb or 0),
            *args,
            *preload,
        ]
        # A session of its own keeps a terminal Ctrl-C from spraying tracebacks out of every worker;
        # the workers still exit on their own when our end of the pipe closes.
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.tx = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.rx = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            if not self.rx.poll(timeout):
                raise WorkerError(f"worker did not start within {timeout:.0f}s")
            msg = self.rx.recv()
        except (EOFError, OSError) as exc:
            raise WorkerError(f"worker failed to start (exit code {self.proc.poll()})") from exc
        if msg != ("ready",):
            raise WorkerError(f"worker failed to start: {msg!r}")
        self.ready = True

    def kill(self) -> None:
        for conn in (self.tx, self.rx):
            with contextlib.suppress(OSError):
                conn.close()
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


class TimeoutPool:
    """Run `fn(*args)` in a worker process, killing the worker if it exceeds `timeout` seconds.

    Workers are started lazily, up to `max_workers`, so a serial caller only ever pays for one.
    `preload` entries ("module" or "module:function") are imported/called once per worker before
    it reports ready, so worker start-up time is never charged to a task's budget.
    """

    def __init__(
        self,
        max_workers: int = 2,
        preload: Sequence[str] = (),
        memory_limit_mb: int | None = 4096,
        startup_timeout: float = 120.0,
    ) -> None:
        self.max_workers = max(1, max_workers)
        self.preload = tuple(preload)
        self.memory_limit_mb = memory_limit_mb
        self.startup_timeout = startup_timeout
        self._closed = False
        self._reset()
        _live_pools.add(self)

    def _reset(self) -> None:
        # Also used after a fork: the child must not share the parent's workers or locks.
        self._pid = os.getpid()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()

    def _check_fork(self) -> None:
        if self._pid != os.getpid():
            self._reset()

    def warm(self, n: int = 1) -> None:
        """Start up to `n` workers now and wait until they are ready."""
        self._check_fork()
        with self._cond:
            while len(self._all) < min(n, self.max_workers):
                self._spawn_locked()
            workers = list(self._idle)
        for w in workers:
            w.wait_ready(self.startup_timeout)

    def _spawn_locked(self) -> _Worker:
        w = _Worker(self.preload, self.memory_limit_mb)
        self._all.add(w)
        self._idle.append(w)
        self._cond.notify()
        return w

    def _acquire(self) -> _Worker:
        with self._cond:
            if self._closed:
                raise WorkerError("pool is closed")
            while not self._idle:
                if len(self._all) < self.max_workers:
                    self._spawn_locked()
                else:
                    self._cond.wait()
                if self._closed:
                    raise WorkerError("pool is closed")
            # Prefer a worker that is already up over one still importing.
            ready = [w for w in self._idle if w.ready]
            w = ready[-1] if ready else self._idle[-1]
            self._idle.remove(w)
        try:
            w.wait_ready(self.startup_timeout)
        except WorkerError:
            self._discard(w, replace=False)
            raise
        return w

    def _release(self, w: _Worker) -> None:
        with self._cond:
            if self._closed or w not in self._all:
                w.kill()
                return
            self._idle.append(w)
            self._cond.notify()

    def _discard(self, w: _Worker, replace: bool) -> None:
        w.kill()
        with self._cond:
            self._all.discard(w)
            if replace and not self._closed:
                # Start the replacement now so its import time overlaps with the caller's work.
                self._spawn_locked()
            self._cond.notify()

    def run(self, fn: Callable[..., Any], *args: Any, timeout: float, **kwargs: Any) -> Any:
        """Return `fn(*args, **kwargs)` computed in a worker; raise TaskTimeout or WorkerError."""
        self._check_fork()
        w = self._acquire()
        finished = healthy = False
        try:
            # The worker's own alarm only matters if we are gone; we normally kill it much sooner.
            w.tx.send((fn, args, kwargs, int(timeout) + _ORPHAN_GRACE_S))
            finished = w.rx.poll(timeout)
            if finished:
                status, payload = w.rx.recv()
                healthy = True
        except (EOFError, OSError) as exc:
            raise WorkerError(f"worker died (exit code {w.proc.poll()})") from exc
        finally:
            if healthy:
                self._release(w)
            else:
                self._discard(w, replace=True)
        if not finished:
            raise TaskTimeout(f"task exceeded {timeout:g}s")
        if status == "ok":
            return payload
        raise WorkerError(payload)

    def close(self) -> None:
        if self._pid != os.getpid():
            return
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:
            w.kill()


_live_pools: weakref.WeakSet[TimeoutPool] = weakref.WeakSet()


def _forget_inherited_workers() -> None:
    # A forked child must not hold the parent's pipe ends: the parent's workers would never see EOF.
    for pool in list(_live_pools):
        for w in list(pool._all):
            for conn in (w.tx, w.rx):
                with contextlib.suppress(OSError):
                    conn.close()
        pool._reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_workers)


@atexit.register
def _close_all() -> None:
    for pool in list(_live_pools):
        pool.close()


def _limit_memory(limit_mb: int) -> None:
    try:
        import resource

        limit = limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # best effort: the wall-clock kill still bounds the task


def _worker_main(argv: list[str]) -> None:
    """Entry point of a worker subprocess: argv = [memory_limit_mb, *preload_modules]."""
    rx, tx = worker_setup(int(argv[0]), argv[1:])
    while True:
        try:
            raw = rx.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            fn, args, kwargs, alarm_s = pickle.loads(raw)
        except Exception as exc:  # noqa: BLE001 - report, don't die
            tx.send(("err", f"could not unpickle task: {type(exc).__name__}: {exc}"))
            continue
        signal.alarm(alarm_s)
        try:
            result: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - any failure is the task's result
            result = ("err", f"{type(exc).__name__}: {exc}")
        finally:
            signal.alarm(0)
        try:
            tx.send(result)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            tx.send(("err", f"unpicklable result: {exc}"))
        except (BrokenPipeError, OSError):
            return


def worker_setup(memory_limit_mb: int, preload: Sequence[str]) -> tuple[Connection, Connection]:
    """A worker subprocess's start: claim stdin/stdout as the channel, run the preloads, cap memory and say
    ready. Returns (rx, tx)."""
    import importlib

    # Claim stdin/stdout for the channel and point stray prints at stderr so they can't corrupt frames.
    rx = Connection(os.dup(0), writable=False)
    tx = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for entry in preload:
        # "pkg.mod" imports a module; "pkg.mod:func" also calls func() (warm caches, build registries).
        module, _, func = entry.partition(":")
        loaded = importlib.import_module(module)
        if func:
            getattr(loaded, func)()
    if memory_limit_mb > 0:
        _limit_memory(memory_limit_mb)
    tx.send(("ready",))
    return rx, tx
