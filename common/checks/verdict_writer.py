"""The verdict cache's writer process (common/checks/verdicts.py): encodes verdict batches and writes them to
the SQLite file, each batch one transaction, so that neither the encoding nor SQLite runs on the pipeline's
interpreter (both release and retake its lock per row, which costs the event loop a thread switch each).

Standard library only, so it starts in a few tens of milliseconds. Protocol (pickled frames over
stdin/stdout, multiprocessing.Connection's framing; our own process talking to its own child):
    -> ("ready", None) once the database is open, or ("fatal", why) and exit
    <- (batch_id, rows)   rows: [(key, split, version, blob or (ok, confidence, explanation, method, details))]
    -> (batch_id, None) once committed, or (batch_id, why) when it could not be
The process ends when its stdin closes.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import sqlite3
import sys
import zlib
from multiprocessing.connection import Connection
from typing import Any

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS verdicts ("
    "key BLOB PRIMARY KEY, split TEXT NOT NULL, version TEXT NOT NULL, verdict BLOB NOT NULL) WITHOUT ROWID"
)
INSERT = "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)"


def encode(ok: bool, confidence: float, explanation: str, method: str, details: dict[str, Any] | None) -> bytes:
    """A verdict as the cache stores it (zlib-compressed JSON)."""
    data = {"ok": ok, "confidence": confidence, "explanation": explanation, "method": method,
            "details": details or {}}
    return zlib.compress(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass"), 1)


def open_writable(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=2.0, check_same_thread=False, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last verdicts, never the file
        conn.execute(SCHEMA)
    except BaseException:
        conn.close()
        raise
    return conn


def write(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """One transaction; raises sqlite3.Error (rolled back) when it cannot be written."""
    encoded = [(key, split, version, blob if isinstance(blob, bytes) else encode(*blob))
               for key, split, version, blob in rows]
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(INSERT, encoded)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


def main(argv: list[str]) -> None:
    rx = Connection(os.dup(0), writable=False)
    tx = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # stray prints must not corrupt the frames
    sys.stdout = sys.stderr
    try:
        conn = open_writable(argv[0])
    except (OSError, sqlite3.Error) as exc:
        tx.send(("fatal", str(exc)))
        return
    tx.send(("ready", None))
    while True:
        try:
            batch_id, rows = pickle.loads(rx.recv_bytes())
        except (EOFError, OSError):
            break
        why = None
        try:
            write(conn, rows)
        except (sqlite3.Error, TypeError, ValueError) as exc:
            why = str(exc) or type(exc).__name__
        try:
            tx.send((batch_id, why))
        except OSError:
            break
    conn.close()


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the run; it closes our stdin
    main(sys.argv[1:])
