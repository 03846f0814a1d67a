"""`generate --batch` and `bestofn batch status|cancel` end to end: the real CLI, the official SDKs, the
fake servers' batch APIs. A batch run gives the rows an online run gives, at batch prices; a kill -9
while batches are open loses nothing and a rerun polls instead of resubmitting; what a batch does not
answer (expired, cancelled past batch_deadline) goes online."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

RULES = [{"match": "What is 7 + 5?", "replies": ["Seven and five: \\boxed{12}", "I think \\boxed{13}"]},
         {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}"]},
         {"match": "What is 100 - 37?", "replies": ["The answer is 63."]}]
KEYS = ["query_id", "candidate_idx"]
COMPARED = ["response", "is_verified", "input_tokens", "output_tokens", "finish_reason"]


def _env(provider: str) -> dict[str, str]:
    return cli_env(**{"OPENAI_API_KEY" if provider == "openai" else "ANTHROPIC_API_KEY": "sk-test"})


def _generate(provider: str, cfg: Path, fake: FakeServer, *extra: str):
    return run_cli(provider, "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet", *extra,
                   env=_env(provider))


def _config(tmp_path: Path, name: str = "out", **keys: object) -> Path:
    return write_config(tmp_path / f"{name}.yaml", output=str(tmp_path / f"{name}.parquet"), batch_poll_s=0.1,
                        **keys)


def _generations(fake: FakeServer) -> list[dict]:
    return [r for r in fake.requests() if r["path"].endswith(("/chat/completions", "/v1/messages"))]


@pytest.mark.parametrize("provider", ["openai", "claude"])
def test_a_batch_run_gives_the_online_rows_at_half_the_price(tmp_path: Path, provider: str,
                                                             openai_fake: FakeServer,
                                                             anthropic_fake: FakeServer) -> None:
    fake = openai_fake if provider == "openai" else anthropic_fake
    fake.configure({"rules": RULES})
    online = _generate(provider, _config(tmp_path, "online", num_candidates=3), fake)
    assert online.returncode == 0, online.stderr
    fake.reset()
    fake.configure({"rules": RULES})
    batch = _generate(provider, _config(tmp_path, "batch", num_candidates=3, batch_size=2), fake, "--batch")
    assert batch.returncode == 0, batch.stderr
    assert _generations(fake) == []  # nothing went online
    stats = fake.batch_stats()
    assert stats["batches"] == 2  # three queries, two per batch
    assert stats["items"] == (3 if provider == "openai" else 9)  # Claude has no n: one request per candidate
    a = pd.read_parquet(tmp_path / "online.parquet").sort_values(KEYS).reset_index(drop=True)
    b = pd.read_parquet(tmp_path / "batch.parquet").sort_values(KEYS).reset_index(drop=True)
    assert len(b) == 9 and b[KEYS].equals(a[KEYS])
    pd.testing.assert_frame_equal(a[COMPARED], b[COMPARED])
    assert b.batched.eq(True).all() and a.batched.eq(False).all() and b.latency_s.isna().all()
    assert b.cost_usd.tolist() == pytest.approx((a.cost_usd / 2).tolist(), abs=1e-8)  # both rounded to 1e-8


def test_kill_while_batches_are_open_then_a_rerun_polls_them(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": {"process_s": 3.0}})
    cfg = _config(tmp_path, num_candidates=2, batch_size=2)
    ledger = tmp_path / "out.parquet.parts" / "batches"
    proc = subprocess.Popen([sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
                             "--base-url", openai_fake.base_url, "--quiet", "--batch"], cwd=ROOT,
                            env=_env("openai"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while openai_fake.batch_stats()["batches"] < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the second batch's id reaches the ledger
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    entries = [json.loads(p.read_text()) for p in ledger.glob("*.json")]
    assert len(entries) == 2 and all(e["batch_id"] for e in entries)
    assert not (tmp_path / "out.parquet").exists()

    status = run_cli("batch", "status", str(tmp_path / "out.parquet"), "--quiet", env=_env("openai"))
    assert status.returncode == 0, status.stderr
    assert all(e["batch_id"] in status.stderr for e in entries) and "in_progress" in status.stderr
    openai_fake.update({"api_key": "sk-test"})
    wrong = run_cli("batch", "cancel", str(tmp_path / "out.parquet"), "--quiet",
                    env=cli_env(OPENAI_API_KEY="sk-wrong"))
    assert wrong.returncode == 1 and "rejected the key" in wrong.stderr and "Traceback" not in wrong.stderr
    assert openai_fake.batch_stats()["cancels"] == 0

    again = _generate("openai", cfg, openai_fake, "--batch")
    assert again.returncode == 0, again.stderr
    assert openai_fake.batch_stats()["batches"] == 2  # polled, not submitted again
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and not df.duplicated(KEYS).any() and df.batched.all()
    assert not ledger.exists() or not any(ledger.iterdir())


def test_expired_items_go_online_and_the_rest_stays_batched(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": {"expire_custom_ids": ["i1"]}})
    r = _generate("openai", _config(tmp_path, num_candidates=2), openai_fake, "--batch")
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet").set_index(KEYS)
    assert len(df) == 6 and df.error.isna().all()
    # Item i1 is the second query of the batch: its candidates came online.
    online = df[~df.batched]
    assert sorted(online.index.get_level_values(0).unique()) == ["sample-math-002"]
    assert len(_generations(openai_fake)) == 1


def test_past_batch_deadline_the_batch_is_cancelled_and_its_rest_runs_online(tmp_path: Path,
                                                                            anthropic_fake: FakeServer) -> None:
    anthropic_fake.configure({"rules": RULES, "batch": {"hold_custom_ids": ["i0"]}})
    r = _generate("claude", _config(tmp_path, num_candidates=2, batch_deadline=1), anthropic_fake, "--batch")
    assert r.returncode == 0, r.stderr
    assert anthropic_fake.batch_stats()["cancels"] == 1
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and df.error.isna().all()
    assert df[~df.batched].query_id.unique().tolist() == ["sample-math-001"]


def test_cancel_then_rerun_keeps_what_was_answered(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES, "batch": {"hold_custom_ids": ["i2"]}})
    cfg = _config(tmp_path, num_candidates=2)
    proc = subprocess.Popen([sys.executable, str(ROOT / "bestofn.py"), "openai", "generate", "--config", str(cfg),
                             "--base-url", openai_fake.base_url, "--quiet", "--batch"], cwd=ROOT,
                            env=_env("openai"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ledger = tmp_path / "out.parquet.parts" / "batches"
    deadline = time.monotonic() + 60
    while not any(json.loads(p.read_text()).get("batch_id") for p in ledger.glob("*.json")) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C while it waits: the batch stays submitted
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and b"submitted batches are kept" in err
    # Not without --batch: that would drop the batch.
    refused = _generate("openai", cfg, openai_fake)
    assert refused.returncode == 2 and "bestofn batch cancel" in refused.stderr
    cancel = run_cli("batch", "cancel", str(tmp_path / "out.parquet"), "--quiet", env=_env("openai"))
    assert cancel.returncode == 0 and "cancel" in cancel.stderr, cancel.stderr
    again = _generate("openai", cfg, openai_fake, "--batch")
    assert again.returncode == 0, again.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and not df.duplicated(KEYS).any()
    assert df[~df.batched].query_id.unique().tolist() == ["sample-math-003"]


@pytest.mark.parametrize("provider, keys, says", [
    ("local", {}, "has no batch API"),
    ("openai", {"stop_when": {"verified": 1}}, "stop_when samples a query in rounds"),
    ("openai", {"splits": "tool_calling"}, "run the tool_calling split without --batch"),
    ("openai", {"batch_deadline": "soon"}, "'batch_deadline'"),
])
def test_what_batch_cannot_do_is_refused_before_anything_is_sent(tmp_path: Path, provider: str, keys: dict,
                                                                  says: str) -> None:
    cfg = _config(tmp_path, **keys)
    r = run_cli(provider, "generate", "--config", str(cfg), "--batch", "--quiet", env=_env(provider))
    assert r.returncode == 2 and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_batch_status_names_a_wrong_path_and_says_when_there_are_no_batches(tmp_path: Path) -> None:
    r = run_cli("batch", "status", str(tmp_path / "none.parquet"), env=cli_env())
    assert r.returncode == 2 and "does not exist and no batches were submitted for it" in r.stderr
    for bad in ("", str(tmp_path)):
        r = run_cli("batch", "status", bad, env=cli_env())
        assert r.returncode == 2 and "is not a results file" in r.stderr and "Traceback" not in r.stderr
    done = tmp_path / "done.parquet"
    done.write_bytes(b"PAR1")
    r = run_cli("batch", "status", str(done), env=cli_env())
    assert r.returncode == 0 and "has no submitted batches" in r.stderr


def test_structured_batch_rows_are_parsed_as_online_ones(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    r = _generate("openai", _config(tmp_path, num_candidates=2, structured_output=True), openai_fake, "--batch")
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(tmp_path / "out.parquet")
    assert len(df) == 6 and df.batched.all() and df.final_answer.notna().all() and df.error.isna().all()
    assert "36" in df.set_index(KEYS).final_answer[("sample-math-002", 0)]
