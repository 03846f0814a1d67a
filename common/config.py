"""Experiment configuration: YAML plus CLI overrides, validated by one pydantic model."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from common.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = "nvidia/Nemotron-Post-Training-Dataset-v2"
Provider = Literal["openai", "claude", "local"]

DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4o-mini",
    "claude": "claude-sonnet-4-5-20250929",
    "local": "SmolLM2-135M-Instruct",
}

# Keys that change what a row contains; an existing output made with other values is refused.
# Size and speed knobs (max_queries, num_candidates, concurrency, ...) may change between resumes.
FINGERPRINT_KEYS = (
    "dataset", "splits", "model", "temperature", "max_tokens", "persona", "generator",
    "structured_output", "api", "thinking_budget", "verify", "llm_judge_fallback", "seed",
)


class ExperimentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    dataset: str = DEFAULT_DATASET
    splits: list[str] = Field(default_factory=lambda: ["math"])
    streaming: bool = True
    max_queries: int | dict[str, int] | None = None
    model: str | None = None
    num_candidates: int = Field(4, ge=1, le=1024)
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(2048, ge=1)
    persona: str | None = None
    concurrency: int = Field(8, ge=1, le=4096)
    output: str | None = None
    generator: Provider | None = None
    structured_output: bool = False
    llm_judge_fallback: bool = False
    notes: str = ""
    api: Literal["chat", "responses"] = "chat"
    thinking_budget: int = Field(0, ge=0)
    base_url: str | None = None
    checkpoint_every: int = Field(10, ge=1)
    verify: bool = True
    seed: int | None = None
    sandbox: Literal["auto", "docker", "bwrap"] = "auto"
    judge_provider: Provider | None = Field(None, description="default: the run's provider")
    judge_model: str | None = None
    judge_base_url: str | None = Field(None, description="default: the run's base_url for the same provider")
    judge_cache_dir: str | None = None
    n_per_request: int = Field(8, ge=1, le=128, description="most candidates asked for in one request")
    request_timeout: float = Field(600.0, gt=0)
    max_retries: int = Field(6, ge=0, le=50)

    @field_validator("splits", mode="before")
    @classmethod
    def _split_string(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [s.strip() for s in v.split(",")]
        if isinstance(v, list):
            v = [s for s in v if s]
            if not v:
                raise ValueError("give at least one split, e.g. math,code,tool_calling")
        return v

    @field_validator("max_queries")
    @classmethod
    def _positive(cls, v: Any) -> Any:
        values = v.values() if isinstance(v, dict) else [v]
        if any(x is not None and x < 1 for x in values):
            raise ValueError("max_queries must be a positive integer (per split) or a mapping split -> integer")
        return v

    @model_validator(mode="after")
    def _thinking_fits(self) -> ExperimentConfig:
        if 0 < self.thinking_budget < 1024:
            raise ValueError("thinking_budget must be 0 (off) or at least 1024 tokens")
        if self.thinking_budget and self.thinking_budget >= self.max_tokens:
            raise ValueError(
                f"thinking_budget ({self.thinking_budget}) must be smaller than max_tokens ({self.max_tokens})"
            )
        return self

    # ---- derived values -------------------------------------------------------------------------
    def max_queries_for(self, split: str) -> int | None:
        if isinstance(self.max_queries, dict):
            return self.max_queries.get(split)
        return self.max_queries

    @property
    def persona_name(self) -> str | None:
        return Path(self.persona).stem if self.persona else None

    def persona_text(self) -> str | None:
        return Path(self.persona).read_text(encoding="utf-8").strip() if self.persona else None

    def fingerprint(self) -> str:
        data = self.model_dump(include=set(FINGERPRINT_KEYS))
        if self.persona:
            data["persona"] = hashlib.sha256((self.persona_text() or "").encode()).hexdigest()[:16]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _format_validation_error(source: str, err: ValidationError) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        allowed = ", ".join(ExperimentConfig.model_fields)
        return f"{source}: unknown key '{key}'; allowed keys are: {allowed}."
    got = first.get("input")
    got_text = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{source}: '{key}': {first['msg']}{got_text}."


def _resolve_path(value: str, base: Path) -> Path | None:
    """Relative paths are tried against the working directory, then the config's folder, then the project."""
    p = Path(value).expanduser()
    if p.is_absolute():
        return p if p.exists() else None
    for root in (Path.cwd(), base, PROJECT_ROOT):
        if (root / p).exists():
            return (root / p).resolve()
    return None


def load_config(
    path: str | Path | None,
    provider: str,
    overrides: dict[str, Any] | None = None,
    check_data: bool = True,
) -> ExperimentConfig:
    """Read, merge and validate; every user mistake becomes a UserError naming the file and key."""
    raw: dict[str, Any] = {}
    source = "command line"
    base = Path.cwd()
    if path is not None:
        cfg_path = Path(path)
        source = str(cfg_path)
        base = cfg_path.resolve().parent
        if not cfg_path.is_file():
            raise UserError(f"Config file {cfg_path} does not exist.")
        try:
            loaded = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise UserError(f"{cfg_path} is not valid YAML{where}.") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise UserError(f"{cfg_path} must be a YAML mapping of config keys, not a {type(loaded).__name__}.")
        raw.update(loaded)
    raw.update({k: v for k, v in (overrides or {}).items() if v is not None})

    try:
        cfg = ExperimentConfig(**raw)
    except ValidationError as e:
        raise UserError(_format_validation_error(source, e)) from None

    if cfg.generator is not None and cfg.generator != provider and {cfg.generator, provider} != {"openai", "local"}:
        raise UserError(
            f"{source}: 'generator' is {cfg.generator} but you ran `bestofn {provider}`; "
            f"run `bestofn {cfg.generator} ...` or change the key."
        )
    cfg.generator = provider  # the file records which provider made it
    if cfg.model is None and provider != "local":
        cfg.model = DEFAULT_MODELS[provider]  # a local server is asked what it serves (common/runner.py)
    if cfg.persona:
        found = _resolve_path(cfg.persona, base)
        if found is None:
            raise UserError(f"{source}: 'persona': file {cfg.persona} does not exist (see personas/*.txt).")
        cfg.persona = str(found)
    if cfg.output is None:
        stem = Path(path).stem if path else f"{provider}_run"
        cfg.output = str(base / "results" / f"{stem}.parquet")
    if provider != "claude" and cfg.thinking_budget:
        raise UserError(f"{source}: 'thinking_budget' applies to Claude only; remove it for `bestofn {provider}`.")
    if provider == "claude" and "temperature" in raw:
        logging.getLogger("bestofn").warning(
            "%s: 'temperature' is not sent to Claude (the Messages API takes no sampling settings); "
            "rows record it as null.", source,
        )
    if provider == "claude" and (cfg.structured_output or cfg.api != "chat"):
        key = "structured_output" if cfg.structured_output else "api"
        raise UserError(f"{source}: '{key}' applies to the OpenAI-style providers only, not Claude.")
    if check_data:
        from common.nemotron_utils import DatasetError, check_dataset, is_local_dataset

        dataset = cfg.dataset
        if is_local_dataset(dataset) and not any(c in dataset for c in "*?[") and not Path(dataset).exists():
            found = _resolve_path(dataset, base)
            dataset = str(found) if found else dataset
        try:
            check_dataset(dataset, cfg.splits)
        except DatasetError as e:
            raise UserError(f"{source}: 'dataset': {e}") from None
        cfg.dataset = dataset
    return cfg
