"""Start `local_server.py` with the embedded model when a local run has no --base-url."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from common.config import PROJECT_ROOT
from common.errors import RunFailure

SERVER_SCRIPT = PROJECT_ROOT / "local_server.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def local_server(model: str | None, startup_timeout_s: float = 300.0) -> Iterator[str]:
    """Yield the server's OpenAI base URL; the server is stopped on exit, whatever happens."""
    port = free_port()
    cmd = [sys.executable, str(SERVER_SCRIPT), "--port", str(port)]
    if model and Path(model).expanduser().exists():
        cmd += ["--model", str(Path(model).expanduser())]
    log_file = Path(tempfile.mkstemp(prefix="bestofn-local-server-", suffix=".log")[1])
    with open(log_file, "wb") as log:
        # Own process group, so a Ctrl-C in the terminal reaches us first and we stop it cleanly.
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            if proc.poll() is not None:
                raise RunFailure(
                    f"local_server.py exited with code {proc.returncode} before it was ready:\n{_tail(log_file)}"
                )
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RunFailure(f"local_server.py was not ready within {startup_timeout_s:.0f} s (log: {log_file}).")
            time.sleep(0.25)
        yield f"{url}/v1"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log_file.unlink(missing_ok=True)
