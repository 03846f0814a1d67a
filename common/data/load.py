"""Queries from Nemotron post-training data: Hugging Face hub ids or local .jsonl/.json/.parquet files.

Everything here streams: rows are read one line or one Parquet batch at a time and iteration stops
as soon as each split's quota is met, so a 100 GB dataset costs no more than the rows actually used.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.data.query import Query
from common.data.rows import norm_split, row_to_query
from common.errors import UserError

WARN_SKIPPED = 3  # unreadable rows explained in the log; the summary counts them all
log = logging.getLogger(__name__)

DEFAULT_DATASET = "nvidia/Nemotron-Post-Training-Dataset-v2"
TOOL_CALLING_DATASET = "nvidia/Nemotron-Post-Training-Dataset-v1"
# v1 keeps tool-calling rows in their own files whose schema differs from the other splits,
# so they load reliably only through explicit data_files.
_TOOL_CALLING_FILES = {"tool_calling": "data/tool-*"}
_LOCAL_SUFFIXES = (".jsonl", ".json", ".parquet")
_GLOB_CHARS = "*?["
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PROBE_TIMEOUT_S = 3.0
# Offline, `datasets` reads only its own prepared cache (left by a `streaming: false` load while online),
# never the hub's download cache; the downloaded files themselves load as a local dataset.
_LOCAL_HINT = (
    "point `dataset:` at local .jsonl/.parquet files (e.g. experiments/samples/*.jsonl, or the "
    "data files of a downloaded copy), or load it once online with `streaming: false` and then run "
    "with HF_HUB_OFFLINE=1"
)


class DatasetError(UserError):
    """A dataset the user named cannot be used; str(e) is one sentence saying what to do."""


@dataclass
class LoadStats:
    loaded: dict[str, int] = field(default_factory=dict)
    skipped_empty: dict[str, int] = field(default_factory=dict)
    skipped_bad: dict[str, int] = field(default_factory=dict)

    def _bump(self, counter: dict[str, int], split: str) -> None:
        counter[split] = counter.get(split, 0) + 1


# --------------------------------------------------------------------------- local files
def is_local_dataset(dataset: str) -> bool:
    d = dataset.strip()
    return (
        Path(d).expanduser().exists()
        or any(c in d for c in _GLOB_CHARS)
        or d.lower().endswith(_LOCAL_SUFFIXES)
        or d.startswith(("./", "../", "/", "~"))
    )




def _local_files(dataset: str) -> list[Path]:
    spec = os.path.expanduser(dataset.strip())
    candidates = [spec]
    if not os.path.isabs(spec):
        # configs name the shipped sample relative to the repo, whatever the cwd is
        candidates.append(str(_PROJECT_ROOT / spec))
    for cand in candidates:
        if any(c in cand for c in _GLOB_CHARS):
            paths = [Path(p) for p in sorted(glob.glob(cand, recursive=True))]
        elif Path(cand).is_dir():
            paths = sorted(p for p in Path(cand).iterdir() if p.suffix.lower() in _LOCAL_SUFFIXES)
        else:
            paths = [Path(cand)] if Path(cand).exists() else []
        files = [p for p in paths if p.is_file() and p.suffix.lower() in _LOCAL_SUFFIXES]
        if files:
            return files
        if paths:
            raise DatasetError(
                f"Local dataset '{dataset}' matches no .jsonl, .json or .parquet file; "
                "point `dataset:` at files of those kinds."
            )
    raise DatasetError(
        f"Local dataset '{dataset}' matches no files; check the path or glob "
        "(e.g. experiments/samples/*.jsonl)."
    )


def _iter_file_rows(path: Path) -> Iterator[dict]:
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            with pq.ParquetFile(path) as pf:
                for batch in pf.iter_batches(batch_size=256):
                    yield from batch.to_pylist()
            return
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise DatasetError(
                        f"Line {lineno} of local dataset file '{path}' is not valid JSON; "
                        "fix or remove that line (files must hold one JSON object per line)."
                    ) from None
    except DatasetError:
        raise
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(
            f"Local dataset file '{path}' cannot be read ({e}); check it exists and is readable."
        ) from None
    except Exception as e:
        if type(e).__module__.startswith("pyarrow"):
            raise DatasetError(
                f"Local dataset file '{path}' is not a readable Parquet file ({e}); re-export it."
            ) from None
        raise


def _row_split(row: Any, path: Path) -> str:
    if isinstance(row, dict):
        for key in ("split", "category"):
            value = row.get(key)
            if isinstance(value, str) and value.strip():
                return norm_split(value)
    return norm_split(path.stem)


def _local_rows(files: list[Path], split: str) -> Iterator[dict]:
    want = norm_split(split)
    for path in files:
        for row in _iter_file_rows(path):
            if _row_split(row, path) == want:
                yield row


# --------------------------------------------------------------------------- hub


def _offline() -> bool:
    return any(os.environ.get(k, "").strip().lower() in ("1", "true", "yes", "on")
               for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def _reach(url: str) -> str | None:
    """None when `url` answers at all (any HTTP status), else why not."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=_PROBE_TIMEOUT_S):
            return None
    except urllib.error.HTTPError:
        return None  # the hub answered; load_dataset reports not-found or auth problems itself
    except (OSError, ValueError) as e:  # URLError, timeouts, refused connections, a malformed endpoint
        return str(getattr(e, "reason", e))


