"""The verdict cache: a local verifier's result for one candidate, kept on disk, so that a rerun (a
generate, a regen, `bestofn verify`) runs a verifier only where something it reads has changed.

Key: sha256 over (split, the split's verifier version, sha256 of the response, sha256 of everything
else the verifier reads for that row). "Everything else" is the context the checker hands the
verifier (question, final answer, tests, language, entry point, tools, tool calls, trusted reference,
how the tool loop ended), the ground truth, and the verifier options that can change a verdict (time
limits, sandbox choice and image; not the pool size, which only sets how many run at once). Versions
live in one place, `verifiers.verifier_version`: a declared number (`VERIFIER_VERSIONS`) plus a digest
of the split's own source files, so bumping the number or editing the split's verifier recomputes that
split's rows and no other's. The refusal pass is not cached: its patterns run on every row (cheap), and the
LLM's refusal verdicts sit in the judge's own cache.

Only verdicts are kept. A sandbox or worker failure (verifiers.base.NO_VERDICT_REASONS) is no verdict,
and a comparison that ran out of time and says it is unsure is the machine's load speaking, not the
answer: both are computed again next time.

Storage: one SQLite file in WAL mode rather than common/cache.py's file per key. There is a verdict for
every candidate, millions of them for a large run, and a small file apiece would cost a disk block
and an inode each. Threads and processes share the file; a cache that cannot be read or written
costs recomputation, never the run. Deleting the folder is always safe while no run uses it.

Verdicts are written in batches, one transaction per `WRITE_EVERY` verdicts (or after `WRITE_AFTER_S`
seconds) and at `close`, by a writer process of the cache's own (common/checks/verdict_writer.py; written
here when it cannot start): a row at a time costs a commit per candidate, and encoding and SQLite release
and retake the interpreter's lock per row, a thread switch each for the pipeline's event loop. Until written,
they answer this process's lookups from memory, whichever VerdictCache on the same folder asks (it waits for
the writer first); another process sees them once written. A crash loses at most the batches not written
yet: those verdicts are computed again next time.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
import weakref
import zlib
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common.cache import CACHE_ROOT
from common.checks.verdict_writer import encode, open_writable, write
from verifiers import verifier_version
from verifiers.base import NO_VERDICT_REASONS, VerificationResult

log = logging.getLogger("bestofn")

VERDICT_DIR = CACHE_ROOT / "verdicts"  # relative to the working directory, like the judge's cache
DB_NAME = "verdicts.sqlite3"
# Options that change how many verifications run at once, never what they decide.
_SPEED_ONLY = frozenset({"pool_size"})
# Below this a timed-out verdict is the verifier saying it ran out of time (math's comparison budget),
# not that the candidate's program did (code's timeout is a confident fail).
_UNSURE = 0.5
WRITE_EVERY = 256
WRITE_AFTER_S = 2.0
_MAX_SENT = 8  # batches handed to the writer and not yet confirmed, before keep waits for it
_WRITER_WAIT_S = 60.0  # the longest a sync waits for the writer to confirm one batch
_REPO_ROOT = str(Path(__file__).resolve().parents[2])


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _calls_only(calls: Any) -> Any:
    """Tool calls as the verifier judges them: name and arguments. The ids a provider gives each call are
    random, so keeping them would make two identical answers two keys."""
    if not calls:
        return None  # no calls is one answer, [] or None
    if not isinstance(calls, list):
        return calls
    kept = []
    for call in calls:
        if isinstance(call, dict):
            fn = call["function"] if isinstance(call.get("function"), dict) else call  # OpenAI's wire form too
            call = {"name": fn.get("name"), "arguments": fn.get("arguments")}
        kept.append(call)
    return kept


def verdict_key(
    split: str, response: str, ground_truth: str | None, context: dict[str, Any], options: dict[str, Any] | None
) -> bytes | None:
    """The cache key of one verification; None when the inputs cannot be written down as JSON (never
    cached then)."""
    inputs = {
        **context,
        "ground_truth": ground_truth,
        "options": {k: v for k, v in (options or {}).items() if v is not None and k not in _SPEED_ONLY},
    }
    if "tool_calls" in inputs:
        inputs["tool_calls"] = _calls_only(inputs["tool_calls"])
    try:
        blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):  # keys of mixed types cannot be sorted, a cycle cannot be written
        return None
    parts = [split, verifier_version(split), _sha(response), _sha(blob)]
    return hashlib.sha256(json.dumps(parts).encode()).digest()


def cacheable(result: VerificationResult) -> bool:
    reason = (result.details or {}).get("reason")
    if reason in NO_VERDICT_REASONS:
        return False
    return not (reason == "timeout" and result.confidence < _UNSURE)


def _fields(result: VerificationResult) -> tuple[Any, ...]:
    return (result.is_verified, result.confidence, result.explanation, result.method, result.details or {})


def _encode(result: VerificationResult) -> bytes:
    return encode(*_fields(result))


class _Writer:
    """The writer process (common/checks/verdict_writer.py) of one cache, in the process that started it."""

    def __init__(self, path: Path | str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_REPO_ROOT, env.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "common.checks.verdict_writer", os.path.abspath(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.tx = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.rx = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.next_id = 0
        try:
            if not self.rx.poll(_WRITER_WAIT_S):
                raise OSError("the verdict writer did not start")
            kind, why = self.rx.recv()
        except (EOFError, OSError):
            self.close()
            raise
        if kind != "ready":
            self.close()
            raise OSError(why)

    def send(self, payload: bytes) -> None:
        """One pickled (batch id, rows); ids count up from `next_id`."""
        self.tx.send_bytes(payload)
        self.next_id += 1

    def acks(self, wait: bool) -> list[tuple[int, str | None]]:
        """Confirmations received; with `wait`, at least one (OSError when none comes)."""
        out = []
        while self.rx.poll(_WRITER_WAIT_S if wait and not out else 0):
            out.append(self.rx.recv())
        if wait and not out:
            raise OSError("the verdict writer stopped answering")
        return out

    def close(self) -> None:
        for conn in (self.tx, self.rx):
            with contextlib.suppress(OSError):
                conn.close()
        try:
            self.proc.wait(timeout=_WRITER_WAIT_S)  # it commits what it was sent, then sees the pipe close
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _decode(blob: bytes) -> VerificationResult:
    data = json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))
    return VerificationResult(bool(data["ok"]), float(data["confidence"]), str(data["explanation"]),
                              str(data["method"]), dict(data["details"]))


class VerdictCache:
    """Verdicts on disk under `root` (default `.bestofn_cache/verdicts`). `hits` and `computed` count this
    process's lookups answered from the cache and verifications that had to run.

    `read=False` only fills the cache: what generate and regen do, so a run that generates always
    verifies afresh (a verifier being edited is never answered by its old self) and leaves its
    verdicts for `bestofn verify`, which reads them."""

    def __init__(self, root: Path | str | None = None, *, read: bool = True) -> None:
        self.root = Path(root) if root is not None else VERDICT_DIR
        self.read = read
        self.path = self.root / DB_NAME
        self.hits = 0
        self.computed = 0
        self._lock = threading.Lock()  # one connection, used from the event loop and the verifier threads
        self._conn: sqlite3.Connection | None = None
        self._pid: int | None = None
        self._off = False
        self._write_warned = False
        self.read_only = False  # opened read-only (a read-only mount): verdicts are read, none are kept
        self.problem: str | None = None  # why the cache is not used, when it is not
        self._unwritten: dict[bytes, tuple[str, VerificationResult]] = {}  # kept, not yet written (see module doc)
        self._unwritten_since = 0.0
        # Batches handed to the writer, not yet confirmed: batch id -> its verdicts.
        self._sent: dict[int, dict[bytes, tuple[str, VerificationResult]]] = {}
        self._io = threading.Lock()  # the writer's pipes (flushes may come from several threads)
        self._writer: _Writer | None = None
        self._writer_pid: int | None = None
        self._writer_failed = False
        self._where = os.path.abspath(self.path)
        _live.add(self)

    @property
    def state(self) -> str:
        """The cache as the end-of-run summary names it."""
        if self.problem is not None:
            return f"{self.root} (not used: {self.problem})"
        return f"{self.root} (read-only: verdicts read, new ones not kept)" if self.read_only else str(self.root)

    def _db(self) -> sqlite3.Connection | None:
        if self._off:
            return None
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:  # a forked worker opens its own: a connection must not cross a fork
            conn = self._open_writable()
        except (OSError, sqlite3.Error) as e:
            conn = self._open_read_only()
            if conn is None:
                self._off, self.problem = True, str(e)
                log.warning("the verdict cache %s cannot be used (%s); verifying without it.", self.path, e)
                return None
            if not self.read_only:
                log.warning("the verdict cache %s cannot be written (%s); its verdicts are read, new ones are not "
                            "kept.", self.path, e)
            self.read_only = True
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _open_writable(self) -> sqlite3.Connection:
        self.root.mkdir(parents=True, exist_ok=True)
        return open_writable(str(self.path))

    def _open_read_only(self) -> sqlite3.Connection | None:
        """A cache that cannot be written (a read-only mount, another user's folder) is still read. A WAL
        database needs its -shm file to be read; where that cannot be made either, the file is read as
        immutable (nothing writes it: nothing can)."""
        if not self.path.is_file():
            return None
        for mode in ("ro", "ro&immutable=1"):
            try:
                conn = sqlite3.connect(f"file:{quote(str(self.path.resolve()))}?mode={mode}", uri=True, timeout=2.0,
                                       check_same_thread=False, isolation_level=None)
            except sqlite3.Error:
                continue
            try:
                conn.execute("SELECT 1 FROM verdicts LIMIT 1").fetchall()
            except sqlite3.Error:
                conn.close()
                continue
            return conn
        return None

    def lookup(
        self, split: str, response: str, ground_truth: str | None, context: dict[str, Any],
        options: dict[str, Any] | None,
    ) -> tuple[bytes | None, VerificationResult | None]:
        """(key, the cached verdict or None). Pass the key to `keep` once the verifier has answered."""
        key = verdict_key(split, response, ground_truth, context, options)
        if key is None or not self.read:
            return key, None
        for other in list(_live):  # this process's verdicts not written yet, by any cache on this folder
            if other is not self and (other._unwritten or other._sent) and other._where == self._where:
                other.sync()
        with self._lock:
            kept = self._unwritten.get(key)
            if kept is None:
                kept = next((batch[key] for batch in self._sent.values() if key in batch), None)
            if kept is not None:
                self.hits += 1
                return key, kept[1]
            db = self._db()
            try:
                row = db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone() if db else None
            except sqlite3.Error:
                row = None
            if row is None:
                return key, None
            try:
                result = _decode(row[0])
            except (ValueError, TypeError, KeyError, zlib.error):  # a damaged entry is a miss
                return key, None
            self.hits += 1
            return key, result

    def keep(self, key: bytes | None, split: str, result: VerificationResult) -> None:
        """Count a verification that ran and store its verdict (only a verdict: see `cacheable`)."""
        with self._lock:
            self.computed += 1
        if key is None or not cacheable(result):
            return
        with self._lock:
            db = self._db()
            if db is None or self.read_only:
                return
            now = time.monotonic()
            if not self._unwritten:
                self._unwritten_since = now
            self._unwritten[key] = (split, result)
            if len(self._unwritten) < WRITE_EVERY and now - self._unwritten_since < WRITE_AFTER_S:
                return
        self.flush()

    def flush(self) -> None:
        """Hand the verdicts kept so far to the writer (or write them here), one transaction."""
        with self._lock:
            batch, self._unwritten = self._unwritten, {}
        if not batch:
            return
        rows = [(key, split, verifier_version(split), _fields(result)) for key, (split, result) in batch.items()]
        with self._io:
            writer = self._writer_here()
            if writer is not None:
                batch_id = writer.next_id
                try:
                    payload = pickle.dumps((batch_id, rows), pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, TypeError, ValueError, AttributeError, RecursionError):
                    payload = None  # details the pipe cannot carry: encoded and written here instead
                if payload is not None:
                    try:
                        writer.send(payload)
                    except OSError:
                        self._writer_lost()
                    else:
                        with self._lock:
                            self._sent[batch_id] = batch
                        self._confirm(wait=len(self._sent) > _MAX_SENT)
                        return
        self._write_here(rows)

    def sync(self) -> None:
        """Flush, and wait until the writer has written everything it was given."""
        self.flush()
        with self._io:
            while self._sent:
                if not self._confirm(wait=True):
                    break

    def _writer_here(self) -> _Writer | None:
        """This process's writer, started on first use; None when there is none to be had (called under _io)."""
        if self._writer_pid == os.getpid() and (self._writer is not None or self._writer_failed):
            return self._writer
        self._writer, self._writer_pid, self._writer_failed = None, os.getpid(), False  # a fork's child: its own
        with self._lock:
            self._sent = {}
            db = self._db()  # opened here first: its state (read-only, unusable) and warnings are the cache's
            usable = db is not None and not self.read_only
        if not usable:
            self._writer_failed = True
            return None
        try:
            self._writer = _Writer(self._where)
        except OSError as e:
            log.debug("verdict writer unavailable (%s); writing verdicts in this process.", e)
            self._writer_failed = True
        return self._writer

    def _confirm(self, wait: bool) -> bool:
        """Take the writer's confirmations (called under _io); False when the writer is gone (what it was
        given is then written here)."""
        writer = self._writer
        if writer is None:
            return False
        try:
            acks = writer.acks(wait)
        except (OSError, EOFError):
            self._writer_lost()
            return False
        for batch_id, why in acks:
            with self._lock:
                self._sent.pop(batch_id, None)
            if why is not None:
                self._warn_write(why)
        return True

    def _writer_lost(self) -> None:
        """The writer died or stopped answering (called under _io): what it held is written here."""
        writer, self._writer, self._writer_failed = self._writer, None, True
        if writer is not None:
            with contextlib.suppress(ProcessLookupError):
                writer.proc.kill()
            writer.close()
        with self._lock:
            held, self._sent = self._sent, {}
        for batch in held.values():
            self._write_here([(key, split, verifier_version(split), _fields(r)) for key, (split, r) in batch.items()])

    def _write_here(self, rows: list[tuple[Any, ...]]) -> None:
        with self._lock:
            db = self._db()
            if db is None or self.read_only:
                return
            try:
                write(db, rows)
            except (sqlite3.Error, TypeError, ValueError) as e:  # busy for longer than the timeout, disk full
                self._warn_write(str(e))

    def _warn_write(self, why: str) -> None:
        if not self._write_warned:
            self._write_warned = True
            log.warning("the verdict cache %s cannot be written (%s); those verdicts will be computed again next "
                        "time.", self.path, why)

    def close(self) -> None:
        """Closed for good: a verification still finishing after this is simply not stored."""
        self.sync()
        with self._io:
            writer, self._writer = self._writer, None
            if writer is not None and self._writer_pid == os.getpid():
                writer.close()
        with self._lock:
            self._off = True
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None


_live: weakref.WeakSet[VerdictCache] = weakref.WeakSet()


@atexit.register
def _sync_all() -> None:
    """Verdicts kept by a cache nobody closed are still written (a crash, of course, loses them)."""
    for cache in list(_live):
        if (cache._unwritten or cache._sent) and cache._writer_pid in (None, os.getpid()):
            with contextlib.suppress(Exception):
                cache.sync()
