"""A Hugging Face dataset id, offline, through the REAL `datasets` and `huggingface_hub` libraries.

The dataset is a small copy of nvidia/Nemotron-Post-Training-Dataset-v2 written here: the shipped sample's
math and code rows as one Parquet file per split, laid out under HF_HUB_CACHE exactly as
`huggingface_hub` stores a downloaded repo (refs/main -> commit, snapshots/<commit>/... symlinked to
blobs/<sha256>), with a README whose `configs:` name the splits, as the real dataset card does.

What the installed `datasets` does with it, offline (HF_HUB_OFFLINE=1, HF_DATASETS_OFFLINE=1):
- `load_dataset("<org>/<name>")` never reads the hub's file cache: `dataset_module_factory` calls
  `_raise_if_offline_mode_is_enabled()` before `hf_hub_download` (datasets/load.py), and its fallback,
  `CachedDatasetModuleFactory`, looks only in the Arrow cache under HF_DATASETS_CACHE
  (`<org>___<name>/<config>/<version>/<hash>/`), which a non-streaming `load_dataset` leaves behind and a
  streaming one does not. So a copy in the hub cache alone gives a DatasetError, and the Arrow cache loads.
- The snapshot's files themselves load as a local dataset (`dataset:` a path or glob).

Each load runs in a subprocess: `datasets` and `huggingface_hub` read the offline flags and cache paths
once, at import. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import asdict
from pathlib import Path
from typing import Any

import huggingface_hub
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from common.data.load import DEFAULT_DATASET, LoadStats, iter_queries
from tests.conftest import ROOT, SAMPLE

COMMIT = "5d2f0c6e8a1b3c4d5e6f708192a3b4c5d6e7f809"
SPLITS = ["math", "code"]
README = """---
license: cc-by-4.0
configs:
- config_name: default
  data_files:
  - split: math
    path: data/math-*
  - split: code
    path: data/code-*
---
# A small copy of Nemotron-Post-Training-Dataset-v2 for tests
"""


def sample_rows(split: str, n: int = 3) -> list[dict[str, Any]]:
    lines = (SAMPLE / f"{split}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:n]]


def expected_queries(scratch: Path) -> list[dict[str, Any]]:
    """The same rows read by the local-file loader from a .jsonl: what the hub path must yield too."""
    path = scratch / "same_rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for split in SPLITS for row in sample_rows(split)))
    return json.loads(json.dumps([asdict(q) for q in iter_queries(str(path), SPLITS, None)]))


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


def write_hub_cache(hub: Path, repo_id: str = DEFAULT_DATASET) -> Path:
    """The repo as huggingface_hub caches a download; returns the snapshot folder."""
    repo = hub / ("datasets--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / COMMIT
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    (repo / "blobs").mkdir()
    files = {"README.md": README.encode()}
    files.update({f"data/{s}-00000-of-00001.parquet": parquet_bytes(sample_rows(s)) for s in SPLITS})
    for rel, data in files.items():
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        link = snapshot / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return snapshot


def offline_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "HF_HOME": str(home / "hf"),
            "HF_HUB_CACHE": str(home / "hf" / "hub"), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1", "PYTHONPATH": str(ROOT)}


LOAD = textwrap.dedent("""
    import json, sys
    from dataclasses import asdict
    from common.data.load import DatasetError, LoadStats, iter_queries
    stats = LoadStats()
    try:
        queries = [asdict(q) for q in iter_queries(sys.argv[1], sys.argv[2].split(","), None,
                                                   streaming=sys.argv[3] == "stream", stats=stats)]
    except DatasetError as e:
        print(json.dumps({"error": str(e)}))
    else:
        print(json.dumps({"queries": queries, "loaded": stats.loaded}))
""")


def load_offline(home: Path, dataset: str, streaming: bool) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", LOAD, dataset, ",".join(SPLITS), "stream" if streaming else "all"],
                          capture_output=True, text=True, timeout=180, cwd=home, env=offline_env(home))
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_the_copy_is_laid_out_as_huggingface_hub_caches_it(home: Path) -> None:
    hub = home / "hf" / "hub"
    snapshot = write_hub_cache(hub)
    info = huggingface_hub.scan_cache_dir(hub)
    assert not info.warnings, info.warnings
    (repo,) = info.repos
    assert (repo.repo_id, repo.repo_type) == (DEFAULT_DATASET, "dataset")
    (rev,) = repo.revisions
    assert rev.commit_hash == COMMIT and rev.refs == frozenset({"main"})
    assert {f.file_name for f in rev.files} == {"README.md", "math-00000-of-00001.parquet",
                                                 "code-00000-of-00001.parquet"}
    found = huggingface_hub.try_to_load_from_cache(DEFAULT_DATASET, "data/math-00000-of-00001.parquet",
                                                   cache_dir=hub, repo_type="dataset")
    assert found == str(snapshot / "data" / "math-00000-of-00001.parquet")


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "not-streaming"])
def test_a_copy_only_in_the_hub_cache_is_a_one_sentence_dataset_error_offline(home: Path, streaming: bool) -> None:
    write_hub_cache(home / "hf" / "hub")
    got = load_offline(home, DEFAULT_DATASET, streaming)
    assert "queries" not in got, "datasets now reads the hub cache offline: turn this into a load test"
    msg = got["error"]
    assert DEFAULT_DATASET in msg and "'math'" in msg and "local" in msg and "\n" not in msg
    assert "OfflineModeIsEnabled" in msg  # datasets refused before looking at the hub cache


@pytest.mark.parametrize("streaming", [True, False], ids=["streaming", "not-streaming"])
def test_the_arrow_cache_a_non_streaming_load_leaves_loads_offline(home: Path, streaming: bool) -> None:
    """The Arrow cache is written by the real `datasets` from the snapshot's own files; only its top folder
    is named for the hub id (`<org>___<name>`, as `DatasetBuilder._relative_data_dir` names it for a
    namespaced repo_id), because the builder refuses local data files under a hub repo_id."""
    snapshot = write_hub_cache(home / "hf" / "hub")
    name = DEFAULT_DATASET.split("/")[1]
    prepare = textwrap.dedent(f"""
        import shutil, sys
        from pathlib import Path
        import datasets
        repo = Path(sys.argv[1]) / {name!r}
        shutil.copytree(sys.argv[2], repo)  # follows the blob symlinks
        builder = datasets.load_dataset_builder(str(repo))
        builder.download_and_prepare()
        root = Path(datasets.config.HF_DATASETS_CACHE)
        (root / builder.dataset_name).rename(root / ("nvidia___" + builder.dataset_name))
        print(builder.dataset_name, builder.config_id)
    """)
    proc = subprocess.run([sys.executable, "-c", prepare, str(home / "repo"), str(snapshot)], capture_output=True,
                          text=True, timeout=180, cwd=home, env=offline_env(home))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["nemotron-post-training-dataset-v2", "default"]
    got = load_offline(home, DEFAULT_DATASET, streaming)
    assert "error" not in got, got
    assert got["loaded"] == {"math": 3, "code": 3}
    assert got["queries"] == expected_queries(home)  # the same Queries as the local loader's


def test_the_snapshot_files_load_as_a_local_dataset(home: Path) -> None:
    snapshot = write_hub_cache(home / "hf" / "hub")
    stats = LoadStats()
    got = [asdict(q) for q in iter_queries(str(snapshot / "data" / "*.parquet"), SPLITS, None, stats=stats)]
    assert stats.loaded == {"math": 3, "code": 3}
    assert json.loads(json.dumps(got)) == expected_queries(home)
