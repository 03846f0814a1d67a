"""CheckpointStore on its own: parts and manifest, resume, and writes cut off half way.

A cut-off write is simulated where every implementation has to pass: the file object that `open`
(built-in or `Path.open`) hands back writes the first half of what it is given, then fails the way a
full disk does. Whatever file was being written is then half written; the store must never have
been writing that half file under a name a later run trusts.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from common.errors import UserError
from common.schema import BestOfNRecord
from common.store import CheckpointStore, Key

FP = "fingerprint-1"


def rec(qid: str, idx: int, split: str = "math", **extra: Any) -> BestOfNRecord:
    return BestOfNRecord(query_id=qid, split=split, candidate_idx=idx, question=f"question {qid}",
                         model="m", provider="p", max_tokens=16, run_id="run-1", response=f"{qid}/{idx}", **extra)


def rows(*qids: str, n: int = 2) -> list[BestOfNRecord]:
    return [rec(q, i) for q in qids for i in range(n)]


def keys(*qids: str, n: int = 2) -> set[Key]:
    return {(q, i) for q in qids for i in range(n)}


def manifest(out: Path) -> dict[str, Any]:
    return json.loads((out.parent / (out.name + ".parts") / "manifest.json").read_text())


# --------------------------------------------------------------------------- parts, reopen, resume


def test_parts_survive_a_reopen_and_make_the_resume_set(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    assert store.open() == set()
    assert manifest(out) == {"fingerprint": FP, "identity": {}, "parts": []}  # a new run has a manifest from the start
    store.add(rows("a", "b"))
    assert store.flush() == 4
    store.add(rows("c"))
    assert store.flush() == 2
    assert store.flush() == 0  # nothing buffered: no empty part
    assert manifest(out)["parts"] == ["part-000001.parquet", "part-000002.parquet"]
    assert sorted(p.name for p in store.parts_dir.iterdir()) == [
        "manifest.json", "part-000001.parquet", "part-000002.parquet"]  # no temp file left behind

    # A new process (a new store object) resumes from exactly what was made.
    again = CheckpointStore(out, FP, {})
    assert again.open() == keys("a", "b", "c")
    assert again.rows_written == 6
    again.add(rows("d"))
    again.flush()
    assert manifest(out)["parts"][-1] == "part-000003.parquet"
    assert CheckpointStore(out, FP, {}).open() == keys("a", "b", "c", "d")


def test_a_part_not_in_the_manifest_is_dropped_on_reopen(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    store.flush()
    # What a crash between a part's rename and the manifest's leaves behind.
    stray = store.parts_dir / "part-000002.parquet"
    stray.write_bytes((store.parts_dir / "part-000001.parquet").read_bytes())
    again = CheckpointStore(out, FP, {})
    assert again.open() == keys("a")
    assert not stray.exists()


def test_finalize_writes_every_row_once_and_a_finished_file_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {"bestofn.notes": "n"})
    store.open()
    store.add(rows("a"))
    store.flush()
    store.add(rows("b"))  # buffered only: finalize flushes it
    store.finalize()
    df = pd.read_parquet(out)
    assert sorted(zip(df.query_id, df.candidate_idx, strict=True)) == sorted(keys("a", "b"))
    assert not store.parts_dir.exists()
    # Extending a finished file: its rows are done, and kept.
    again = CheckpointStore(out, FP, {})
    assert again.open() == keys("a", "b")
    again.add(rows("c"))
    again.finalize()
    df = pd.read_parquet(out)
    assert len(df) == 6 and not df.duplicated(["query_id", "candidate_idx"]).any()


def test_another_config_is_refused_and_its_checkpoints_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    store.flush()
    with pytest.raises(UserError, match="different config"):
        CheckpointStore(out, "another-fingerprint", {}).open()
    assert CheckpointStore(out, FP, {}).open() == keys("a")
    assert CheckpointStore(out, "another-fingerprint", {}).open(overwrite=True) == set()


# --------------------------------------------------------------------------- writes cut off half way


class _HalfWriter:
    """A file object that writes half of the first thing it is given, then fails like a full disk."""

    def __init__(self, f: Any) -> None:
        self._f = f

    def write(self, data: Any) -> int:
        data = bytes(data) if isinstance(data, memoryview) else data
        self._f.write(data[: max(1, len(data) // 2)])
        self._f.flush()
        raise OSError(errno.ENOSPC, "No space left on device (simulated)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


@pytest.fixture
def cut_off_writes(monkeypatch: pytest.MonkeyPatch) -> Callable[[str | None], list[str]]:
    """cut_off_writes("manifest"): from now on, writes to files whose name holds that word fail half way;
    cut_off_writes(None): the disk has room again."""
    real_open = builtins.open
    target: list[str] = []
    hits: list[str] = []

    def cutting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        f = real_open(file, mode, *args, **kwargs)
        name = os.path.basename(os.fsdecode(file)) if isinstance(file, str | bytes | os.PathLike) else ""
        if target and target[0] in name and any(c in mode for c in "wax+"):
            hits.append(name)
            return _HalfWriter(f)
        return f

    monkeypatch.setattr(builtins, "open", cutting_open)
    monkeypatch.setattr(io, "open", cutting_open)  # Path.open / write_bytes / write_text go through io.open

    def arm(word: str | None) -> list[str]:
        target[:] = [word] if word else []
        return hits

    return arm


def test_a_manifest_write_cut_off_leaves_the_previous_manifest_and_loses_no_row(
    tmp_path: Path, cut_off_writes: Callable[[str | None], list[str]]
) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a", "b"))
    store.flush()
    before = (store.parts_dir / "manifest.json").read_bytes()

    hits = cut_off_writes("manifest")
    store.add(rows("c"))
    with pytest.raises(OSError):
        store.flush()
    assert hits, "the manifest was not written through open(): the simulated cut-off never happened"

    # The manifest a later run reads is the previous one, whole and valid, not half of the new one.
    assert (store.parts_dir / "manifest.json").read_bytes() == before
    assert manifest(out) == {"fingerprint": FP, "identity": {}, "parts": ["part-000001.parquet"]}
    cut_off_writes(None)
    again = CheckpointStore(out, FP, {})
    assert again.open() == keys("a", "b")  # every checkpointed row is still there
    again.add(rows("c"))
    again.finalize()
    df = pd.read_parquet(out)
    assert sorted(zip(df.query_id, df.candidate_idx, strict=True)) == sorted(keys("a", "b", "c"))


def test_a_part_write_cut_off_leaves_no_part_and_the_manifest_as_it_was(
    tmp_path: Path, cut_off_writes: Callable[[str | None], list[str]]
) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    store.flush()
    before = (store.parts_dir / "manifest.json").read_bytes()

    hits = cut_off_writes("part-")
    store.add(rows("b"))
    with pytest.raises(OSError):
        store.flush()
    assert hits
    assert not (store.parts_dir / "part-000002.parquet").exists()  # a half part never gets a part's name
    assert (store.parts_dir / "manifest.json").read_bytes() == before
    assert CheckpointStore(out, FP, {}).open() == keys("a")


def test_an_output_lock_refuses_a_second_holder_and_names_the_first(tmp_path: Path) -> None:
    import os

    from common.errors import UserError
    from common.store import OutputLock

    out = tmp_path / "out.parquet"
    with OutputLock(out) as held:
        assert held.path.read_text().strip() == str(os.getpid())
        with pytest.raises(UserError, match=f"another bestofn run \\(pid {os.getpid()}\\)"):
            OutputLock(out).__enter__()
    assert not held.path.exists()  # released and removed
    with OutputLock(out):  # free again
        pass


def test_repair_keeps_every_readable_part_and_never_two_copies_of_a_row(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    store.flush()
    store.add(rows("b"))
    store.flush()
    parts = out.with_name(out.name + ".parts")
    (parts / "part-000002.parquet").write_bytes(b"PAR1 broken")
    (parts / "manifest.json").write_text("{")
    from common.errors import UserError

    with pytest.raises(UserError, match="--repair"):
        CheckpointStore(out, FP, {}).open()
    repaired = CheckpointStore(out, FP, {})
    assert repaired.open(repair=True) == keys("a")  # part 1 kept, the broken part 2 dropped
    assert manifest(out)["parts"] == ["part-000001.parquet"]


def test_a_symlink_and_the_file_it_names_share_one_lock(tmp_path: Path) -> None:
    from common.errors import UserError
    from common.store import OutputLock

    real = tmp_path / "real.parquet"
    real.write_bytes(b"")
    link = tmp_path / "link.parquet"
    link.symlink_to(real)
    with OutputLock(real), pytest.raises(UserError, match="another bestofn run"):
        OutputLock(link).__enter__()


def test_repair_adopts_a_finished_file_again_when_its_link_is_lost(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a", "b"))
    store.finalize()
    extension = CheckpointStore(out, FP, {})
    assert extension.open() == keys("a", "b")  # the finished file is linked in as part-000000
    (extension.parts_dir / "part-000000.parquet").unlink()  # the link lost, the file itself whole
    from common.errors import UserError

    with pytest.raises(UserError, match="--repair"):
        CheckpointStore(out, FP, {}).open()
    assert CheckpointStore(out, FP, {}).open(repair=True) == keys("a", "b")  # nothing to make again


def test_a_damaged_scratch_checkpoint_is_started_afresh(tmp_path: Path) -> None:
    out = tmp_path / "side"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    store.flush()
    (store.parts_dir / "manifest.json").write_text("{")
    assert CheckpointStore(out, FP, {}).open(discard_other=True) == set()  # regen's scratch: dropped, no error


def test_extending_a_finished_file_keeps_what_regen_and_verify_recorded(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "out.parquet"
    store = CheckpointStore(out, FP, {})
    store.open()
    store.add(rows("a"))
    history = {"bestofn.verify_history": '[{"run_id": "v1"}]', "bestofn.regen_history": '[{"run_id": "r1"}]'}
    store.finalize(history)
    extension = CheckpointStore(out, FP, {"bestofn.run_id": "run-2"})
    assert extension.open() == keys("a")
    extension.add(rows("b"))
    extension.finalize()
    meta = {k.decode(): v.decode() for k, v in pq.read_schema(out).metadata.items()}
    assert {k: meta.get(k) for k in history} == history and meta["bestofn.run_id"] == "run-2"
    assert len(pd.read_parquet(out)) == 4


def test_the_holder_of_a_lock_is_named_without_creating_anything(tmp_path: Path) -> None:
    from common.store import OutputLock, lock_holder

    out = tmp_path / "out.parquet"
    assert lock_holder(out) is None and list(tmp_path.iterdir()) == []
    with OutputLock(out):
        assert lock_holder(out) == str(os.getpid())
    (tmp_path / "out.parquet.lock").write_text("12345\n")  # what a killed run leaves: nobody holds it
    assert lock_holder(out) is None


def test_an_atomic_write_through_a_symlink_replaces_the_file_it_names(tmp_path: Path) -> None:
    from common.store import write_parquet_atomic

    store = CheckpointStore(tmp_path / "real.parquet", FP, {})
    store.open()
    store.add(rows("a"))
    store.finalize()
    link = tmp_path / "link.parquet"
    link.symlink_to("real.parquet")
    import pyarrow.parquet as pq

    write_parquet_atomic(link, pq.read_table(link).to_batches(), {"bestofn.notes": "again"})
    assert link.is_symlink() and len(pd.read_parquet(tmp_path / "real.parquet")) == 2
    assert pq.read_schema(tmp_path / "real.parquet").metadata[b"bestofn.notes"] == b"again"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.parquet", "real.parquet"]
