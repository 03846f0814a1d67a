"""Choosing a sandbox backend, and the one shared sandbox per setting that every verifier thread uses.

Options arrive as arguments (`get_verifier("code", sandbox=..., image=..., pool_size=...)`); the
environment variables in verifiers/sandbox/base.py are only their documented defaults.
"""

from __future__ import annotations

import shutil
import threading

from verifiers.sandbox.base import (
    Sandbox,
    SandboxConfigError,
    SandboxUnavailable,
    default_image,
    default_kind,
    default_pool_size,
)


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


_shared: dict[tuple[str, str, int], Sandbox] = {}
_shared_lock = threading.Lock()


def resolve_backend(kind: str | None = None, image: str | None = None) -> str:
    """'docker' or 'bwrap' for `kind` (default: $BESTOFN_SANDBOX, else auto, which prefers Docker
    when its daemon answers and has `image`)."""
    kind = default_kind(kind)
    image = default_image(image)
    docker_why = "not asked for"
    if kind in ("auto", "docker"):
        docker_why = docker_ready(image)
        if docker_why is None:
            return "docker"
        if kind == "docker":
            raise SandboxUnavailable(f"the Docker sandbox image {image!r} cannot be used ({docker_why}); run "
                                     "verifiers/sandbox/setup_sandboxes.sh")
    why = bwrap_ready()
    if why is None:
        return "bwrap"
    raise SandboxUnavailable(f"no sandbox available ({why}; Docker: {docker_why}); "
                             "run verifiers/sandbox/setup_sandboxes.sh")


def check_sandbox(kind: str | None = None, image: str | None = None, pool_size: int | None = None) -> str:
    """The backend these options give here, or SandboxConfigError saying in one sentence why none can run.
    Asked once at the start of a run, so a bad setting fails there and not as an error on every row."""
    kind = default_kind(kind)
    default_pool_size(pool_size)
    if image and kind == "bwrap":
        raise SandboxConfigError(f"a sandbox image ({image!r}) applies to Docker, but the sandbox is bwrap")
    try:
        # An image the user named must be the one used: never a silent fall back to bubblewrap.
        return resolve_backend("docker" if image else kind, image)
    except SandboxUnavailable as e:
        raise SandboxConfigError(str(e)) from None


def shared_sandbox(kind: str | None = None, image: str | None = None, pool_size: int | None = None) -> Sandbox:
    """One sandbox per setting per process, so every verifier thread shares one warm pool.
    The backend is resolved once (resolving asks the Docker daemon), not per verification."""
    key = (default_kind(kind), default_image(image), default_pool_size(pool_size))
    with _shared_lock:
        box = _shared.get(key)
        if box is None:
            requested, image, pool_size = key
            backend = resolve_backend(requested, image)
            if backend == "docker":
                from verifiers.sandbox.docker import DockerSandbox

                box = DockerSandbox(image=image, pool_size=pool_size)
            else:
                from verifiers.sandbox.bwrap import ProcessSandbox

                box = ProcessSandbox(slots=pool_size)
            _shared[key] = box
    return box
