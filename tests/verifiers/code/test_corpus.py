"""The labelled corpus (tests/data/code_corpus.jsonl) through CodeVerifier, on each backend.

The bar from issue 4: no cheat accepted, at most 2% of wrong answers accepted, at most 2% of correct
answers rejected. bench/code_accuracy.py prints the same numbers per language, and a throughput.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import DATA
from verifiers.code.verifier import CodeVerifier

pytest_plugins = ("tests.verifiers.sandbox.fixtures",)

CORPUS = [json.loads(line) for line in (DATA / "code_corpus.jsonl").read_text().splitlines()]


def test_corpus_is_big_and_mixed() -> None:
    assert len(CORPUS) >= 150
    assert {r["language"] for r in CORPUS} == {"python", "javascript", "bash", "sql"}
    assert {r["label"] for r in CORPUS} == {"correct", "wrong", "cheat"}


def test_corpus_accuracy(verifier: CodeVerifier) -> None:
    def judge(row: dict) -> tuple[dict, bool]:
        r = verifier.verify(row["response"], None, question=row["question"], tests=row["tests"],
                            language=row["language"], entry_point=row["entry_point"])
        return row, r.is_verified

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(judge, CORPUS))
    accepted = {label: [row["id"] for row, ok in results if row["label"] == label and ok]
                for label in ("correct", "wrong", "cheat")}
    counts = {label: sum(r["label"] == label for r in CORPUS) for label in accepted}
    assert accepted["cheat"] == []
    assert len(accepted["wrong"]) <= 0.02 * counts["wrong"], accepted["wrong"]
    rejected = counts["correct"] - len(accepted["correct"])
    assert rejected <= 0.02 * counts["correct"], [r["id"] for r, ok in results if r["label"] == "correct" and not ok]
