"""Persona voice: how strongly a candidate sounds like the run's persona, a score from 0 to 1 on its row.

Two ways, by the config key `persona_voice`:
- `markers` (the default): the persona's cue file (`personas/<name>.voice.yaml`, scored by
  `verifiers.persona_voice`): weighted phrases and styles, no model call, no cost. Deterministic,
  so a rerun gives the same score.
- `judge`: the judge model rates the voice from the persona's own text, with one short, cached call
  per distinct answer (the judge's prices; the cost lands in `judge_cost_usd`). A judge that fails
  leaves the markers score, named as such in `persona_voice_method`.

Voice is scored apart from correctness: a refusal or a wrong answer can still be in voice, so that
persona-transfer data can be filtered on both.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from common.cache import cache_key
from common.config import ExperimentConfig
from common.errors import UserError
from common.judge.judge import LLMJudge
from common.judge.prompts import JudgePrompt, clip
from verifiers.persona_voice import Voice, VoiceFileError, load_voice, score_voice

log = logging.getLogger("bestofn")

VOICE_PROMPT_VERSION = "voice-1"
INLINE_CHARS = 4_000  # shorter answers are scored on the event loop; longer ones off it
_SYSTEM = (
    "You rate how strongly a reply is written in a given persona's voice: its tone, wording and "
    "mannerisms, not whether the content is correct. 0 means no trace of the persona (a plain assistant "
    "reply); 10 means unmistakably the persona throughout. A reply in another character's voice scores "
    "low. Reply with JSON only: {\"voice\": <integer 0-10>, \"reason\": <one short sentence>}."
)
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"voice": {"type": "integer", "minimum": 0, "maximum": 10}, "reason": {"type": "string"}},
    "required": ["voice", "reason"],
    "additionalProperties": False,
}


class VoiceScorer:
    """Scores each candidate of a persona run; `None` from `for_run` when there is nothing to score."""

    def __init__(self, voice: Voice | None, persona_text: str, method: str, judge: LLMJudge | None,
                 offload: Callable[..., Awaitable[Any]]) -> None:
        self.voice = voice
        self.method = method
        self.judge = judge
        self.offload = offload
        self._persona = clip(persona_text, 6_000)
        self._persona_hash = hashlib.sha256(persona_text.encode()).hexdigest()[:16]

    @classmethod
    def for_run(cls, cfg: ExperimentConfig, judge: LLMJudge | None,
                offload: Callable[..., Awaitable[Any]]) -> VoiceScorer | None:
        if cfg.persona is None or cfg.persona_voice == "off":
            return None
        try:
            voice = load_voice(cfg.persona)
        except VoiceFileError as e:
            raise UserError(f"persona_voice: {e}") from None
        if cfg.persona_voice == "judge":
            if judge is None:
                raise UserError("persona_voice: judge needs a judge model, and this run has none (set judge_provider "
                                "or judge_model, or use persona_voice: markers).")
        elif voice is None:
            log.warning("persona %s has no voice file (personas/<name>.voice.yaml); persona_voice stays empty. "
                        "Write one, or use persona_voice: judge.", cfg.persona)
            return None
        return cls(voice, cfg.persona_text() or "", cfg.persona_voice, judge, offload)

    async def score(self, text: str) -> dict[str, Any]:
        """The row's `persona_voice` and `persona_voice_method` for an answer."""
        if self.method == "judge":
            judged = await self._judged(text)
            if judged is not None:
                return {"persona_voice": judged, "persona_voice_method": "judge"}
        if self.voice is None:
            return {}
        if len(text) > INLINE_CHARS:
            result = await self.offload(score_voice, text, self.voice)
        else:
            result = score_voice(text, self.voice)
        return {"persona_voice": round(result.score, 4), "persona_voice_method": "markers"}

    async def _judged(self, text: str) -> float | None:
        assert self.judge is not None
        user = f"## Persona\n{self._persona}\n\n## Reply\n{clip(text)}"
        key = cache_key(VOICE_PROMPT_VERSION, self.judge.provider, self.judge.model, self._persona_hash,
                        hashlib.sha256(text.encode()).hexdigest())
        data, _cached, error = await self.judge.ask_json(JudgePrompt("persona_voice", _SYSTEM, user, _SCHEMA), key)
        value = data.get("voice") if isinstance(data, dict) else None
        if error is not None or isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:
            return None
        return round(float(value) / 10, 4)
