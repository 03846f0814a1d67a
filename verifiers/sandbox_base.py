"""What both sandbox backends share: the job a runner executes, its result, and picking a backend.

A job is a set of files written to a fresh work dir plus a list of command runs; the trusted runner
(verifiers/sandbox_scripts/runner.py) executes it inside the sandbox and returns one RunOutput per
run. Backends differ only in how they start that runner: a warm Docker container or bubblewrap.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

SCRIPTS_DIR = Path(__file__).resolve().parent / "sandbox_scripts"
# Where SCRIPTS_DIR is mounted read-only inside every sandbox, so harness paths are the same in both.
SCRIPTS_MOUNT = "/opt/bestofn"
WORK_MOUNT = "/work"
SANDBOX_ENV = "BESTOFN_SANDBOX"
BACKENDS = ("auto", "docker", "bwrap")


class SandboxError(RuntimeError):
    """The sandbox itself failed (could not start, lost its runner, answered garbage): never a verdict."""


class SandboxUnavailable(SandboxError):
    """No backend can run here (no Docker daemon or image, no bwrap)."""


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 512  # container / cgroup memory (swap included); RLIMIT_AS fallback for bwrap
    as_mb: int | None = None  # per-process address space; None leaves it to the cgroup
    pids: int = 64
    cpus: float = 1.0
    fsize_mb: int = 16
    nofile: int = 256
    stdout_bytes: int = 1 << 20
    stderr_bytes: int = 1 << 20
    tmpfs_mb: int = 64

    def runner_limits(self, timeout_s: float) -> dict[str, Any]:
        return {
            "as_bytes": self.as_mb * 2**20 if self.as_mb else None,
            "cpu_s": int(timeout_s) + 2,  # a backstop: the runner's wall clock fires first
            "fsize_bytes": self.fsize_mb * 2**20,
            "nofile": self.nofile,
            "stdout_bytes": self.stdout_bytes,
            "stderr_bytes": self.stderr_bytes,
        }


@dataclass(frozen=True)
class Run:
    argv: list[str]
    stdin: str = ""
    timeout_s: float = 5.0
    harness: str | None = None  # a trusted module in sandbox_scripts, run in a fork of the runner


@dataclass
class Job:
    runs: list[Run]
    files: dict[str, str] = field(default_factory=dict)
    stop_on_failure: bool = True
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def wall_budget_s(self) -> float:
        return sum(r.timeout_s for r in self.runs)

    def to_wire(self, limits: Limits) -> bytes:
        payload = {
            "id": self.id,
            "files": self.files,
            "runs": [asdict(r) for r in self.runs],
            "stop_on_failure": self.stop_on_failure,
            "limits": limits.runner_limits(max((r.timeout_s for r in self.runs), default=5.0)),
        }
        data = json.dumps(payload, ensure_ascii=False).encode()
        return struct.pack(">I", len(data)) + data


@dataclass(frozen=True)
class RunOutput:
    exit: int | None
    signal: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    output_limit: bool = False
    oom: bool = False
    wall_s: float = 0.0

    @property
    def faulted(self) -> bool:
        """The run hit a limit: the sandbox that ran it is not reused."""
        return self.timed_out or self.output_limit or self.oom


@dataclass(frozen=True)
class JobResult:
    runs: list[RunOutput]
    backend: str
    wall_s: float


def parse_result(job: Job, body: bytes, backend: str, wall_s: float) -> JobResult:
    """Decode the runner's answer; anything malformed is the sandbox's fault, not the candidate's."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise SandboxError(f"runner answered non-JSON: {e}") from None
    if data.get("error"):
        raise SandboxError(f"runner failed: {data['error']}")
    if data.get("id") != job.id:
        raise SandboxError("runner answered another job")
    fields = RunOutput.__dataclass_fields__
    try:
        runs = [RunOutput(**{k: v for k, v in r.items() if k in fields}) for r in data["runs"]]
    except (KeyError, TypeError) as e:
        raise SandboxError(f"runner answer is malformed: {e}") from None
    return JobResult(runs=runs, backend=backend, wall_s=wall_s)


class Sandbox(Protocol):
    name: str

    def run(self, job: Job) -> JobResult: ...

    def close(self) -> None: ...


def docker_ready(image: str) -> str | None:
    """None when the Docker daemon answers and has `image`, else why not."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        try:
            client.images.get(image)
        finally:
            client.close()
    except Exception as e:  # noqa: BLE001 - any failure means "not usable", with the reason kept
        return f"{type(e).__name__}: {e}"
    return None


def bwrap_ready() -> str | None:
    return None if shutil.which("bwrap") else "bwrap is not installed"


_shared: dict[str, Sandbox] = {}
_shared_lock = threading.Lock()


def resolve_backend(kind: str | None = None, image: str = "bestofn-sandbox") -> str:
    """'docker' or 'bwrap' for `kind` (default: $BESTOFN_SANDBOX, else auto, which prefers Docker)."""
    kind = (kind or os.environ.get(SANDBOX_ENV) or "auto").strip().lower()
    if kind not in BACKENDS:
        raise SandboxUnavailable(f"{SANDBOX_ENV} must be one of {', '.join(BACKENDS)}, got {kind!r}")
    if kind in ("auto", "docker"):
        why = docker_ready(image)
        if why is None:
            return "docker"
        if kind == "docker":
            raise SandboxUnavailable(f"Docker sandbox unavailable ({why}); run verifiers/setup_sandboxes.sh")
    why = bwrap_ready()
    if why is None:
        return "bwrap"
    raise SandboxUnavailable(f"no sandbox available ({why}; Docker: {docker_ready(image)}); "
                             "run verifiers/setup_sandboxes.sh")


def shared_sandbox(kind: str | None = None) -> Sandbox:
    """One sandbox per requested kind per process, so every verifier thread shares one warm pool.
    The backend is resolved once (resolving asks the Docker daemon), not per verification."""
    requested = (kind or os.environ.get(SANDBOX_ENV) or "auto").strip().lower()
    with _shared_lock:
        box = _shared.get(requested)
        if box is None:
            backend = resolve_backend(requested)
            if backend == "docker":
                from verifiers.docker_sandbox import DockerSandbox

                box = DockerSandbox()
            else:
                from verifiers.process_sandbox import ProcessSandbox

                box = ProcessSandbox()
            _shared[requested] = box
    return box
