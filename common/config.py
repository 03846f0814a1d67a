"""Experiment configuration: YAML plus CLI overrides, validated by one pydantic model."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from common.errors import UserError
from common.model.api import ProviderInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = "nvidia/Nemotron-Post-Training-Dataset-v2"

# Keys that change what a row contains; an existing output made with other values is refused.
# Size and speed knobs (max_queries, num_candidates, concurrency, ...) may change between resumes.
FINGERPRINT_KEYS = (
    "dataset", "splits", "model", "temperature", "max_tokens", "persona", "generator",
    "structured_output", "api", "thinking_budget", "verify", "llm_judge_fallback", "seed",
)


class StopWhen(BaseModel):
    """Adaptive N (config key `stop_when`)."""

    model_config = ConfigDict(extra="forbid")

    verified: int = Field(1, ge=1, description="verified candidates a query needs")
    need_pair: bool = Field(False, description="also one verified-wrong candidate (not errored, refused or "
                            "truncated): a DPO pair")
    round_size: int | None = Field(None, ge=1, description="candidates asked for per round (default: what is "
                                   "still missing, at least `verified`)")


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
    generator: str | None = None
    structured_output: bool = False
    llm_judge_fallback: bool = False
    judge_threshold: float = Field(
        0.7, ge=0.0, le=1.0,
        description="with llm_judge_fallback, local verdicts less confident than this go to the judge",
    )
    notes: str = ""
    api: Literal["chat", "responses"] = "chat"
    thinking_budget: int = Field(0, ge=0)
    base_url: str | list[str] | None = Field(
        None, description="the server's URL; several (a list, or comma-separated) for replicas of one model: each "
        "request goes to the least busy one that answers",
    )
    checkpoint_every: int = Field(10, ge=1)
    verify: bool = True
    seed: int | None = None
    sandbox: Literal["auto", "docker", "bwrap"] = "auto"
    sandbox_image: str | None = Field(None, description="Docker image for code (default bestofn-sandbox)")
    sandbox_pool: int | None = Field(None, ge=1, le=256, description="sandboxes running at once (default 2)")
    code_timeout_s: float = Field(4.0, gt=0, le=600, description="wall-clock limit per code test run")
    math_timeout_s: float = Field(5.0, gt=0, le=600, description="time budget per math comparison")
    judge_provider: str | None = Field(None, description="default: the run's provider")
    judge_model: str | None = None
    judge_base_url: str | None = Field(None, description="default: the run's base_url for the same provider")
    judge_cache_dir: str | None = None
    n_per_request: int = Field(8, ge=1, le=128, description="most candidates asked for in one request")
    request_timeout: float = Field(600.0, gt=0)
    max_retries: int = Field(6, ge=0, le=50)
    max_requeues: int = Field(
        2, ge=0, le=10, description="times a candidate that says it cannot do the task is asked for again"
    )
    max_tool_iterations: int = Field(20, ge=1, le=1000, description="model turns per candidate in a tool loop")
    max_tool_tokens: int | None = Field(
        200_000, ge=1, description="input + output tokens per candidate across a tool loop's turns, checked before "
        "each new turn (null: no limit)"
    )
    tool_mock_model: str | None = Field(None, description="model that answers calls no dynamic mock fits "
                                        "(default: the run's model)")
    tool_mock_cache_dir: str | None = Field(None, description="default .bestofn_cache/tool_mock")
    rate_limit_rpm: int | None = Field(
        None, ge=1, description="requests per minute to stay under, for a server that sends no rate-limit headers "
        "(with headers, the lower of the two counts)",
    )
    rate_limit_tpm: int | None = Field(
        None, ge=1, description="tokens per minute (prompt + max_tokens x n, charged when sent) to stay under, for a "
        "server that sends no rate-limit headers (with headers, the lower of the two counts)",
    )
    price_file: str | None = Field(
        None, description="YAML price file (the form of openai_gen/prices.yaml) whose models add to or override "
        "the provider's list prices for this run",
    )
    max_cost_usd: float | None = Field(
        None, gt=0, description="stop cleanly, every finished query checkpointed, once the output file's rows have "
        "cost this much (generation, judge and tool mock, at list prices); a rerun with a higher value goes on",
    )
    stop_when: StopWhen | None = Field(
        None, description="adaptive N: sample a query in rounds and stop once it has `verified` verified "
        "candidates (and with need_pair one verified wrong), or num_candidates are spent",
    )
    batch_size: int = Field(1000, ge=1, le=50_000, description="queries per provider batch with --batch")
    batch_deadline: float | None = Field(
        None, gt=0, description="with --batch: seconds (or a duration such as 30m, 2h, 1d) after submission by which "
        "a batch should have ended; past it the batch is cancelled and what it did not answer runs online "
        "(default: the provider's own 24 h window)",
    )
    batch_poll_s: float = Field(30.0, gt=0, le=3600, description="with --batch: seconds between status checks")
    persona_voice: Literal["markers", "judge", "off"] = Field(
        "markers", description="score each candidate's persona voice (0..1): markers from the persona's "
        "personas/<name>.voice.yaml at no cost, or judge: one short cached judge call per answer",
    )
    executor: Literal["local", "ray"] = Field(
        "local", description="local: one process; ray: the dataset split into `shards` deterministic shards, one Ray "
        "task each, on the cluster at `ray_address`",
    )
    ray_address: str | None = Field(
        None, description="with executor ray: the cluster to join (the head's host:port, or auto); default: "
        "start a Ray instance on this machine",
    )
    shards: int | None = Field(
        None, ge=1, le=4096, description="with executor ray: shards the queries are split into (default: the "
        "cluster's CPUs, at most 64)",
    )
    shard_resources: dict[str, float] | None = Field(
        None, description="with executor ray: Ray resources each shard needs beyond its 1 CPU, e.g. {sandbox: 1} to "
        "place shards (and so their code verification) only on nodes started with `ray start --resources "
        "'{\"sandbox\": 4}'`",
    )
    shard_retries: int = Field(
        2, ge=0, le=100, description="with executor ray: times a shard whose worker died is started again (it "
        "redoes only its missing rows)",
    )
    max_error_rate: float = Field(
        0.1, ge=0.0, le=1.0,
        description="exit 1 when more than this share of the file's rows errored or lost their judge verdict",
    )

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

    @field_validator("base_url", mode="before")
    @classmethod
    def _base_urls(cls, v: Any) -> Any:
        """One URL stays a string; several (a list, or comma-separated) become a list."""
        if v is None:
            return v
        from common.model.replicas import parse_base_urls

        urls = parse_base_urls(v)
        return urls[0] if len(urls) == 1 else urls

    @field_validator("persona_voice", mode="before")
    @classmethod
    def _voice_switch(cls, v: Any) -> Any:
        if isinstance(v, bool):  # YAML reads a bare `off` as false (and `on` as true)
            return "markers" if v else "off"
        return v

    @field_validator("shard_resources")
    @classmethod
    def _custom_resources_only(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v and (builtin := sorted(set(v) & {"CPU", "GPU", "memory", "object_store_memory"})):
            raise ValueError(f"{', '.join(builtin)} cannot be asked for here: a shard takes 1 CPU; name custom "
                             "resources, e.g. {sandbox: 1}")
        if v and any(n <= 0 for n in v.values()):
            raise ValueError("each resource amount must be above 0")
        return v

    @field_validator("judge_threshold", mode="before")
    @classmethod
    def _threshold_not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):  # YAML `true` would pass as 1.0
            raise ValueError("give a number between 0 and 1, e.g. 0.7")
        return v

    @field_validator("max_queries")
    @classmethod
    def _positive(cls, v: Any) -> Any:
        values = v.values() if isinstance(v, dict) else [v]
        if any(x is not None and x < 1 for x in values):
            raise ValueError("max_queries must be a positive integer (per split) or a mapping split -> integer")
        return v

    @field_validator("batch_deadline", mode="before")
    @classmethod
    def _duration(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("give seconds or a duration such as 30m, 2h or 1d")
        if isinstance(v, str):
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", v)
            if m is None:
                raise ValueError("give seconds or a duration such as 30m, 2h or 1d")
            return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        return v

    @field_validator("max_cost_usd", mode="before")
    @classmethod
    def _cost_not_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("give an amount in US dollars, e.g. 25.0")
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

    def identity(self) -> dict[str, Any]:
        """The values that decide what a row contains (FINGERPRINT_KEYS), the persona by its text's hash.
        `judge_threshold` decides which rows the judge sees only with `llm_judge_fallback`; it is part of
        the identity then alone, so files made without the fallback keep theirs."""
        data = self.model_dump(include=set(FINGERPRINT_KEYS))
        if self.llm_judge_fallback:
            data["judge_threshold"] = self.judge_threshold
        if self.persona:
            data["persona"] = hashlib.sha256((self.persona_text() or "").encode()).hexdigest()[:16]
        return data

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:16]


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
    info: ProviderInfo,
    overrides: dict[str, Any] | None = None,
    check_data: bool = True,
) -> ExperimentConfig:
    """Read, merge and validate against what the provider supports; every user mistake becomes a
    UserError naming the file and key."""
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

    provider = info.name
    if cfg.generator is not None and cfg.generator not in (provider, *info.accepts_generators):
        raise UserError(
            f"{source}: 'generator' is {cfg.generator} but you ran `bestofn {provider}`; "
            f"run `bestofn {cfg.generator} ...` or change the key."
        )
    cfg.generator = provider  # the file records which provider made it
    # A model left out is picked when the run opens: the provider's default at its own endpoint,
    # else what the server serves (common/pipeline/session.py).
    if cfg.persona:
        found = _resolve_path(cfg.persona, base)
        if found is None:
            raise UserError(f"{source}: 'persona': file {cfg.persona} does not exist (see personas/*.txt).")
        cfg.persona = str(found)
    if cfg.output is None:
        stem = Path(path).stem if path else f"{provider}_run"
        cfg.output = str(base / "results" / f"{stem}.parquet")
    if cfg.price_file:
        found = _resolve_path(cfg.price_file, base)
        if found is None:
            raise UserError(f"{source}: 'price_file': file {cfg.price_file} does not exist.")
        cfg.price_file = str(found)
        from common.model.pricing import PriceFileError, load_prices

        try:
            load_prices(found)
        except PriceFileError as e:
            raise UserError(f"{source}: 'price_file': {e}.") from None
    if cfg.stop_when is not None and cfg.stop_when.verified > cfg.num_candidates:
        raise UserError(f"{source}: 'stop_when': verified is {cfg.stop_when.verified} but num_candidates is "
                        f"{cfg.num_candidates}; a query can never have more verified candidates than it is sampled.")
    if cfg.stop_when is not None and not cfg.verify:
        raise UserError(f"{source}: 'stop_when' counts verified candidates and needs verify: true.")
    if cfg.thinking_budget and not info.supports_thinking:
        raise UserError(f"{source}: 'thinking_budget' is not supported by `bestofn {provider}`; remove it.")
    if "temperature" in raw and not info.supports_temperature:
        logging.getLogger("bestofn").warning(
            "%s: 'temperature' is not sent by `bestofn %s` (its API takes no sampling settings); "
            "rows record it as null.", source, provider,
        )
    if cfg.structured_output and not info.supports_structured_output:
        raise UserError(f"{source}: 'structured_output' is not supported by `bestofn {provider}`; remove it.")
    if cfg.api not in info.apis:
        raise UserError(f"{source}: 'api': `bestofn {provider}` supports {', '.join(info.apis)}, not {cfg.api}.")
    if check_data:
        from common.data.load import DatasetError, check_dataset, is_local_dataset

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


def verifier_options(cfg: ExperimentConfig, split: str) -> dict[str, object]:
    """The options the run hands to `get_verifier(split, **options)` (None: the verifier's default)."""
    if split == "code":
        sandbox = None if cfg.sandbox == "auto" else cfg.sandbox  # auto: $BESTOFN_SANDBOX, else Docker first
        return {"sandbox": sandbox, "image": cfg.sandbox_image, "pool_size": cfg.sandbox_pool,
                "timeout_s": cfg.code_timeout_s}
    if split == "math":
        return {"timeout": cfg.math_timeout_s}
    return {}
