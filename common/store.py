"""Durable output: append-only Parquet parts plus a manifest, assembled atomically at the end.

Layout for an output `X.parquet`:
    X.parquet.parts/part-000001.parquet ...   completed rows, each part written to a temp name,
    X.parquet.parts/manifest.json             fsynced and renamed; the manifest lists the parts
X.parquet is written last (temp name, fsync, rename), then the parts folder is removed. A part
that is on disk but not in the manifest was cut off by a crash and is ignored.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from common.errors import UserError
from common.schema import ARROW_SCHEMA, BestOfNRecord, records_to_table

log = logging.getLogger("bestofn")

KEY_COLUMNS = ["query_id", "candidate_idx"]
ROW_GROUP_ROWS = 20_000
ROW_GROUP_BYTES = 64 << 20
Key = tuple[str, int]
ADOPTED = "part-000000.parquet"  # a finished file taken back as the first part (a hard link)
# What later commands recorded in a finished file's metadata: kept when a generate extends the file.
CARRIED_KEYS = ("bestofn.verify_history", "bestofn.regen_history")


def _part_fingerprint(path: Path) -> str | None:
    """The config fingerprint a part was written with (None: a part from before parts carried one)."""
    value = (pq.read_schema(path).metadata or {}).get(b"bestofn.fingerprint")
    return value.decode() if value else None


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def lock_path(output: Path) -> Path:
    """The lock file of an output: beside the file it names, so a symlink and its target share one."""
    real = real_path(output)
    return real.with_name(real.name + ".lock")


def real_path(path: Path) -> Path:
    """The file `path` names, through any symlinks: a file rewritten in place is replaced, never its link."""
    return Path(os.path.realpath(path))


def busy(output: Path, holder: str) -> UserError:
    return UserError(
        f"{output} is being written by another bestofn run (pid {holder}); wait for it to finish, then run this again."
    )


def _holder_pid(fd: int) -> str:
    holder = ""
    for _ in range(20):  # the holder writes its pid just after it takes the lock
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if holder:
            break
        time.sleep(0.01)
    return holder or "unknown"


def lock_holder(output: Path) -> str | None:
    """The pid of the run that holds `output`'s lock, or None when no run does. Creates nothing, so it
    works where the folder cannot be written (and on a lock file a killed run left behind)."""
    try:
        fd = os.open(lock_path(output), os.O_RDONLY)
    except OSError:
        return None  # no lock file: nobody holds it
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder_pid(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class OutputLock:
    """One run at a time per output: an exclusive flock on `X.parquet.lock`, holding the holder's pid.

    Non-blocking: a second run is refused at once, told which process holds the output. The file is
    removed on release; a run that opened it just before checks it locked the file still on disk.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = lock_path(output)
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder_pid(fd)
                os.close(fd)
                raise busy(self.output, holder) from None
            try:
                current = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                break
            os.close(fd)  # the holder removed it as we opened it: lock the one on disk now
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)  # still holding it: nobody can take a lock on a stale file
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


@contextmanager
def input_lock(path: Path) -> Iterator[None]:
    """Hold a file a run reads but does not write (verify to another --output), so no generate, regen or
    verify replaces it meanwhile. Where its folder cannot be written (a read-only mount) no run can
    replace it either: then only a run that holds it already is refused, and nothing is created there."""
    lock: OutputLock | None = OutputLock(path)
    try:
        lock.__enter__()
    except OSError as e:
        if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        lock = None
    if lock is None and (holder := lock_holder(path)) is not None:
        raise busy(path, holder)
    try:
        yield
    finally:
        if lock is not None:
            lock.__exit__()


def bestofn_metadata(schema: pa.Schema) -> dict[str, str]:
    """The bestofn.* entries of a Parquet schema, decoded."""
    return {k.decode(): v.decode() for k, v in (schema.metadata or {}).items() if k.startswith(b"bestofn.")}


def read_metadata(path: Path) -> dict[str, str]:
    return bestofn_metadata(pq.read_schema(path))


