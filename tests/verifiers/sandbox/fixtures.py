"""Sandbox fixtures shared by the code-verifier test modules: one sandbox per backend per session.

A missing backend FAILS the tests; set BESTOFN_ALLOW_NO_SANDBOX=1 to skip them instead (for machines
that cannot run verifiers/sandbox/setup_sandboxes.sh). CI runs them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from verifiers.code.verifier import CodeVerifier
from verifiers.sandbox.base import Limits, Sandbox, SandboxUnavailable
from verifiers.sandbox.select import resolve_backend

BACKENDS = ["docker", "bwrap"]
TEST_LIMITS = Limits(memory_mb=256, pids=64)


def make_sandbox(backend: str) -> Sandbox:
    try:
        resolve_backend(backend)
        if backend == "docker":
            from verifiers.sandbox.docker import DockerSandbox

            return DockerSandbox(pool_size=2, limits=TEST_LIMITS)
        from verifiers.sandbox.bwrap import ProcessSandbox

        return ProcessSandbox(slots=2, limits=TEST_LIMITS)
    except SandboxUnavailable as e:
        if os.environ.get("BESTOFN_ALLOW_NO_SANDBOX") == "1":
            pytest.skip(f"{backend} sandbox unavailable and BESTOFN_ALLOW_NO_SANDBOX=1: {e}")
        pytest.fail(f"{backend} sandbox unavailable: {e} (run verifiers/sandbox/setup_sandboxes.sh, or set "
                    "BESTOFN_ALLOW_NO_SANDBOX=1 to skip)")


@pytest.fixture(scope="session", params=BACKENDS)
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    box = make_sandbox(request.param)
    yield box
    box.close()


@pytest.fixture(scope="session")
def verifier(sandbox: Sandbox) -> CodeVerifier:
    return CodeVerifier(sandbox=sandbox, timeout_s=2.0, retries=0)


def sandbox_leftovers(box: Sandbox) -> list[str]:
    """Processes or containers of this sandbox still alive outside a job."""
    if box.name == "docker":
        # Only this process's containers: another process's pool on the same daemon is not a leak of ours.
        out = subprocess.run(["docker", "ps", "-q", "--filter", "label=bestofn.sandbox",
                              "--filter", f"label=bestofn.sandbox.pid={os.getpid()}"], capture_output=True,
                             text=True, check=True).stdout.split()
        # Warm pool members are expected, this box's and those of the process's shared pools (other tests'
        # verifiers keep theirs warm); anything else is a leak.
        from verifiers.sandbox import select

        live = set(box.container_ids())
        for other in list(select._shared.values()):
            live.update(getattr(other, "container_ids", list)())
        return [c for c in out if not any(x.startswith(c) for x in live)]
    uids = {str(u) for u in box.uids()}
    out = subprocess.run(["ps", "-eo", "uid=,pid=,comm="], capture_output=True, text=True, check=True).stdout
    return [ln.strip() for ln in out.splitlines() if ln.split() and ln.split()[0] in uids]
