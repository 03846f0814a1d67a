"""The Query record: one prompt and everything a verifier needs to judge its answers."""

from __future__ import annotations

import json
from dataclasses import dataclass

from verifiers.tools import spec


@dataclass(frozen=True, slots=True)
class Query:
    query_id: str
    split: str
    question: str
    messages: tuple[dict, ...]
    system: str | None = None
    ground_truth: str | None = None
    tests: dict | list | None = None
    tools: list[dict] | None = None
    language: str | None = None
    entry_point: str | None = None
    reasoning: str | None = None
    reference_calls: list | None = None  # trusted: [] (no call is right) or BFCL possible answers

    def metadata_json(self) -> str | None:
        """What a row needs beyond its own columns to rebuild this query (see `from_record`)."""
        single_turn = len(self.messages) == 1 and self.messages[0].get("content") == self.question
        meta = {
            "tests": self.tests,
            "tools": self.tools,
            "language": self.language,
            "entry_point": self.entry_point,
            "system": self.system,
            "messages": None if single_turn else list(self.messages),
        }
        meta = {k: v for k, v in meta.items() if v not in (None, "", [], {})}
        if self.reference_calls is not None:  # [] means something here: no call is right
            meta["reference_calls"] = self.reference_calls
        return json.dumps(meta, separators=(",", ":"), ensure_ascii=False) if meta else None

    @classmethod
    def from_record(
        cls, query_id: str, split: str, question: str, ground_truth: str | None, metadata_json: str | None
    ) -> Query:
        """The inverse of a row: used by regen, which has the results file but not the dataset."""
        meta = json.loads(metadata_json) if metadata_json else {}
        messages = meta.get("messages") or [{"role": "user", "content": question}]
        return cls(
            query_id=query_id,
            split=split,
            question=question,
            messages=tuple(messages),
            system=meta.get("system"),
            ground_truth=ground_truth,
            tests=meta.get("tests"),
            # Rows written before tools had one internal form hold OpenAI Chat tools: normalised again.
            tools=spec.normalize_tools(meta["tools"]) if meta.get("tools") else None,
            language=meta.get("language"),
            entry_point=meta.get("entry_point"),
            reference_calls=meta.get("reference_calls"),
        )
