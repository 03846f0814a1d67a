"""Docker backend: a lazily started pool of warm, locked-down containers, each running the runner.

Each container's PID 1 is verifiers/sandbox/scripts/runner.py in serve mode, reading jobs from its
attached stdin; it forks a fresh, rlimited child per run in a fresh work dir, so a job costs one
fork/exec instead of a `docker run` (~0.4 s) or `docker exec` (~0.1 s). A container is recycled after
`max_runs` jobs or at once after any fault (timeout, memory, output flood, protocol error).

Cleanup: every container has --rm and stdin-once, so when this process dies for any reason its
attach socket closes, the runner sees EOF, exits, and dockerd removes the container. close() (also
run by atexit, so on Ctrl-C too) removes them eagerly, and a new pool removes labelled leftovers
whose owning process is gone.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import struct
import threading
import time
from typing import Any

from verifiers.sandbox.base import (
    SCRIPTS_DIR,
    SCRIPTS_MOUNT,
    WORK_MOUNT,
    Job,
    JobResult,
    Limits,
    SandboxError,
    default_image,
    default_pool_size,
    parse_result,
)

log = logging.getLogger(__name__)

LABEL = "bestofn.sandbox"
SANDBOX_USER = "10001:10001"
_GRACE_S = 10.0  # the runner enforces every run's timeout; this only catches a runner that hangs
_MAX_FRAME = 64 << 20


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Container:
    """One warm container and its attach socket; used by one job at a time."""

    def __init__(self, api: Any, image: str, limits: Limits, labels: dict[str, str]) -> None:
        import docker

        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={
                WORK_MOUNT: f"rw,nosuid,nodev,noexec,size={limits.tmpfs_mb}m,uid=10001,gid=10001,mode=0700",
            },
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            pids_limit=limits.pids,
            nano_cpus=int(limits.cpus * 1e9),
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            binds={str(SCRIPTS_DIR): {"bind": SCRIPTS_MOUNT, "mode": "ro"}},
            auto_remove=True,
            log_config=docker.types.LogConfig(type="none"),
            ulimits=[docker.types.Ulimit(name="core", soft=0, hard=0)],
            ipc_mode="private",
        )
        self.api = api
        # detach=False is what makes the SDK set StdinOnce: stdin closes when our socket does.
        self.id = api.create_container(
            image,
            command=["/usr/bin/python3", "-I", f"{SCRIPTS_MOUNT}/runner.py", "--serve"],
            user=SANDBOX_USER,
            environment=[],
            labels=labels,
            stdin_open=True,
            detach=False,
            network_disabled=True,
            hostname="sandbox",
            working_dir=WORK_MOUNT,
            host_config=host_config,
        )["Id"]
        self.runs = 0
        try:
            attached = api.attach_socket(self.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            self.sock: socket.socket = getattr(attached, "_sock", attached)
            self._attached = attached  # keeps the HTTP response (and so the socket) alive
            api.start(self.id)
        except Exception:
            self.remove()
            raise
        self._buf = b""
        self.stderr = b""

    def _read_stdout(self, n: int) -> bytes:
        """n bytes of the container's stdout, de-multiplexing Docker's 8-byte frame headers."""
        while len(self._buf) < n:
            header = self._recv(8)
            kind, size = header[0], struct.unpack(">I", header[4:])[0]
            payload = self._recv(size)
            if kind == 1:
                self._buf += payload
            else:
                self.stderr = (self.stderr + payload)[-4096:]
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def _recv(self, n: int) -> bytes:
        chunks, got = [], 0
        while got < n:
            chunk = self.sock.recv(min(n - got, 1 << 20))
            if not chunk:
                tail = self.stderr.decode("utf-8", "replace").strip()[-500:]
                raise SandboxError(f"container runner exited{': ' + tail if tail else ''}")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def run(self, job: Job, limits: Limits) -> JobResult:
        self.runs += 1
        started = time.monotonic()
        self.sock.settimeout(job.wall_budget_s() + _GRACE_S)
        try:
            self.sock.sendall(job.to_wire(limits))
            size = struct.unpack(">I", self._read_stdout(4))[0]
            if size > _MAX_FRAME:
                raise SandboxError(f"runner answer too large ({size} bytes)")
            body = self._read_stdout(size)
        except TimeoutError:
            raise SandboxError("runner did not answer in time") from None
        except OSError as e:
            raise SandboxError(f"lost the container: {e}") from None
        return parse_result(job, body, "docker", time.monotonic() - started)

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.sock.close()
        with contextlib.suppress(Exception):
            self.api.remove_container(self.id, force=True)


class DockerSandbox:
    """Thread-safe pool of at most `pool_size` warm containers (see verifiers/sandbox/select.py for the defaults)."""

    name = "docker"

    def __init__(
        self,
        image: str | None = None,
        pool_size: int | None = None,
        max_runs: int = 200,
        limits: Limits | None = None,
    ) -> None:
        import docker

        self.image = default_image(image)
        self.pool_size = default_pool_size(pool_size)
        self.max_runs = max_runs
        self.limits = limits or Limits()
        self._client = docker.from_env(timeout=60)
        self.api = self._client.api
        self._labels = {LABEL: "1", f"{LABEL}.pid": str(os.getpid()), f"{LABEL}.host": socket.gethostname()}
        self._idle: list[_Container] = []
        self._live: set[_Container] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._swept = False
        atexit.register(self.close)

    # ------------------------------------------------------------------ pool

    def _sweep_leftovers(self) -> None:
        """Remove containers a crashed earlier run left behind (ours by label, owner process gone)."""
        for c in self.api.containers(all=True, filters={"label": f"{LABEL}=1"}):
            labels = c.get("Labels") or {}
            pid = int(labels.get(f"{LABEL}.pid", "0") or 0)
            if labels.get(f"{LABEL}.host") == self._labels[f"{LABEL}.host"] and pid and not _pid_alive(pid):
                with contextlib.suppress(Exception):
                    self.api.remove_container(c["Id"], force=True)

    def _acquire(self) -> _Container:
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxError("sandbox pool is closed")
                if self._idle:
                    return self._idle.pop()
                if len(self._live) < self.pool_size:
                    break
                self._cond.wait()
            sweep, self._swept = not self._swept, True
            placeholder = object()
            self._live.add(placeholder)  # reserve the slot while starting outside the lock
        try:
            if sweep:
                self._sweep_leftovers()
            container = _Container(self.api, self.image, self.limits, self._labels)
        except Exception as e:
            with self._cond:
                self._live.discard(placeholder)
                self._cond.notify()
            raise SandboxError(f"cannot start a sandbox container from image {self.image!r}: {e}") from e
        with self._cond:
            self._live.discard(placeholder)
            self._live.add(container)
        return container

    def _release(self, container: _Container, reuse: bool) -> None:
        with self._cond:
            if reuse and not self._closed:
                self._idle.append(container)
            else:
                self._live.discard(container)
            self._cond.notify()
        if not reuse or self._closed:
            # Off the caller's path: removal takes a few hundred ms and the next job need not wait.
            threading.Thread(target=container.remove, daemon=True).start()

    def run(self, job: Job) -> JobResult:
        container = self._acquire()
        ok = False
        try:
            result = container.run(job, self.limits)
            ok = not any(r.faulted for r in result.runs) and container.runs < self.max_runs
            return result
        finally:
            self._release(container, reuse=ok)

    def container_ids(self) -> list[str]:
        with self._cond:
            return [c.id for c in self._live if isinstance(c, _Container)]

    def close(self) -> None:
        with self._cond:
            self._closed = True
            doomed = [c for c in self._live if isinstance(c, _Container)]
            self._live.clear()
            self._idle.clear()
            self._cond.notify_all()
        for c in doomed:
            c.remove()
