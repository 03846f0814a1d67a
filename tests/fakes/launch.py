"""Start a fake server in a subprocess and drive its `/_control` API.

    with start_fake("openai", {"rules": [...]}, latency_s=0.2) as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="sk-test")
        ...
        assert fake.requests()[-1]["body"]["n"] == 8

A subprocess (not a thread) keeps the fake's event loop and GIL away from the code under test,
which matters for benchmarks.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

Kind = Literal["openai", "anthropic"]
REPO_ROOT = Path(__file__).resolve().parents[2]
_LIVE: weakref.WeakSet[FakeServer] = weakref.WeakSet()


class FakeServer:
    """A running fake; use as a context manager or call `stop()`."""

    def __init__(self, kind: Kind, proc: subprocess.Popen[bytes], port: int) -> None:
        self.kind = kind
        self.proc = proc
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # Each SDK's own convention: OpenAI clients include /v1, Anthropic clients add it themselves.
        self.base_url = f"{self.url}/v1" if kind == "openai" else self.url
        self._http = httpx.Client(base_url=self.url, timeout=10.0)

    def configure(self, config: dict[str, Any]) -> None:
        """Replace the whole config (rules, failures, ...); rule counters restart."""
        self._post("/_control/config", config)

    def update(self, patch: dict[str, Any]) -> None:
        """Merge top-level keys into the current config (e.g. just `latency_s`)."""
        self._post("/_control/update", patch)

    def config(self) -> dict[str, Any]:
        """The current config, with what is left of the failure queue."""
        return self._get("/_control/config")

    def requests(self) -> list[dict[str, Any]]:
        """The last `log_size` requests, oldest first: {method, path, headers, body, time}."""
        return self._get("/_control/requests")["requests"]

    def request_count(self) -> int:
        """Requests received since start or the last reset (not bounded by the log size)."""
        return self._get("/_control/requests")["count"]

    def rate_limit_stats(self) -> dict[str, Any] | None:
        """With `rate_limits` configured: {admitted, rejected, charged: {bucket: tokens}, limits, capacity}."""
        return self._get("/_control/requests")["rate_limits"]

    def batch_stats(self) -> dict[str, int]:
        """What the batch APIs were given since start or the last reset: {batches, items, cancels, files}
        (items: requests in created batches; cancels: accepted cancel calls; files: uploads)."""
        return self._get("/_control/requests")["batches"]

    def reset(self) -> None:
        """Back to the startup config; clears log, counters and the prompt cache."""
        self._post("/_control/reset", {})

    def stop(self, grace_s: float = 3.0) -> None:
        self._http.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        _LIVE.discard(self)

    def _post(self, path: str, payload: dict[str, Any]) -> None:
        resp = self._http.post(path, json=payload)
        if resp.status_code != 200:
            raise ValueError(f"{path} rejected: {resp.text}")

    def _get(self, path: str) -> Any:
        resp = self._http.get(path)
        resp.raise_for_status()
        return resp.json()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"FakeServer({self.kind!r}, port={self.port})"


def start_fake(kind: Kind, config: dict[str, Any] | None = None, latency_s: float = 0.0,
               timeout_s: float = 20.0) -> FakeServer:
    """Start `python -m tests.fakes.<kind>_server --port 0` and wait for its LISTENING line.

    `config` becomes the startup config, which `reset()` returns to.
    """
    if kind not in ("openai", "anthropic"):
        raise ValueError(f"unknown fake kind {kind!r}")
    cfg = dict(config or {})
    if latency_s:
        cfg["latency_s"] = latency_s
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(cfg, fh)
        cfg_path = fh.name
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", f"tests.fakes.{kind}_server", "--port", "0", "--config", cfg_path,
         "--exit-on-stdin-eof"],
        cwd=REPO_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    try:
        port = _wait_listening(proc, timeout_s)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        os.unlink(cfg_path)
    server = FakeServer(kind, proc, port)
    _LIVE.add(server)
    return server


def _wait_listening(proc: subprocess.Popen[bytes], timeout_s: float) -> int:
    """Read stdout on a thread (readline has no timeout) and keep draining it afterwards,
    so a chatty server can never block on a full pipe."""
    lines: queue.Queue[bytes] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for line in iter(stdout.readline, b""):
            lines.put(line)
        lines.put(b"")

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError(f"fake server gave no LISTENING line within {timeout_s}s") from None
        if not line:
            raise RuntimeError(f"fake server exited early with code {proc.wait()}")
        if line.startswith(b"LISTENING "):
            return int(line.split()[1])


def fixture_factory(kind: Kind, config: dict[str, Any] | None = None, latency_s: float = 0.0,
                    ) -> Callable[[], Iterator[FakeServer]]:
    """A generator function to wrap with `pytest.fixture(scope=...)`: starts one fake, yields it,
    stops it. Tests sharing it should call `fake.reset()` (or `configure`) before use."""

    def fixture() -> Iterator[FakeServer]:
        with start_fake(kind, config, latency_s) as fake:
            yield fake

    return fixture


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop(grace_s=1.0)
