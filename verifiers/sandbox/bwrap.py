"""bubblewrap backend, for machines without Docker: one short-lived sandbox per job.

Each job: bwrap with every namespace unshared (user, pid, net, ipc, uts, cgroup, mount), the host's
/usr read-only, a size-capped tmpfs work dir, no host environment, all capabilities dropped, and the
runner as the namespace's PID 1 (when it exits the kernel kills everything left inside).
As root, the job first drops to an unprivileged uid of its own per slot (RLIMIT_NPROC is not
enforced for root, and is counted per uid) and joins a cgroup v1 memory+pids group per slot when
cgroup v1 is writable; otherwise RLIMIT_AS and RLIMIT_NPROC are the memory and process limits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

from verifiers.sandbox.base import (
    SCRIPTS_DIR,
    SCRIPTS_MOUNT,
    WORK_MOUNT,
    Job,
    JobResult,
    Limits,
    RunOutput,
    SandboxError,
    SandboxUnavailable,
    default_pool_size,
    parse_result,
)

UID_BASE = 61000
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_GRACE_S = 10.0
# Enter the given cgroups (as root, before dropping privileges), then exec the rest of argv.
_ENTER_CGROUPS = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f"; shift; done; shift; exec "$@"'


class _Slot:
    """One concurrent sandbox: its own uid and, where possible, its own cgroups."""

    def __init__(self, index: int, limits: Limits, as_root: bool) -> None:
        self.uid = UID_BASE + index if as_root else None
        self.cgroups: list[Path] = []
        if as_root:
            self._make_cgroups(index, limits)

    def _make_cgroups(self, index: int, limits: Limits) -> None:
        name = f"bestofn-{os.getpid()}-slot{index}"
        settings = {
            "memory": {"memory.limit_in_bytes": limits.memory_mb * 2**20,
                       "memory.memsw.limit_in_bytes": limits.memory_mb * 2**20},
            "pids": {"pids.max": limits.pids},
        }
        for controller, files in settings.items():
            path = _CGROUP_ROOT / controller / name
            try:
                path.mkdir(exist_ok=True)
                for fname, value in files.items():
                    if (path / fname).exists():
                        (path / fname).write_text(str(value))
            except OSError:
                continue  # cgroup v2 or read-only: rlimits remain
            self.cgroups.append(path)

    @property
    def memory_cgroup(self) -> Path | None:
        return next((c for c in self.cgroups if c.parent.name == "memory"), None)

    def oom_kills(self) -> int:
        cg = self.memory_cgroup
        if cg is None:
            return -1
        with contextlib.suppress(OSError, ValueError):
            for line in (cg / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        return -1

    def kill_leftovers(self) -> None:
        for cg in self.cgroups:
            with contextlib.suppress(OSError, ValueError):
                for pid in (cg / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)

    def remove(self) -> None:
        self.kill_leftovers()
        for cg in self.cgroups:
            for _ in range(50):
                try:
                    cg.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)  # killed processes still exiting


def _sweep_stale_cgroups() -> None:
    """Remove slot cgroups left by a crashed earlier process (the name carries its pid)."""
    for path in _CGROUP_ROOT.glob("*/bestofn-*-slot*"):
        try:
            pid = int(path.name.split("-")[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                for p in (path / "cgroup.procs").read_text().split():
                    os.kill(int(p), signal.SIGKILL)
                path.rmdir()
        except (ValueError, PermissionError, OSError):
            continue


class ProcessSandbox:
    name = "bwrap"

    def __init__(self, slots: int | None = None, limits: Limits | None = None) -> None:
        self.bwrap = shutil.which("bwrap")
        if self.bwrap is None:
            raise SandboxUnavailable("bwrap is not installed (apt-get install bubblewrap)")
        self.limits = limits or Limits()
        self.as_root = os.geteuid() == 0
        count = default_pool_size(slots)
        if self.as_root:
            _sweep_stale_cgroups()
        self._all = [_Slot(i, self.limits, self.as_root) for i in range(count)]
        self._free: queue.Queue[_Slot] = queue.Queue()
        for s in self._all:
            self._free.put(s)
        self._python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
        atexit.register(self.close)

    def _argv(self, slot: _Slot) -> list[str]:
        lim = self.limits
        bw = [
            self.bwrap, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--as-pid-1",
            "--clearenv", "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(lim.tmpfs_mb * 2**20), "--tmpfs", WORK_MOUNT,
            "--dir", "/tmp",
            "--ro-bind", str(SCRIPTS_DIR), SCRIPTS_MOUNT,
            "--uid", "10001", "--gid", "10001", "--hostname", "sandbox", "--chdir", WORK_MOUNT,
            "--disable-userns", "--cap-drop", "ALL", "--remount-ro", "/",
            self._python, "-I", f"{SCRIPTS_MOUNT}/runner.py",
        ]
        # Per uid: with its own uid per slot, this caps the processes of exactly one sandbox.
        prlimit = ["prlimit", f"--nproc={lim.pids}", "--"]
        if slot.uid is None:
            return prlimit + bw
        drop = ["setpriv", f"--reuid={slot.uid}", f"--regid={slot.uid}", "--clear-groups", "--"]
        argv = drop + prlimit + bw
        if slot.cgroups:
            argv = ["sh", "-c", _ENTER_CGROUPS, "sh", *[str(c / "cgroup.procs") for c in slot.cgroups], "--", *argv]
        return argv

    def run(self, job: Job) -> JobResult:
        slot = self._free.get()
        try:
            return self._run(job, slot)
        finally:
            slot.kill_leftovers()
            self._free.put(slot)

    def _run(self, job: Job, slot: _Slot) -> JobResult:
        limits = self.limits
        if not slot.memory_cgroup and limits.as_mb is None:
            # No cgroup to hold memory: fall back to a per-process address-space limit.
            limits = Limits(**{**limits.__dict__, "as_mb": max(limits.memory_mb, 1024)})
        started = time.monotonic()
        oom_before = slot.oom_kills()
        try:
            proc = subprocess.Popen(self._argv(slot), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True, env={"PATH": os.defpath})
        except OSError as e:
            raise SandboxError(f"cannot start bwrap: {e}") from e
        try:
            out, err = proc.communicate(job.to_wire(limits), timeout=job.wall_budget_s() + _GRACE_S)
        except subprocess.TimeoutExpired:
            raise SandboxError("sandbox did not answer in time") from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if len(out) < 4 or len(out) < 4 + struct.unpack(">I", out[:4])[0]:
            raise SandboxError(f"bwrap runner gave no answer (exit {proc.returncode}): "
                               f"{err.decode('utf-8', 'replace').strip()[-500:]}")
        result = parse_result(job, out[4: 4 + struct.unpack(">I", out[:4])[0]], self.name,
                              time.monotonic() - started)
        if oom_before >= 0 and slot.oom_kills() > oom_before and result.runs:
            last = result.runs[-1]
            result.runs[-1] = RunOutput(**{**last.__dict__, "oom": True})
        return result

    def uids(self) -> list[int]:
        return [s.uid for s in self._all if s.uid is not None]

    def close(self) -> None:
        for s in self._all:
            s.remove()
