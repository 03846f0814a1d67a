"""The trusted runner inside every sandbox (Docker container or bubblewrap); standard library only.

It is PID 1 of its PID namespace, so candidate code cannot kill it (the kernel drops signals to a
namespace's init from inside unless it installed a handler) and it can kill every leftover process
with kill(-1). It is non-dumpable, so code running as the same uid cannot ptrace it or read its
memory and file descriptors through /proc.

Protocol: frames of a 4-byte big-endian length and UTF-8 JSON, a job on stdin, its result on stdout.
`--serve` loops until stdin closes (the host died or closed the pool); otherwise one job, then exit.
Job: {"id", "files": {path: text}, "runs": [{"argv" | "harness", "stdin", "timeout_s"}], "stop_on_failure",
"limits": {"as_bytes", "cpu_s", "fsize_bytes", "nofile", "nproc", "stdout_bytes", "stderr_bytes"}}.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

WORK_ROOT = os.environ.get("BESTOFN_WORK_ROOT", "/work")
SHM = "/dev/shm"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the trusted harness modules beside us
CHILD_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONHASHSEED": "0",
    "NODE_OPTIONS": "--max-old-space-size=256",
}
STDERR_KEEP = 8192
OOM_FILE = "/sys/fs/cgroup/memory/memory.oom_control"


def _non_dumpable() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4


def _oom_kills() -> int:
    try:
        with open(OOM_FILE) as f:
            for line in f:
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return -1


def _limiter(limits: dict):
    def apply() -> None:
        os.setsid()
        for name, key in (("RLIMIT_AS", "as_bytes"), ("RLIMIT_CPU", "cpu_s"), ("RLIMIT_FSIZE", "fsize_bytes"),
                          ("RLIMIT_NOFILE", "nofile"), ("RLIMIT_NPROC", "nproc")):
            value = limits.get(key)
            if value:
                with contextlib.suppress(ValueError, OSError):
                    resource.setrlimit(getattr(resource, name), (int(value), int(value)))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # The OOM killer should pick the candidate, never the runner.
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")

    return apply


class _Forked:
    """A trusted harness run in a fork of this (already warm) runner instead of a fresh interpreter:
    saves a Python start-up per job. It never runs candidate code itself (that is always exec'd)."""

    def __init__(self, module: str, cwd: str, limits: dict) -> None:
        pipes = [os.pipe() for _ in range(3)]
        self.pid = os.fork()
        if self.pid == 0:  # child
            code = 1
            try:
                for target, (r, w) in enumerate(pipes):
                    os.dup2(r if target == 0 else w, target)
                os.closerange(3, 4096)
                _limiter(limits)()
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update({**CHILD_ENV, "HOME": cwd, "TMPDIR": cwd})
                # The runner's own stream objects may hold buffers; the harness gets fresh ones on fds 0-2.
                sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                __import__(module).main()
                code = 0
            except BaseException:  # noqa: BLE001 - reported on the harness's stderr
                import traceback

                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        self.stdin = os.fdopen(pipes[0][1], "wb")
        self.stdout = os.fdopen(pipes[1][0], "rb")
        self.stderr = os.fdopen(pipes[2][0], "rb")
        for fd in (pipes[0][0], pipes[1][1], pipes[2][1]):
            os.close(fd)
        self.returncode: int | None = None

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


def _kill_all(main: subprocess.Popen | _Forked | None = None) -> None:
    """SIGKILL every other process we may signal (as PID 1 we are exempt), then reap them."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(-1, signal.SIGKILL)
    if main is not None:
        main.wait()  # first, so its own exit status is not swallowed by the reaping below
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.002)  # killed processes not yet reaped


def _run_one(spec: dict, cwd: str, limits: dict) -> dict:
    stdout_cap = int(limits.get("stdout_bytes") or 1 << 20)
    stderr_cap = int(limits.get("stderr_bytes") or 1 << 20)
    timeout = float(spec.get("timeout_s") or 5.0)
    oom_before = _oom_kills()
    started = time.monotonic()
    try:
        proc = _Forked(spec["harness"], cwd, limits) if spec.get("harness") else subprocess.Popen(
            spec["argv"], cwd=cwd, env={**CHILD_ENV, "HOME": cwd, "TMPDIR": cwd},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=_limiter(limits), close_fds=True,
        )
    except OSError as e:
        return {"exit": None, "signal": None, "stdout": "", "stderr": f"cannot start: {e}", "timed_out": False,
                "output_limit": False, "oom": False, "wall_s": 0.0, "start_error": True}
    pidfd = os.pidfd_open(proc.pid)
    data_in = (spec.get("stdin") or "").encode()
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    fds = {out_fd: bytearray(), err_fd: bytearray()}
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    poller.register(pidfd, select.POLLIN)
    in_fd = proc.stdin.fileno()
    os.set_blocking(in_fd, False)
    if data_in:
        poller.register(in_fd, select.POLLOUT)
    else:
        proc.stdin.close()
    stderr_total = 0
    timed_out = output_limit = exited = False
    deadline = started + timeout
    while not exited:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for fd, _ in poller.poll(left * 1000):
            if fd == pidfd:
                exited = True
            elif fd == in_fd:
                try:
                    n = os.write(in_fd, data_in[:65536])
                    data_in = data_in[n:]
                except (BrokenPipeError, BlockingIOError) as e:
                    if isinstance(e, BrokenPipeError):
                        data_in = b""
                if not data_in:
                    poller.unregister(in_fd)
                    proc.stdin.close()
            elif fd in fds:
                chunk = os.read(fd, 65536)
                if not chunk:
                    poller.unregister(fd)
                    continue
                if fd == out_fd:
                    fds[fd] += chunk
                    output_limit = len(fds[fd]) > stdout_cap
                else:
                    stderr_total += len(chunk)
                    fds[fd] += chunk
                    del fds[fd][:-STDERR_KEEP]  # keep the tail: that is where tracebacks end
                    output_limit = stderr_total > stderr_cap
                if output_limit:
                    break
        if output_limit:
            break
    _kill_all(proc)  # the main process, its background children, anything that escaped with setsid
    # Every writer is dead now, so draining ends at EOF instead of blocking on a background child.
    for fd, buf in fds.items():
        with contextlib.suppress(OSError):
            os.set_blocking(fd, False)
            while len(buf) <= stdout_cap + 65536 and (chunk := os.read(fd, 65536)):
                buf += chunk
    os.close(pidfd)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            stream.close()
    code = proc.returncode
    out = bytes(fds[out_fd][:stdout_cap])
    return {
        "exit": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": bytes(fds[err_fd][-STDERR_KEEP:]).decode("utf-8", "replace"),
        "timed_out": timed_out,
        "output_limit": output_limit,
        "oom": oom_before >= 0 and _oom_kills() > oom_before,
        "wall_s": round(time.monotonic() - started, 4),
    }


def _write_files(root: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = os.path.normpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep):
            raise ValueError(f"file path escapes the work dir: {rel!r}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def run_job(job: dict) -> dict:
    cwd = tempfile.mkdtemp(prefix="job-", dir=WORK_ROOT)  # fresh work dir per job
    try:
        _write_files(cwd, job.get("files") or {})
        limits = job.get("limits") or {}
        results = []
        for spec in job.get("runs") or []:
            res = _run_one(spec, cwd, limits)
            results.append(res)
            failed = res["timed_out"] or res["output_limit"] or res["oom"] or res["exit"] != 0
            if failed and job.get("stop_on_failure", True):
                break
        return {"id": job.get("id"), "runs": results}
    finally:
        _kill_all()
        shutil.rmtree(cwd, ignore_errors=True)
        _empty_shm()


def _empty_shm() -> None:
    """/dev/shm outlives a job in a pooled sandbox: emptied like the work dir, so one candidate can neither
    leave files for the next nor fill it until a correct one's multiprocessing.Lock() fails (ENOSPC)."""
    try:
        names = os.listdir(SHM)
    except OSError:
        return
    for name in names:
        path = os.path.join(SHM, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _read_exact(stream, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = stream.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _write_frame(obj: dict) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode()
    sys.stdout.buffer.write(struct.pack(">I", len(data)) + data)
    sys.stdout.buffer.flush()


def main() -> int:
    _non_dumpable()
    serve = "--serve" in sys.argv[1:]
    if serve:  # loaded once here, so each forked harness starts warm
        for module in ("py_harness", "sql_harness", "ast", "sqlite3"):
            with contextlib.suppress(ImportError):
                __import__(module)
    stdin = sys.stdin.buffer
    while True:
        header = _read_exact(stdin, 4)
        if header is None:
            return 0  # the host went away: the container stops and is removed
        body = _read_exact(stdin, struct.unpack(">I", header)[0])
        if body is None:
            return 0
        try:
            result = run_job(json.loads(body))
        except Exception as e:  # noqa: BLE001 - reported to the host as an infrastructure fault
            result = {"error": f"{type(e).__name__}: {e}"}
        _write_frame(result)
        if not serve:
            return 0


if __name__ == "__main__":
    sys.exit(main())
