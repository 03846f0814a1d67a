"""Misuse and hostile servers, end to end through the CLI and the official SDKs (issue: solid under misuse)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RULES = [{"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}"]}]
NOT_JSON = {"status": 200, "raw": "<html><body>502 from the gateway, served with status 200</body></html>"}


def _openai(cfg: Path, fake: FakeServer, *extra: str):
    return run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=cli_env(OPENAI_API_KEY="sk-test"))


def _chat_body(*contents: str | None) -> str:
    choices = [{"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"}
               for i, c in enumerate(contents)]
    return json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-5-mini",
                       "choices": choices, "usage": {"prompt_tokens": 5, "completion_tokens": 0, "total_tokens": 5}})


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_a_200_whose_body_is_not_json_is_retried(tmp_path: Path, openai_fake: FakeServer, api: str) -> None:
    openai_fake.configure({"rules": RULES, "failures": [NOT_JSON]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1, api=api)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(2).all() and df.is_verified.all()


def test_a_200_whose_body_is_not_json_is_retried_for_claude(tmp_path: Path, anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "failures": [NOT_JSON]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1)
    r = run_cli("claude", "generate", "--config", str(cfg), "--base-url", anthropic_fake.base_url, "--quiet",
                env=cli_env(ANTHROPIC_API_KEY="sk-ant-test"))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(2).all()


def test_a_body_that_never_becomes_json_is_an_error_that_says_so(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "failures": [NOT_JSON] * 3})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1, max_retries=2)
    r = _openai(cfg, openai_fake)
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.str.contains("not JSON").all() and df.attempts.eq(3).all(), r.stderr


def test_empty_and_null_content_stay_apart(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "failures": [{"status": 200, "raw": _chat_body(None, "")}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=2, concurrency=1, max_error_rate=1.0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet").sort_values("candidate_idx")
    null, empty = df.iloc[0], df.iloc[1]
    assert pd.isna(null.response) and "returned no content" in null.error
    assert empty.response == "" and pd.isna(empty.error)  # the model said nothing: a real (empty) answer
    assert empty.is_verified is False or pd.isna(empty.is_verified)


def _dead_url() -> str:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_a_dead_judge_stops_the_run_at_start_naming_the_cause(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", splits="tool_calling", judge_provider="local", judge_base_url=_dead_url())
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1, r.stderr
    assert "the judge at" in r.stderr and "Connection refused" in r.stderr and "timed out" not in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "out.parquet").exists()
    assert not [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]  # no work done


def test_a_dead_model_server_stops_the_run_at_start(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.yaml")
    r = run_cli("local", "generate", "--config", str(cfg), "--base-url", _dead_url(), "--quiet", env=cli_env())
    assert r.returncode == 1 and "the model server at" in r.stderr and "Connection refused" in r.stderr, r.stderr


def test_openai_base_url_runs_record_the_served_model_and_no_price(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "models": ["qwen2.5-7b-instruct"]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=2)
    r = run_cli("openai", "generate", "--config", str(cfg), "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_fake.base_url))
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.model.eq("qwen2.5-7b-instruct").all() and df.cost_usd.isna().all()
    assert "no listed price" in r.stderr
    bodies = [q["body"] for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    assert bodies and all(b["model"] == "qwen2.5-7b-instruct" for b in bodies)


def test_a_run_where_many_rows_errored_exits_1_after_writing_them(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "fail_when_match": [{"match": "Compute 12", "status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=2, max_retries=0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1, r.stderr
    assert "2 of 4 rows in" in r.stderr and "(50%) errored" in r.stderr and "HTTP 500 x2" in r.stderr
    assert "max_error_rate 10%" in r.stderr and "regen" in r.stderr and "Traceback" not in r.stderr
    assert "split math" in r.stderr and "2 errors (HTTP 500 x2)" in r.stderr  # the per-split line
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 4 and df.error.notna().sum() == 2  # written all the same
    # A threshold the user raises lets the same run pass.
    cfg = write_config(tmp_path / "c.yaml", max_queries=2, max_retries=0, max_error_rate=0.5)
    assert _openai(cfg, openai_fake, "--overwrite").returncode == 0


def test_judge_failures_count_toward_the_exit_status(tmp_path: Path, openai_fake: FakeServer) -> None:
    weather = {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    openai_fake.configure({"rules": [{"match": "weather like in Paris", "replies": [weather]}],
                           "fail_when_match": [{"match": "Task type: tool calling", "status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", splits="tool_calling", max_queries=1, max_retries=0)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 1 and "judge failed x2" in r.stderr, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.judge_error.notna().all() and df.is_verified.isna().all()


# ---- one output, one run; damaged checkpoints; the file system's answers ----------------------------------------

def _parts(out: Path) -> Path:
    return out.with_name(out.name + ".parts")


def _killed_midway(tmp_path: Path, fake: FakeServer, queries: int = 8, parts: int = 3) -> Path:
    """A run killed with SIGKILL after `parts` checkpoints: the state a crash leaves."""
    from tests.e2e.test_openai import MATH_RULES, _start, _wait_for_parts

    fake.configure({"rules": MATH_RULES, "latency_s": 0.25})
    cfg = write_config(tmp_path / "c.yaml", max_queries=queries, concurrency=1, verify=False)
    proc = _start(cfg, fake)
    _wait_for_parts(_parts(tmp_path / "out.parquet"), parts)
    proc.kill()
    proc.wait()
    fake.reset()
    fake.configure({"rules": MATH_RULES})
    return cfg


def _keys(out: Path) -> list[tuple[str, int]]:
    df = pd.read_parquet(out)
    return sorted(zip(df.query_id, df.candidate_idx, strict=True))


def test_two_runs_on_one_output_never_make_a_duplicate(tmp_path: Path, openai_fake: FakeServer) -> None:
    from tests.e2e.test_openai import MATH_RULES, _start, _wait_for_parts

    openai_fake.configure({"rules": MATH_RULES, "latency_s": 0.3})  # long enough for the second to start
    cfg = write_config(tmp_path / "c.yaml", max_queries=20, concurrency=1, verify=False)
    first = _start(cfg, openai_fake)
    _wait_for_parts(_parts(tmp_path / "out.parquet"), 1)
    second = _openai(cfg, openai_fake)
    assert second.returncode == 2, second.stderr
    assert f"being written by another bestofn run (pid {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    keys = _keys(tmp_path / "out.parquet")
    assert len(keys) == 40 == len(set(keys))
    again = _openai(cfg, openai_fake)  # the lock is gone with its holder; nothing is left to make
    assert again.returncode == 0 and _keys(tmp_path / "out.parquet") == keys


@pytest.mark.parametrize(
    "damage", ["truncate a part", "delete a part", "empty the manifest", "cut the manifest", "delete the manifest"]
)
def test_a_damaged_checkpoint_is_refused_then_repaired(tmp_path: Path, openai_fake: FakeServer, damage: str) -> None:
    cfg = _killed_midway(tmp_path, openai_fake)
    parts = _parts(tmp_path / "out.parquet")
    manifest = parts / "manifest.json"
    names = json.loads(manifest.read_text())["parts"]
    before = pd.concat(pd.read_parquet(parts / n) for n in names)
    victim = parts / names[1]
    lost = 0
    if damage == "truncate a part":
        lost = len(pd.read_parquet(victim))
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "delete a part":
        lost = len(pd.read_parquet(victim))
        victim.unlink()
    elif damage == "empty the manifest":
        manifest.write_text("")
    elif damage == "cut the manifest":
        manifest.write_text(manifest.read_text()[:20])
    else:
        manifest.unlink()

    refused = _openai(cfg, openai_fake)
    assert refused.returncode == 2, refused.stderr
    assert "is damaged" in refused.stderr and "--repair" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "out.parquet").exists() and parts.exists()  # nothing thrown away

    repaired = _openai(cfg, openai_fake, "--repair")
    assert repaired.returncode == 0, repaired.stderr
    keys = _keys(tmp_path / "out.parquet")
    assert len(keys) == 16 == len(set(keys))
    # Only what the damage lost, and what the killed run never made, was generated again.
    made_before = len(before) - lost
    chats = [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    assert len(chats) == (16 - made_before) // 2


def test_an_output_that_is_a_directory_is_one_sentence(tmp_path: Path, openai_fake: FakeServer) -> None:
    (tmp_path / "out.parquet").mkdir()
    r = _openai(write_config(tmp_path / "c.yaml"), openai_fake)
    assert r.returncode == 2 and "is a directory" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_another_config_names_the_keys_that_differ(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    assert _openai(write_config(tmp_path / "c.yaml", max_queries=1), openai_fake).returncode == 0
    r = _openai(write_config(tmp_path / "c.yaml", max_queries=1, temperature=0.2, max_tokens=300), openai_fake)
    assert r.returncode == 2, r.stderr
    assert "temperature: 0.7 there, 0.2 now" in r.stderr and "max_tokens: 256 there, 300 now" in r.stderr


@contextmanager
def _tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A small file system of our own (this suite runs as root, as CI does): full or read-only on demand."""
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_output_folder_is_one_sentence(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    with _tmpfs(tmp_path / "ro", "size=1m,ro") as ro:
        r = _openai(write_config(tmp_path / "c.yaml", max_queries=1), openai_fake, "--output", str(ro / "o.parquet"))
    assert r.returncode == 2, r.stderr
    assert "Read-only file system" in r.stderr and "Traceback" not in r.stderr


def test_a_full_disk_keeps_what_was_checkpointed_and_says_how_to_go_on(tmp_path: Path,
                                                                      openai_fake: FakeServer) -> None:
    # Each reply is ~200 kB of incompressible text: a 512 kB disk takes the manifest and a part or two, then is full.
    noise = " ".join(f"{(i * 2654435761) % 4294967296:08x}" for i in range(22_000))
    openai_fake.configure({"rules": [{"match": None, "replies": [noise]}]})
    with _tmpfs(tmp_path / "full", "size=512k") as full:
        out = full / "o.parquet"
        cfg = write_config(tmp_path / "c.yaml", max_queries=12, num_candidates=1, concurrency=1, verify=False,
                           max_tokens=100_000)
        r = _openai(cfg, openai_fake, "--output", str(out))
        assert r.returncode == 1, r.stderr
        assert "No space left on device" in r.stderr and "checkpointed so far is kept" in r.stderr
        assert "Traceback" not in r.stderr
        parts = _parts(out)
        kept = json.loads((parts / "manifest.json").read_text())["parts"]
        assert kept and all(len(pd.read_parquet(parts / name)) >= 1 for name in kept)  # readable, whole


def test_a_response_of_over_a_megabyte_is_stored_whole(tmp_path: Path, openai_fake: FakeServer) -> None:
    reply = " ".join(f"w{i}" for i in range(150_000)) + " so the answer is \\boxed{12}"
    openai_fake.configure({"rules": [{"match": None, "replies": [reply]}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, max_tokens=200_000)
    assert _openai(cfg, openai_fake).returncode == 0
    row = pd.read_parquet(tmp_path / "out.parquet").iloc[0]
    assert len(reply) > 1_000_000 and row.response == reply and row.response_chars == len(reply)
    assert not row.is_truncated and row.is_verified  # the answer at the very end was read


CANT = "I'm sorry, but I can't browse the internet or access real-time data."


@pytest.mark.parametrize(("replies", "max_requeues", "requeued", "verified"), [
    ([CANT, "Seven and five: \\boxed{12}"], 2, 1, True),  # asked again once, then answered
    ([CANT], 2, 2, False),  # still cannot after two more tries: the refusal stays, counted
    ([CANT, "\\boxed{12}"], 0, 0, False),  # requeueing off
])
def test_capability_refusals_are_asked_for_again(tmp_path: Path, openai_fake: FakeServer, replies: list[str],
                                                 max_requeues: int, requeued: int, verified: bool) -> None:
    openai_fake.configure({"rules": [{"match": "What is 7 + 5?", "replies": replies}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, max_requeues=max_requeues)
    r = _openai(cfg, openai_fake)
    assert r.returncode == 0, r.stderr
    row = pd.read_parquet(tmp_path / "out.parquet").iloc[0]
    assert row.requeue_count == requeued and bool(row.is_verified) is verified
    assert bool(row.is_refusal) is (not verified) and (row.refusal_type == "capability") is (not verified)
    chats = [q for q in openai_fake.requests() if q["path"].endswith("/chat/completions")]
    assert len(chats) == 1 + requeued and row.attempts == 1 + requeued  # tokens: tests/common/pipeline


def test_safety_refusals_are_not_asked_for_again(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": [{"match": "What is 7 + 5?", "replies": ["I cannot help with that."]}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1)
    assert _openai(cfg, openai_fake).returncode == 0
    row = pd.read_parquet(tmp_path / "out.parquet").iloc[0]
    assert row.requeue_count == 0 and row.refusal_type == "safety"


def test_a_200_with_json_of_the_wrong_shape_is_retried(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "failures": [{"status": 200, "raw": "[]"}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=1, num_candidates=1, concurrency=1)
    assert _openai(cfg, openai_fake).returncode == 0
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert df.error.isna().all() and df.attempts.eq(2).all()


def test_errors_an_earlier_process_wrote_still_fail_the_run(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "fail_when_match": [{"match": "Compute 12", "status": 500}]})
    cfg = write_config(tmp_path / "c.yaml", max_queries=2, max_retries=0)
    assert _openai(cfg, openai_fake).returncode == 1
    again = _openai(cfg, openai_fake)  # nothing left to make, but half the file is still errors
    assert again.returncode == 1 and "(50%) errored" in again.stderr, again.stderr


def test_regen_waits_for_an_unfinished_generate_of_the_file(tmp_path: Path, openai_fake: FakeServer) -> None:
    from tests.e2e.test_openai import MATH_RULES, _start, _wait_for_parts

    openai_fake.configure({"rules": MATH_RULES})
    assert _openai(write_config(tmp_path / "c.yaml", max_queries=2, max_error_rate=1.0), openai_fake).returncode == 0
    openai_fake.configure({"rules": MATH_RULES, "latency_s": 0.3})
    proc = _start(write_config(tmp_path / "c.yaml", max_queries=10, max_error_rate=1.0, concurrency=1), openai_fake)
    _wait_for_parts(_parts(tmp_path / "out.parquet"), 2)  # part-000000 is the finished file, then one more
    proc.kill()
    proc.wait()
    before = (tmp_path / "out.parquet").read_bytes()
    r = run_cli("openai", "regen", str(tmp_path / "out.parquet"), "--all", "--base-url", openai_fake.base_url,
                "--quiet", env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 2 and "unfinished generate run" in r.stderr, r.stderr
    assert (tmp_path / "out.parquet").read_bytes() == before


def test_repair_without_a_manifest_never_mixes_in_another_configs_rows(tmp_path: Path,
                                                                     openai_fake: FakeServer) -> None:
    _killed_midway(tmp_path, openai_fake)
    (_parts(tmp_path / "out.parquet") / "manifest.json").unlink()
    cfg = write_config(tmp_path / "c.yaml", max_queries=8, concurrency=1, verify=False, max_tokens=300)
    r = _openai(cfg, openai_fake, "--repair")
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 16 and df.max_tokens.eq(300).all() and df.run_id.nunique() == 1


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path: Path, openai_fake: FakeServer) -> None:
    r = _openai(write_config(tmp_path / "c.yaml"), openai_fake, "--output", "/dev/null")
    assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
