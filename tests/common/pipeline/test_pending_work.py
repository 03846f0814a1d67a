"""pending_work: what a (re)started run still has to make, with duplicate query ids made once."""

from __future__ import annotations

from collections.abc import Iterator

from common.data.query import Query
from common.pipeline.engine import RunStats, pending_work


def q(qid: str, question: str | None = None) -> Query:
    text = question or f"question {qid}"
    return Query(query_id=qid, split="math", question=text, messages=({"role": "user", "content": text},))


def test_a_repeated_query_id_is_made_once_and_the_first_row_wins() -> None:
    stats = RunStats()
    queries = [q("a", "first a"), q("b"), q("a", "second a"), q("c"), q("a", "third a")]
    work = list(pending_work(queries, 2, set(), stats))
    assert [(w.query_id, w.question, idx) for w, idx in work] == [
        ("a", "first a", [0, 1]), ("b", "question b", [0, 1]), ("c", "question c", [0, 1])]
    assert stats.duplicate_ids == 2 and stats.queries_skipped_done == 0


def test_resume_skips_what_is_done_and_still_drops_duplicates() -> None:
    stats = RunStats()
    done = {("a", 0), ("b", 0), ("b", 1), ("b", 2)}
    queries = [q("a"), q("b"), q("a"), q("b"), q("c")]
    work = list(pending_work(queries, 3, done, stats))
    assert [(w.query_id, idx) for w, idx in work] == [("a", [1, 2]), ("c", [0, 1, 2])]
    assert stats.queries_skipped_done == 1  # b, once: its repeat is a duplicate, not a second skip
    assert stats.duplicate_ids == 2


def test_it_pulls_queries_lazily() -> None:
    pulled: list[str] = []

    def source() -> Iterator[Query]:
        for qid in ("a", "a", "b", "c"):
            pulled.append(qid)
            yield q(qid)

    work = pending_work(source(), 1, set(), RunStats())
    assert next(work)[0].query_id == "a" and pulled == ["a"]
    assert next(work)[0].query_id == "b" and pulled == ["a", "a", "b"]
