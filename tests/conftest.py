"""Shared fixtures: fake API servers in subprocesses, config files, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.fakes.launch import FakeServer, start_fake

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "experiments" / "samples"
DATA = ROOT / "tests" / "data"  # the labelled corpora


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeServer]:
    with start_fake("openai") as fake:
        yield fake


@pytest.fixture(scope="session")
def fake_anthropic() -> Iterator[FakeServer]:
    with start_fake("anthropic") as fake:
        yield fake


@pytest.fixture
def openai_fake(fake_openai: FakeServer) -> FakeServer:
    fake_openai.reset()
    return fake_openai


@pytest.fixture
def anthropic_fake(fake_anthropic: FakeServer) -> FakeServer:
    fake_anthropic.reset()
    return fake_anthropic


def write_config(path: Path, **keys: Any) -> Path:
    base: dict[str, Any] = {
        "dataset": str(SAMPLE / "*.jsonl"),
        "splits": "math",
        "max_queries": 3,
        "num_candidates": 2,
        "max_tokens": 256,
        "concurrency": 4,
        "output": str(path.parent / "out.parquet"),
        "checkpoint_every": 1,
        "judge_cache_dir": str(path.parent / "judge_cache"),
        "tool_mock_cache_dir": str(path.parent / "tool_mock_cache"),
    }
    base.update(keys)
    base = {k: v for k, v in base.items() if v is not None}
    path.write_text(yaml.safe_dump(base))
    return path


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ANTHROPIC_", "BESTOFN_"))}
    env["HF_HUB_OFFLINE"] = "1"
    env.update(extra)
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bestofn.py"), *args],
        cwd=ROOT,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def not_a_results_file(kind: str, folder: Path, pristine: Path) -> Path:
    """`folder/results.parquet` made into something a results command must refuse in one sentence:
    missing, text, a directory, empty, truncated (cut from `pristine`), or Parquet without bestofn's metadata."""
    path = folder / "results.parquet"
    if kind == "text":
        path.write_text("query_id,response\nq1,hello\n")
    elif kind == "directory":
        path.mkdir()
        (path / "inside.txt").write_text("not parquet")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = pristine.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "not ours":
        import pandas as pd

        pd.DataFrame({"query_id": ["q1"], "response": ["hi"]}).to_parquet(path)
    return path
