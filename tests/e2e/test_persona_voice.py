"""The persona voice score on real runs (CLI, fake server): markers by default, the judge when asked (cached,
priced), and `export --min-voice` filtering on it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from datasets import load_dataset

from tests.conftest import cli_env, run_cli, write_config
from tests.fakes.launch import FakeServer

IN_VOICE = ("Here I am, brain the size of a planet, and they ask me to add 7 and 5. Sigh. \\boxed{12}. "
            "Not that anyone cares.")
PLAIN_RIGHT = "Seven and five: \\boxed{12}"
IN_VOICE_WRONG = "Sigh. Another menial sum. I suppose it is \\boxed{13}. Not that anyone will notice."
RULES = [{"match": "What is 7 + 5?", "replies": [IN_VOICE, PLAIN_RIGHT, IN_VOICE_WRONG]},
         {"match": "Compute 12 * 3.", "replies": ["12*3 = \\boxed{36}"]},
         {"match": "What is 100 - 37?", "replies": ["It is \\boxed{60}."]}]


def _run(tmp_path: Path, fake: FakeServer, rules: list[dict], name: str = "out", **keys: object) -> pd.DataFrame:
    fake.configure({"rules": rules})
    cfg = write_config(tmp_path / f"{name}.yaml", num_candidates=3, output=str(tmp_path / f"{name}.parquet"), **keys)
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", fake.base_url, "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    return pd.read_parquet(tmp_path / f"{name}.parquet")


def test_markers_score_the_voice_of_every_candidate_at_no_cost(tmp_path: Path, openai_fake: FakeServer) -> None:
    df = _run(tmp_path, openai_fake, RULES, persona="personas/marvin_flexible.txt")
    assert df.persona_voice.notna().all() and df.persona_voice_method.eq("markers").all()
    by_text = df.set_index("response").persona_voice
    assert by_text[IN_VOICE] > 0.7 and by_text[IN_VOICE_WRONG] > 0.5
    assert by_text[PLAIN_RIGHT] < 0.2
    assert df.judge_cost_usd.fillna(0).eq(0).all()
    assert not [q for q in openai_fake.requests() if "## Persona" in json.dumps(q["body"])]


def test_no_persona_no_voice(tmp_path: Path, openai_fake: FakeServer) -> None:
    df = _run(tmp_path, openai_fake, RULES)
    assert df.persona_voice.isna().all() and df.persona_voice_method.isna().all()


def test_the_judge_scores_the_voice_when_asked_once_per_answer_and_cached(tmp_path: Path,
                                                                         openai_fake: FakeServer) -> None:
    judge_rule = {"match": "## Reply", "replies": ['{"voice": 9, "reason": "gloomy throughout"}']}
    df = _run(tmp_path, openai_fake, [judge_rule, *RULES], persona="personas/marvin.txt", persona_voice="judge",
              judge_model="gpt-4o-mini")
    assert df.persona_voice_method.eq("judge").all() and df.persona_voice.eq(0.9).all()
    asked = [q for q in openai_fake.requests() if "## Reply" in json.dumps(q["body"])]
    assert len(asked) == df.response.nunique()  # one call per distinct answer
    assert df.judge_cost_usd.gt(0).any()
    # A rerun over a new output asks nothing: the verdicts are cached.
    again = _run(tmp_path, openai_fake, [judge_rule, *RULES], name="again", persona="personas/marvin.txt",
                 persona_voice="judge", judge_model="gpt-4o-mini")
    assert again.persona_voice.eq(0.9).all()
    assert len([q for q in openai_fake.requests() if "## Reply" in json.dumps(q["body"])]) == len(asked)


def test_a_judge_that_fails_leaves_the_markers_score(tmp_path: Path, openai_fake: FakeServer) -> None:
    judge_rule = {"match": "## Reply", "replies": ["not json at all"]}
    df = _run(tmp_path, openai_fake, [judge_rule, *RULES], persona="personas/marvin.txt", persona_voice="judge",
              judge_model="gpt-4o-mini", max_retries=0)
    assert df.persona_voice_method.eq("markers").all() and df.persona_voice.notna().all()


def test_export_min_voice_keeps_only_answers_in_voice(tmp_path: Path, openai_fake: FakeServer) -> None:
    _run(tmp_path, openai_fake, RULES, persona="personas/marvin.txt")
    results = tmp_path / "out.parquet"
    out = tmp_path / "dpo.jsonl"
    r = run_cli("export", "dpo", str(results), "-o", str(out), "--min-voice", "0.5", "--quiet", env=cli_env())
    assert r.returncode == 0, r.stderr
    ds = load_dataset("json", data_files=str(out), split="train")
    assert len(ds) == 1
    assert ds[0]["chosen"][0]["content"] == IN_VOICE and ds[0]["rejected"][0]["content"] == IN_VOICE_WRONG
    r = run_cli("export", "sft", str(results), "-o", str(tmp_path / "sft.jsonl"), "--min-voice", "2", env=cli_env())
    assert r.returncode == 2 and "--min-voice must be between 0 and 1" in r.stderr


def test_min_voice_on_a_file_without_scores_says_so(tmp_path: Path, openai_fake: FakeServer) -> None:
    _run(tmp_path, openai_fake, RULES, persona="personas/marvin.txt", persona_voice="off")
    r = run_cli("export", "dpo", str(tmp_path / "out.parquet"), "-o", str(tmp_path / "d.jsonl"), "--min-voice", "0",
                env=cli_env())
    assert r.returncode == 2 and "has no persona voice scores" in r.stderr, r.stderr
    assert not (tmp_path / "d.jsonl").exists()


def test_a_bare_yaml_off_turns_the_score_off(tmp_path: Path, openai_fake: FakeServer) -> None:
    openai_fake.configure({"rules": RULES})
    cfg = write_config(tmp_path / "c.yaml", num_candidates=3, persona="personas/marvin.txt")
    cfg.write_text(cfg.read_text() + "persona_voice: off\n")  # YAML reads it as false
    r = run_cli("openai", "generate", "--config", str(cfg), "--base-url", openai_fake.base_url, "--quiet",
                env=cli_env(OPENAI_API_KEY="sk-test"))
    assert r.returncode == 0, r.stderr
    assert pd.read_parquet(tmp_path / "out.parquet").persona_voice.isna().all()
