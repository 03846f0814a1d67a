"""regen's row selection on a results file with two splits: only the splits asked for, by mode."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from common.errors import UserError
from common.pipeline.regen import queries_from_file, select_rows
from common.schema import BestOfNRecord, records_to_table

# (query_id, split, candidate_idx, error, is_verified)
ROWS = [
    ("m1", "math", 0, "HTTP 500", None),
    ("m1", "math", 1, None, True),
    ("m2", "math", 0, None, False),
    ("m2", "math", 1, None, True),
    ("c1", "code", 0, "HTTP 400", None),
    ("c1", "code", 1, None, False),
    ("c2", "code", 0, None, True),
    ("c2", "code", 1, None, True),
]


def results_file(tmp_path: Path) -> Path:
    records = [
        BestOfNRecord(query_id=qid, split=split, candidate_idx=idx, question=f"question {qid}", model="m",
                      provider="p", max_tokens=16, run_id="r", error=error, is_verified=ok,
                      response=None if error else "answer")
        for qid, split, idx, error, ok in ROWS
    ]
    path = tmp_path / "results.parquet"
    pq.write_table(records_to_table(records), path)
    return path


def test_select_rows_keeps_to_the_splits_asked_for(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    assert select_rows(path, ["math"], "errors") == {"m1": [0]}
    assert select_rows(path, ["code"], "errors") == {"c1": [0]}
    assert select_rows(path, ["math"], "failed") == {"m1": [0], "m2": [0]}
    assert select_rows(path, ["code"], "failed") == {"c1": [0, 1]}
    assert select_rows(path, ["math"], "all") == {"m1": [0, 1], "m2": [0, 1]}
    with pytest.raises(UserError, match="has no split tool_calling; its splits are code, math"):
        select_rows(path, ["tool_calling"], "all")  # a split the file does not hold is a typo


def test_select_rows_without_splits_or_with_both_takes_every_split(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    both = {"m1": [0], "c1": [0]}
    assert select_rows(path, None, "errors") == both
    assert select_rows(path, [], "errors") == both
    assert select_rows(path, ["math", "code"], "errors") == both
    assert select_rows(path, None, "all") == {q: [0, 1] for q in ("m1", "m2", "c1", "c2")}


def test_queries_are_rebuilt_once_each_from_the_file(tmp_path: Path) -> None:
    path = results_file(tmp_path)
    got = list(queries_from_file(path, select_rows(path, ["code"], "failed")))
    assert [(q.query_id, q.split, q.question, idx) for q, idx in got] == [("c1", "code", "question c1", [0, 1])]


def test_rows_whose_judge_failed_are_redone_by_default(tmp_path: Path) -> None:
    from common.pipeline.regen import select_rows
    from common.schema import BestOfNRecord, records_to_table

    base = {"split": "tool_calling", "question": "q", "model": "m", "provider": "openai", "max_tokens": 10,
            "run_id": "r"}
    rows = [BestOfNRecord(query_id="a", candidate_idx=0, judge_error="judge: HTTP 500", **base),
            BestOfNRecord(query_id="a", candidate_idx=1, is_verified=True, **base)]
    path = tmp_path / "f.parquet"
    pq.write_table(records_to_table(rows), path)
    assert select_rows(path, None, "errors") == {"a": [0]}


def test_regen_beside_a_live_generate_names_it_and_never_says_remove_its_checkpoints(tmp_path: Path) -> None:
    from common.pipeline.regen import regen
    from common.store import OutputLock

    path = results_file(tmp_path)
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({b"bestofn.config": b"{}"}), path)
    (tmp_path / "results.parquet.parts").mkdir()  # a generate extending the file, still running
    with OutputLock(path), pytest.raises(UserError) as err:
        regen({}, "openai", path, None, "errors", {})
    assert "being written by another bestofn run" in str(err.value) and "remove" not in str(err.value)