def iter_batches(path: Path, columns: list[str] | None = None, batch_size: int = 4096) -> Iterator[pa.RecordBatch]:
    yield from pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=columns)


def iter_rows(path: Path, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """Rows of a few columns as tuples, a batch at a time (the file is never read whole)."""
    for batch in iter_batches(path, columns, batch_size=65536):
        yield from zip(*(batch.column(c).to_pylist() for c in columns), strict=True)


def read_keys(path: Path) -> Iterator[Key]:
    yield from iter_rows(path, KEY_COLUMNS)


class CheckpointStore:
    """Rows go in through `add`; `flush` makes them durable; `finalize` writes the output file."""

    def __init__(
        self, output: Path, fingerprint: str, metadata: dict[str, str], identity: dict[str, Any] | None = None
    ) -> None:
        self.output = output
        self.parts_dir = output.with_name(output.name + ".parts")
        self.manifest_path = self.parts_dir / "manifest.json"
        self.fingerprint = fingerprint
        self.identity = identity or {}  # the config values behind the fingerprint, to name what differs
        self.metadata = {**metadata, "bestofn.fingerprint": fingerprint,
                         "bestofn.identity": json.dumps(self.identity, sort_keys=True, default=str)}
        self._parts: list[str] = []
        self._buffer: list[BestOfNRecord] = []
        self.rows_written = 0

    # ---- opening ----------------------------------------------------------------------------
    def open(self, overwrite: bool = False, repair: bool = False, discard_other: bool = False) -> set[Key]:
        """Prepare the folder and return the keys already done (empty for a new run).

        A damaged checkpoint (manifest unreadable, a part missing or unreadable) is refused with one
        sentence unless `repair`: then every readable part is kept and the rest is dropped, so the
        run regenerates only the dropped rows. `discard_other` drops checkpoints of another config
        instead of refusing them (regen's scratch parts)."""
        if self.output.is_dir():
            raise UserError(f"the output {self.output} is a directory; name a .parquet file.")
        if self.output.exists() and not self.output.is_file():
            raise UserError(f"the output {self.output} is not a regular file; name a .parquet file.")
        if self.parts_dir.exists() and not self.parts_dir.is_dir():
            raise UserError(f"{self.parts_dir} is in the way (a file where the checkpoint folder goes); move it.")
        if overwrite:
            shutil.rmtree(self.parts_dir, ignore_errors=True)
            self.output.unlink(missing_ok=True)
        done: set[Key] = set()
        # A run writes its manifest before its first part: parts without one are damage, not strays.
        if self.manifest_path.exists() or any(self.parts_dir.glob("part-*.parquet")):
            try:
                self._parts, done = self._open_parts(repair, discard_other)
            except UserError:
                if not discard_other:
                    raise
                log.warning("%s is damaged; it held scratch rows only, starting afresh.", self.parts_dir)
                shutil.rmtree(self.parts_dir, ignore_errors=True)
                self._parts, done = [], set()
        elif self.output.exists():
            meta = self._final_file_metadata()
            if self._check_fingerprint(meta, self.output, discard_other):
                self._adopt_final_file()
                done = set(read_keys(self.parts_dir / ADOPTED))
        if ADOPTED in self._parts:  # extending a finished file: what regen and verify recorded stays
            self._carry_history(self.parts_dir / ADOPTED)
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        for stray in self.parts_dir.glob("part-*.parquet"):
            if stray.name not in self._parts:
                stray.unlink()
        self.rows_written = len(done)
        self._write_manifest()
        return done

    def iter_kept(self, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        """Rows already in the checkpoint (after `open`), a few columns at a time; a column an older
        part lacks reads as None."""
        for name in self._parts:
            path = self.parts_dir / name
            have = set(pq.read_schema(path).names)
            present = [c for c in columns if c in have]
            for row in iter_rows(path, present):
                values = dict(zip(present, row, strict=True))
                yield tuple(values.get(c) for c in columns)

    def _damaged(self, what: str) -> UserError:
        return UserError(
            f"the checkpoint in {self.parts_dir} is damaged ({what}); run the same command with --repair to keep "
            "every readable part and regenerate only the lost rows, or with --overwrite to start over."
        )

    def _open_parts(self, repair: bool, discard_other: bool) -> tuple[list[str], set[Key]]:
        """The manifest's parts, each checked readable, and the rows they hold; with `repair`,
        whatever can be kept."""
        manifest: Any = None
        try:
            manifest = json.loads(self.manifest_path.read_text())
            listed = manifest["parts"]
            if not (isinstance(listed, list) and all(isinstance(p, str) for p in listed)):
                raise TypeError("parts is not a list of names")
        except (OSError, ValueError, KeyError, TypeError) as e:
            if not repair:
                raise self._damaged(f"{self.manifest_path.name} unreadable: {type(e).__name__}") from None
            # Every part was complete when renamed into place: all on disk is usable, in order.
            listed = sorted(p.name for p in self.parts_dir.glob("part-*.parquet"))
            manifest = None
        if manifest is not None and not self._check_fingerprint(
            {"bestofn.fingerprint": manifest.get("fingerprint"), "bestofn.identity": manifest.get("identity")},
            self.parts_dir, discard_other,
        ):
            return [], set()
        kept: list[str] = []
        seen: set[Key] = set()
        dropped: list[str] = []
        for name in listed:
            try:
                if repair and manifest is None and _part_fingerprint(self.parts_dir / name) not in (
                        self.fingerprint, None):
                    dropped.append(f"{name} (made with another config)")  # no manifest vouches for it
                    continue
                keys = set(read_keys(self.parts_dir / name))
            except (OSError, ValueError, pa.ArrowException) as e:
                if repair and name == ADOPTED and self._final_file_is_ours():
                    self._adopt_final_file()  # the finished file it linked to is still whole
                    keys = set(read_keys(self.parts_dir / name))
                elif not repair:
                    raise self._damaged(f"{name} unreadable: {type(e).__name__}") from None
                else:
                    dropped.append(f"{name} ({type(e).__name__})")
                    continue
            if keys & seen:  # never two copies of a row
                dropped.append(f"{name} (rows already kept)")
                continue
            seen |= keys
            kept.append(name)
        if repair:
            log.warning("repair: kept %d checkpoint parts (%d rows)%s", len(kept), len(seen),
                        f"; dropped {', '.join(dropped)}" if dropped else "")
        return kept, seen

    def _final_file_is_ours(self) -> bool:
        try:
            return read_metadata(self.output).get("bestofn.fingerprint") == self.fingerprint
        except (OSError, ValueError, pa.ArrowException):
            return False

    def _final_file_metadata(self) -> dict[str, str]:
        try:
            return read_metadata(self.output)
        except (OSError, ValueError, pa.ArrowException) as e:
            raise UserError(
                f"{self.output} exists but is not a readable Parquet file ({type(e).__name__}); move it away, "
                "or pass --overwrite to replace it."
            ) from None

    def _check_fingerprint(self, found: dict[str, Any], where: Path, discard_other: bool) -> bool:
        """True when `found` (a manifest's or a file's entries) was made with this config."""
        if found.get("bestofn.fingerprint") == self.fingerprint:
            return True
        if discard_other:
            log.warning("%s holds checkpoints of another config; starting afresh.", where)
            shutil.rmtree(self.parts_dir, ignore_errors=True)
            return False
        raise UserError(
            f"{where} was made with a different config{self._differences(found.get('bestofn.identity'))}; pass "
            "--overwrite to replace it or choose another --output."
        )

    def _differences(self, saved: Any) -> str:
        if isinstance(saved, str):
            try:
                saved = json.loads(saved)
            except ValueError:
                saved = None
        if not isinstance(saved, dict) or not self.identity:
            return ""
        keys = sorted(k for k in self.identity.keys() | saved.keys() if self.identity.get(k) != saved.get(k))
        shown = ", ".join(f"{k}: {saved.get(k)!r} there, {self.identity.get(k)!r} now" for k in keys[:4])
        return f" ({shown}{', ...' if len(keys) > 4 else ''})" if keys else ""

    def _carry_history(self, source: Path) -> None:
        try:
            found = read_metadata(source)
        except (OSError, ValueError, pa.ArrowException):
            return
        self.metadata.update({k: found[k] for k in CARRIED_KEYS if k in found})

    def _adopt_final_file(self) -> None:
        """Resume from a finished file: it becomes the first part (a hard link, no copy)."""
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        first = self.parts_dir / ADOPTED
        first.unlink(missing_ok=True)
        try:
            os.link(self.output, first)
        except OSError:
            shutil.copyfile(self.output, first)
        self._parts = [first.name]

    # ---- writing ----------------------------------------------------------------------------
    def add(self, records: Iterable[BestOfNRecord]) -> None:
        self._buffer.extend(records)

    def take(self) -> list[BestOfNRecord]:
        """Hand over the buffered rows (on the caller's thread) so a write can run elsewhere."""
        rows, self._buffer = self._buffer, []
        return rows

    def flush(self) -> int:
        return self.write_part(self.take())

    def write_part(self, rows: list[BestOfNRecord]) -> int:
        """Make rows durable as one part; returns how many were written."""
        if not rows:
            return 0
        # Each part names its config, so a repair without a manifest can tell whose rows it holds.
        table = records_to_table(rows).replace_schema_metadata({b"bestofn.fingerprint": self.fingerprint.encode()})
        name = f"part-{len(self._parts) + 1:06d}.parquet"
        while (self.parts_dir / name).exists() or name in self._parts:
            name = f"part-{int(name[5:11]) + 1:06d}.parquet"
        tmp = self.parts_dir / f".{name}.tmp"
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.parts_dir / name)
        self._parts.append(name)
        self._write_manifest()
        self.rows_written += len(rows)
        return len(rows)

    def _write_manifest(self) -> None:
        data = {"fingerprint": self.fingerprint, "identity": self.identity, "parts": self._parts}
        atomic_write_bytes(self.manifest_path, json.dumps(data, indent=1).encode())

    def finalize(self, extra_metadata: dict[str, str] | None = None) -> Path:
        """Stream every part into the output file (flat memory), then drop the parts."""
        self.flush()
        meta = {**self.metadata, **(extra_metadata or {})}
        write_parquet_atomic(self.output, self.iter_part_batches(), meta)
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        return self.output

    def iter_part_batches(self) -> Iterator[pa.RecordBatch]:
        for name in self._parts:
            yield from iter_batches(self.parts_dir / name)


def write_parquet_atomic(
    path: Path, batches: Iterable[pa.RecordBatch], metadata: dict[str, str], schema: pa.Schema = ARROW_SCHEMA
) -> None:
    """Write `batches` (cast to `schema`: the row schema, plus any columns of its own a caller carries) to
    `path` atomically: a temp name beside the file, fsync, rename. A symlink is written through: the file it
    names is replaced and the link stays. On any failure the temp file is removed and `path` is as it was."""
    path = real_path(path)
    full = schema.with_metadata({k.encode(): v.encode() for k, v in metadata.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            with pq.ParquetWriter(f, full, compression="zstd") as writer:
                # Parts are small; one row group each would make the footer (and the writer's memory)
                # grow with the run. Row groups are cut by rows or bytes, whichever comes first.
                pending: list[pa.Table] = []
                rows = size = 0
                for batch in batches:
                    table = conform(pa.Table.from_batches([batch]), schema)
                    pending.append(table)
                    rows, size = rows + table.num_rows, size + table.nbytes
                    if len(pending) >= 64:  # many small tables cost far more than their bytes: compact
                        pending = [pa.concat_tables(pending).combine_chunks()]
                    if rows >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
                        writer.write_table(pa.concat_tables(pending))
                        pending, rows, size = [], 0, 0
                if pending:
                    writer.write_table(pa.concat_tables(pending))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def conform(table: pa.Table, schema: pa.Schema = ARROW_SCHEMA) -> pa.Table:
    """Cast a table written by an older schema version to the current one (new columns null)."""
    if table.schema.equals(schema, check_metadata=False):
        return table
    cols = [
        table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(len(table), f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(cols, schema=schema)
