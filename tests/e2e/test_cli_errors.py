"""What a user sees when they get something wrong: one sentence, the right exit code, nothing written."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli, write_config


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["openai", "--help"],
        ["claude", "--help"],
        ["local", "--help"],
        ["openai", "generate", "--help"],
        ["claude", "regen", "--help"],
        ["local", "generate", "--help"],
    ],
)
def test_help_at_every_level(args: list[str]) -> None:
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "Usage" in r.stdout


def _assert_user_error(r, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr


@pytest.mark.parametrize(
    ("keys", "needles"),
    [
        ({"num_candidatez": 3}, ["unknown key 'num_candidatez'", "num_candidates"]),
        ({"num_candidates": "many"}, ["'num_candidates'", "integer"]),
        ({"temperature": 9}, ["'temperature'"]),
        ({"persona": "personas/nobody.txt"}, ["'persona'", "personas/nobody.txt"]),
        ({"dataset": "/nonexistent/dir/*.jsonl"}, ["'dataset'", "/nonexistent/dir/*.jsonl"]),
        ({"api": "completions"}, ["'api'"]),
        ({"max_queries": 0}, ["max_queries"]),
    ],
)
def test_bad_config_exits_2_and_writes_nothing(tmp_path: Path, keys: dict, needles: list[str]) -> None:
    cfg = write_config(tmp_path / "bad.yaml", **keys)
    r = run_cli("openai", "generate", "--config", str(cfg), env=cli_env(OPENAI_API_KEY="sk-test"))
    _assert_user_error(r, str(cfg), *needles)
    assert not (tmp_path / "out.parquet").exists()
    assert not (tmp_path / "out.parquet.parts").exists()


def test_config_file_missing_and_not_yaml(tmp_path: Path) -> None:
    r = run_cli("openai", "generate", "--config", str(tmp_path / "nope.yaml"))
    _assert_user_error(r, "nope.yaml", "does not exist")
    broken = tmp_path / "broken.yaml"
    broken.write_text("dataset: [unclosed\n")
    r = run_cli("openai", "generate", "--config", str(broken))
    _assert_user_error(r, "broken.yaml", "not valid YAML")


def test_missing_api_key_names_the_variable(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.yaml")
    r = run_cli("openai", "generate", "--config", str(cfg), env=cli_env())
    _assert_user_error(r, "OPENAI_API_KEY")
    r = run_cli("claude", "generate", "--config", str(cfg), env=cli_env())
    _assert_user_error(r, "ANTHROPIC_API_KEY")
    assert not (tmp_path / "out.parquet.parts").exists()


def test_unreachable_hub_fails_fast_with_advice(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cfg = write_config(tmp_path / "hf.yaml", dataset="nvidia/Nemotron-Post-Training-Dataset-v2")
    env = cli_env(OPENAI_API_KEY="sk-test", HF_ENDPOINT=f"http://127.0.0.1:{port}")
    env.pop("HF_HUB_OFFLINE")
    start = time.monotonic()
    r = run_cli("openai", "generate", "--config", str(cfg), env=env)
    assert time.monotonic() - start < 30
    _assert_user_error(r, "nvidia/Nemotron-Post-Training-Dataset-v2", "local")


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    r = run_cli("openai", "generate", "--num-candidatez", "3")
    assert r.returncode == 2


def test_generator_mismatch(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.yaml", generator="claude")
    r = run_cli("openai", "generate", "--config", str(cfg), env=cli_env(OPENAI_API_KEY="sk-test"))
    _assert_user_error(r, "generator")


@pytest.mark.parametrize(("keys", "env", "needle"), [
    ({"sandbox_image": "bestofn-no-such-image"}, {}, "bestofn-no-such-image"),
    ({}, {"BESTOFN_SANDBOX_POOL": "abc"}, "BESTOFN_SANDBOX_POOL"),
    ({"judge_provider": "gemini"}, {}, "judge_provider"),
])
def test_a_setting_that_cannot_work_stops_the_run_at_start(tmp_path: Path, keys: dict, env: dict,
                                                            needle: str) -> None:
    cfg = write_config(tmp_path / "c.yaml", splits="code", **keys)
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", "http://127.0.0.1:9/v1", "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test", **env))
    _assert_user_error(r, needle)
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize("args", [[], ["openai"], ["openai", "generate"], ["claude", "regen"], ["local", "generate"]])
def test_help_is_whole_at_80_columns(args: list[str]) -> None:
    r = run_cli(*args, "--help", env=cli_env(COLUMNS="80"))
    assert r.returncode == 0, r.stderr
    body = [line for line in r.stdout.splitlines() if not line.startswith("Usage:")]
    assert not [line for line in body if "..." in line or "…" in line]  # nothing cut off
    assert all(len(line) <= 80 for line in r.stdout.splitlines())


@pytest.mark.parametrize(("extra", "needle"), [
    (["--repair", "--overwrite"], "pass one of them"),
    (["--output", ""], "--output is empty"),
])
def test_contradictory_or_empty_options_are_one_sentence(tmp_path: Path, extra: list[str], needle: str) -> None:
    cfg = write_config(tmp_path / "c.yaml")
    r = run_cli("openai", "generate", "--config", str(cfg), *extra, env=cli_env(OPENAI_API_KEY="sk-test"))
    _assert_user_error(r, needle)
    assert not (tmp_path / "out.parquet").exists()
