"""The verdict cache's batched writes (common/checks/verdicts.py, common/checks/verdict_writer.py): kept
verdicts reach the file through the writer process, or this process when there is none, and none is lost."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from common.checks import verdicts as verdicts_module
from common.checks.verdicts import WRITE_EVERY, VerdictCache
from verifiers.base import VerificationResult

CONTEXT = {"question": "What is 2+2?", "final_answer": None, "refusal_checked": True}


def _result(i: int) -> VerificationResult:
    return VerificationResult(i % 2 == 0, 0.95, f"verdict {i}", "math_symbolic", {"reason": "exact_match", "i": i})


def _keep(cache: VerdictCache, n: int) -> list[bytes]:
    keys = []
    for i in range(n):
        key, _ = cache.lookup("math", f"response {i}", "4", CONTEXT, None)
        assert key is not None
        cache.keep(key, "math", _result(i))
        keys.append(key)
    return keys


def _rows(root: Path) -> int:
    with sqlite3.connect(root / "verdicts.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM verdicts").fetchone()[0]


def test_batches_go_through_the_writer_process_and_all_are_there_after_close(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path, read=False)
    n = 2 * WRITE_EVERY + 17
    _keep(cache, n)
    writer = cache._writer
    assert writer is not None and writer.proc.poll() is None  # two batches handed over, the rest kept
    cache.close()
    assert writer.proc.poll() == 0 and _rows(tmp_path) == n
    reader = VerdictCache(tmp_path)
    for i in range(n):
        assert reader.lookup("math", f"response {i}", "4", CONTEXT, None)[1] == _result(i)
    assert reader.hits == n and cache.computed == n


def test_this_process_reads_what_is_not_written_yet(tmp_path: Path) -> None:
    filler = VerdictCache(tmp_path, read=False)
    _keep(filler, 3)  # fewer than a batch: still in memory
    reader = VerdictCache(tmp_path)
    assert reader.lookup("math", "response 1", "4", CONTEXT, None)[1] == _result(1)
    filler.close()


def test_without_a_writer_process_this_process_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_writer(path: object) -> None:
        raise OSError("no processes today")

    monkeypatch.setattr(verdicts_module, "_Writer", no_writer)
    cache = VerdictCache(tmp_path, read=False)
    _keep(cache, WRITE_EVERY + 5)
    assert _rows(tmp_path) == WRITE_EVERY  # the first batch, written here
    cache.close()
    assert _rows(tmp_path) == WRITE_EVERY + 5


def test_a_writer_that_dies_loses_nothing(tmp_path: Path) -> None:
    cache = VerdictCache(tmp_path, read=False)
    _keep(cache, WRITE_EVERY)
    writer = cache._writer
    assert writer is not None
    os.kill(writer.proc.pid, 9)
    writer.proc.wait()
    _keep(cache, 2 * WRITE_EVERY)  # the next batch finds it gone: what it held is written here
    cache.close()
    assert _rows(tmp_path) == 2 * WRITE_EVERY
