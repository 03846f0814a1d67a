"""What both sandbox backends share: the job a runner executes, its result, and picking a backend.

A job is a set of files written to a fresh work dir plus a list of command runs; the trusted runner
(verifiers/sandbox/scripts/runner.py) executes it inside the sandbox and returns one RunOutput per
run. Backends differ only in how they start that runner: a warm Docker container or bubblewrap.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
# Where SCRIPTS_DIR is mounted read-only inside every sandbox, so harness paths are the same in both.
SCRIPTS_MOUNT = "/opt/bestofn"
WORK_MOUNT = "/work"
# Documented defaults for options that normally arrive as arguments (see verifiers/sandbox/select.py).
SANDBOX_ENV = "BESTOFN_SANDBOX"
IMAGE_ENV = "BESTOFN_SANDBOX_IMAGE"
POOL_ENV = "BESTOFN_SANDBOX_POOL"
DEFAULT_IMAGE = "bestofn-sandbox"
DEFAULT_POOL = 2
BACKENDS = ("auto", "docker", "bwrap")


def default_kind(kind: str | None = None) -> str:
    source = "the sandbox" if kind else f"${SANDBOX_ENV}"
    kind = (kind or os.environ.get(SANDBOX_ENV) or "auto").strip().lower()
    if kind not in BACKENDS:
        raise SandboxConfigError(f"{source} must be one of {', '.join(BACKENDS)}, got {kind!r}")
    return kind


def default_image(image: str | None = None) -> str:
    return image or os.environ.get(IMAGE_ENV) or DEFAULT_IMAGE


def default_pool_size(pool_size: int | None = None) -> int:
    if pool_size:
        return pool_size
    raw = os.environ.get(POOL_ENV) or str(DEFAULT_POOL)
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise SandboxConfigError(f"${POOL_ENV} must be a positive integer, got {raw!r}")
    return size


class SandboxError(RuntimeError):
    """The sandbox itself failed (could not start, lost its runner, answered garbage): never a verdict."""


class SandboxConfigError(SandboxError):
    """A sandbox option (argument or its environment default) that cannot work; str(e) says which."""


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