def _probe_hub(dataset: str) -> None:
    """Fail in seconds when the hub is unreachable, instead of datasets' long retry loop."""
    if _offline():
        return
    endpoint = os.environ.get("HF_ENDPOINT", "").strip() or "https://huggingface.co"
    url = endpoint.rstrip("/") + "/api/datasets/" + dataset
    # urlopen's timeout does not cover DNS lookups, which can hang far longer; bound the whole probe
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(_reach(url)), daemon=True)
    worker.start()
    worker.join(_PROBE_TIMEOUT_S + 1)
    reason = result[0] if result else f"no answer within {_PROBE_TIMEOUT_S + 1:.0f} s"
    if reason is not None:
        raise DatasetError(
            f"Dataset '{dataset}' needs the Hugging Face hub at {endpoint}, which is unreachable "
            f"({reason}); {_LOCAL_HINT}."
        )


def _hub_source(dataset: str, split: str) -> tuple[str, dict[str, Any]]:
    if norm_split(split) == "tool_calling" and dataset in (DEFAULT_DATASET, TOOL_CALLING_DATASET):
        return TOOL_CALLING_DATASET, {"data_files": _TOOL_CALLING_FILES, "split": "tool_calling"}
    return dataset, {"split": split}


def _load_error(dataset: str, split: str, e: BaseException) -> DatasetError:
    first_line = (str(e).strip().splitlines() or [""])[0][:300]
    return DatasetError(
        f"Split '{split}' of dataset '{dataset}' could not be loaded ({type(e).__name__}: {first_line}); "
        f"check the dataset id and split name, or {_LOCAL_HINT}."
    )


def _hub_rows(dataset: str, split: str, streaming: bool) -> Iterator[dict]:
    name, kwargs = _hub_source(dataset, split)
    try:
        import datasets  # slow to import, so only when a hub id is used

        ds = datasets.load_dataset(name, streaming=streaming, **kwargs)
        it = iter(ds)
    except Exception as e:
        raise _load_error(name, split, e) from e
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except Exception as e:  # streaming fetches shards lazily, so network errors surface here
            raise _load_error(name, split, e) from e
        yield row


# --------------------------------------------------------------------------- public entry points


def _quota(max_queries: int | dict[str, int] | None, split: str) -> int | None:
    q = max_queries.get(split) if isinstance(max_queries, dict) else max_queries
    if q is not None and q < 0:
        raise ValueError(f"max_queries for split '{split}' must be >= 0, got {q}")
    return q


def iter_queries(
    dataset: str,
    splits: list[str],
    max_queries: int | dict[str, int] | None,
    streaming: bool = True,
    stats: LoadStats | None = None,
) -> Iterator[Query]:
    """Queries split by split in the order given, rows in file order, at most max_queries per split."""
    stats = stats if stats is not None else LoadStats()
    local = is_local_dataset(dataset)
    files = _local_files(dataset) if local else None
    if not local:
        _probe_hub(dataset)
    for split in splits:
        for counter in (stats.loaded, stats.skipped_empty, stats.skipped_bad):
            counter.setdefault(split, 0)
        quota = _quota(max_queries, split)
        if quota == 0:
            continue
        rows: Iterable[dict] = _local_rows(files, split) if files is not None else _hub_rows(
            dataset, split, streaming)
        for row in rows:
            try:
                query = row_to_query(row, split)
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                stats._bump(stats.skipped_bad, split)
                rid = (row.get("uuid") or row.get("id")) if isinstance(row, dict) else None
                # The first few say why, so a user can fix their data; the rest only count.
                level = logging.WARNING if sum(stats.skipped_bad.values()) <= WARN_SKIPPED else logging.DEBUG
                log.log(level, "skipping %s row %s: %s", split, rid if rid is not None else "(no id)", e)
                continue
            if query is None:
                stats._bump(stats.skipped_empty, split)
                continue
            stats._bump(stats.loaded, split)
            yield query
            if quota is not None and stats.loaded[split] >= quota:
                break  # before pulling another row: keeps huge files and streams cheap


def check_dataset(dataset: str, splits: list[str]) -> None:
    """Cheap pre-flight: local files exist and hold every split; a hub id's hub is reachable."""
    if not splits:
        raise DatasetError(f"No splits were requested for dataset '{dataset}'; set `splits:` (e.g. [math]).")
    if not is_local_dataset(dataset):
        _probe_hub(dataset)
        return
    missing = {norm_split(s): s for s in splits}
    seen: set[str] = set()
    for path in _local_files(dataset):
        for row in _iter_file_rows(path):
            split = _row_split(row, path)
            seen.add(split)
            missing.pop(split, None)
            if not missing:
                return
    found = ", ".join(sorted(seen)) or "none"
    raise DatasetError(
        f"Local dataset '{dataset}' has no rows for split(s) {', '.join(missing.values())} "
        f"(found: {found}); change `splits:` or add those rows."
    )
