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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common.cache import CACHE_ROOT
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
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS verdicts ("
    "key BLOB PRIMARY KEY, split TEXT NOT NULL, version TEXT NOT NULL, verdict BLOB NOT NULL) WITHOUT ROWID"
)


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


def _encode(result: VerificationResult) -> bytes:
    data = {"ok": result.is_verified, "confidence": result.confidence, "explanation": result.explanation,
            "method": result.method, "details": result.details or {}}
    return zlib.compress(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"), 1)


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
        conn = sqlite3.connect(self.path, timeout=2.0, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last verdicts, never the file
            conn.execute(_SCHEMA)
        except BaseException:
            conn.close()
            raise
        return conn

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
        with self._lock:
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
        try:
            value = _encode(result)
        except (TypeError, ValueError):
            return
        with self._lock:
            db = self._db()
            if db is None or self.read_only:
                return
            try:
                db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                           (key, split, verifier_version(split), value))
            except sqlite3.Error as e:  # busy for longer than the timeout, disk full, read-only
                if not self._write_warned:
                    self._write_warned = True
                    log.warning("the verdict cache %s cannot be written (%s); those verdicts will be computed "
                                "again next time.", self.path, e)

    def close(self) -> None:
        """Closed for good: a verification still finishing after this is simply not stored."""
        with self._lock:
            self._off = True
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
