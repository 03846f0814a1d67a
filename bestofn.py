#!/usr/bin/env python3
"""bestofn: N verified candidate answers per prompt, for RLHF / DPO / reward-model data.

    bestofn {openai|claude|local} generate --config experiments/....yaml [overrides]
    bestofn {openai|claude|local} regen RESULTS.parquet --split math,code [--failed-only]
    bestofn verify RESULTS.parquet|RESPONSES.jsonl [--split math] [--output OUT.parquet]
    bestofn batch status|cancel RESULTS.parquet
    bestofn export dpo|rm|sft RESULTS.parquet -o train.parquet

Exit codes: 0 success, 1 runtime failure, 2 usage or config error, 3 stopped at max_cost_usd (rows
kept; rerun with a higher limit to go on), 130 interrupted.
This file parses arguments and maps each provider name to its adapter package (the only place that
knows them); the work is in common/pipeline/generate.py, regen.py and verify.py.
"""

from __future__ import annotations

import errno
import logging
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from common.errors import BudgetReached, RunFailure, UserError
from common.model.api import ProviderInfo


# The provider table: imported lazily, so a run loads only its own SDK and a missing one fails only
# when that provider is used.
def _openai() -> ProviderInfo:
    from openai_gen import OPENAI

    return OPENAI


def _claude() -> ProviderInfo:
    from claude_gen import CLAUDE

    return CLAUDE


def _local() -> ProviderInfo:
    from openai_gen import LOCAL

    return LOCAL


PROVIDERS = {"openai": _openai, "claude": _claude, "local": _local}
HELP = {
    "openai": "OpenAI API (Chat Completions with n, or the Responses API); key in OPENAI_API_KEY.",
    "claude": "Anthropic Claude (Messages API, extended thinking, prompt caching); key in ANTHROPIC_API_KEY.",
    "local": "Any OpenAI-compatible server via --base-url (vLLM, SGLang, llama.cpp), or the embedded "
    "SmolLM2-135M model started for you; no API key.",
}

# The file system's answers to a path a user chose (full, read-only, not allowed, not there, not a file).
FS_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR,
             errno.ENOENT, errno.ENAMETOOLONG, errno.EEXIST}

app = typer.Typer(
    help="Generate N candidate answers per prompt and label each one with a verifier.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help that wraps at any width (rich's boxes cut long words at 80 columns)
)
console = Console(stderr=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Experiment YAML (see experiments/README.md).")]
MaxQueries = Annotated[int | None, typer.Option(help="Queries per split (overrides max_queries).", min=1)]
NumCands = Annotated[int | None, typer.Option(help="Candidates per query (overrides num_candidates).", min=1)]
ModelOpt = Annotated[str | None, typer.Option(help="Model name (overrides model).")]
OutputOpt = Annotated[str | None, typer.Option(help="Output Parquet path (overrides output).")]
ConcOpt = Annotated[int | None, typer.Option(help="Requests in flight at once (overrides concurrency).", min=1)]
BaseUrlOpt = Annotated[str | None, typer.Option(
    help="OpenAI-compatible/Anthropic server URL (overrides base_url); several, comma-separated, for replicas of one "
    "model (least-loaded routing).")]
SplitOpt = Annotated[str | None, typer.Option(help="Comma-separated splits, e.g. math,code,tool_calling.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Plain log lines instead of the live display.")]
MaxCostOpt = Annotated[float | None, typer.Option(
    help="Stop cleanly once the output has cost this many US dollars (overrides max_cost_usd; exit 3).", min=0.0)]


def _overrides(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _run(fn: Any, *args: Any, interrupted: str = "Completed rows are checkpointed", **kwargs: Any) -> None:
    """One place that turns errors into exit codes and keeps tracebacks for bugs only. `interrupted`: what
    Ctrl-C leaves behind, said before the command that goes on."""
    try:
        fn(*args, **kwargs)
    except UserError as e:
        console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except RunFailure as e:
        console.print(f"[red]failed:[/red] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except BudgetReached as e:
        console.print(f"[yellow]stopped:[/yellow] {e}", highlight=False, soft_wrap=True)
        raise typer.Exit(3) from None
    except OSError as e:
        if e.errno not in FS_ERRNOS:
            raise  # not the file system's answer: a bug keeps its traceback
        where = f": {e.filename}" if e.filename else ""
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            console.print(f"[red]failed:[/red] {e.strerror}{where}. Every row checkpointed so far is kept; free "
                          "some space and run the same command again to go on.", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        console.print(f"[red]error:[/red] {e.strerror}{where}.", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        command = shlex.join(["bestofn", *sys.argv[1:]])
        console.print(
            f"\n[yellow]Interrupted.[/yellow] {interrupted}; resume with:\n  {command}",
            highlight=False, soft_wrap=True,  # one line, so it pastes back whole
        )
        raise typer.Exit(130) from None


def _provider_app(provider: str) -> typer.Typer:
    sub = typer.Typer(help=HELP[provider], no_args_is_help=True, rich_markup_mode=None)

    @sub.command(help=f"Generate and verify N candidates per query with {provider}.")
    def generate(
        config: ConfigOpt = None,
        max_queries: MaxQueries = None,
        num_candidates: NumCands = None,
        model: ModelOpt = None,
        output: OutputOpt = None,
        concurrency: ConcOpt = None,
        base_url: BaseUrlOpt = None,
        split: SplitOpt = None,
        max_cost_usd: MaxCostOpt = None,
        overwrite: Annotated[bool, typer.Option(help="Replace an output made with a different config.")] = False,
        repair: Annotated[bool, typer.Option(
            help="Keep every readable part of a damaged checkpoint and regenerate only the lost rows.")] = False,
        batch: Annotated[bool, typer.Option(
            "--batch", help="Generate through the provider's batch API (half price, answered within hours; see "
            "batch_size, batch_deadline, batch_poll_s). A rerun polls the batches already submitted.")] = False,
        dry_run: Annotated[bool, typer.Option(
            "--dry-run", help="Estimate tokens and dollars for the whole config and stop; nothing is sent.")] = False,
        ray: Annotated[str | None, typer.Option(
            "--ray", metavar="ADDRESS", help="Run the shards on a Ray cluster (the head's host:port, or auto), "
            "or `local` for a Ray instance started on this machine; sets executor: ray.")] = None,
        shards: Annotated[int | None, typer.Option(
            min=1, help="With Ray: shards the queries are split into (default: the cluster's CPUs).")] = None,
        quiet: QuietOpt = False,
    ) -> None:
        from common.pipeline.generate import generate as run_generate

        overrides = _overrides(
            max_queries=max_queries, num_candidates=num_candidates, model=model, output=output,
            concurrency=concurrency, base_url=base_url, splits=split, max_cost_usd=max_cost_usd, shards=shards,
        )
        if ray is not None:
            if not ray.strip():
                console.print("[red]error:[/red] --ray is empty; give the cluster's address, or `local`.",
                              highlight=False, soft_wrap=True)
                raise typer.Exit(2)
            overrides |= {"executor": "ray", "ray_address": None if ray.strip() == "local" else ray.strip()}
        if overwrite and repair:
            console.print("[red]error:[/red] --repair keeps a damaged checkpoint's parts and --overwrite throws "
                          "them away; pass one of them.", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        if output is not None and not output.strip():
            console.print("[red]error:[/red] --output is empty; name a .parquet file.", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        if dry_run:
            from common.pipeline.estimate import dry_run as run_dry

            _run(run_dry, PROVIDERS, provider, str(config) if config else None, overrides, batch=batch, quiet=quiet)
            return
        _run(run_generate, PROVIDERS, provider, str(config) if config else None, overrides, overwrite=overwrite,
             quiet=quiet, repair=repair, batch=batch,
             interrupted="Completed rows are checkpointed and submitted batches are kept" if batch
             else "Completed rows are checkpointed")

    @sub.command(help="Regenerate selected rows of a results file in place (errored rows by default).",
                 short_help="Redo selected rows of a results file in place.")
    def regen(
        file: Annotated[Path, typer.Argument(help="Results Parquet file to repair.")],
        split: SplitOpt = None,
        failed_only: Annotated[
            bool, typer.Option("--failed-only", help="Also redo rows whose answer was verified wrong.")
        ] = False,
        all_rows: Annotated[bool, typer.Option("--all", help="Redo every row of the selected splits.")] = False,
        model: ModelOpt = None,
        concurrency: ConcOpt = None,
        base_url: BaseUrlOpt = None,
        max_cost_usd: MaxCostOpt = None,
        allow_mixed: Annotated[bool, typer.Option(
            "--allow-mixed",
            help="Regenerate with another provider or model than the file's: those rows will sit beside the "
            "file's, each naming its own (recorded in the metadata key bestofn.regen_history).",
        )] = False,
        quiet: QuietOpt = False,
    ) -> None:
        from common.pipeline.regen import regen as run_regen

        splits = [s.strip() for s in split.split(",") if s.strip()] if split else None
        mode = "all" if all_rows else "failed" if failed_only else "errors"
        overrides = _overrides(model=model, concurrency=concurrency, base_url=base_url, max_cost_usd=max_cost_usd)
        _run(run_regen, PROVIDERS, provider, file, splits, mode, overrides, quiet=quiet, allow_mixed=allow_mixed)

    return sub


VERIFY_HELP = """Verify the rows of FILE again, without generating anything.

FILE is a results Parquet file (rewritten in place, or written to --output; its metadata is kept and
the run is added to bestofn.verify_history) or a JSONL of outside responses (.jsonl/.ndjson; --output
required), one per line: {id, split, question, response} plus optional ground_truth, tests, tools,
reference_calls, tool_calls, language, entry_point, system, final_answer, model. A line's id becomes
query_id; lines sharing an id are that query's candidates (candidate_idx 0, 1, ... in file order);
provider is "external", fields that do not apply stay null (max_tokens 0). A line that cannot be used
is named and skipped; more than max_error_rate of them (default 10%) exits 1 after writing the rest.

Each row goes through the same checks as generate: refusal patterns, the split's verifier, the LLM judge
where the policy asks. Verifier verdicts are cached by response, everything else the verifier reads and
its version (verifiers.VERIFIER_VERSIONS), so a rerun recomputes only what a changed verifier affects;
generate and regen fill the same cache. The judge of a results file is the one its config names (its
own disk cache makes a rerun free); --no-judge checks locally only and clears the judge columns. A JSONL
input is checked locally only unless --judge-provider names a judge.

The file is written once, atomically (temp name, fsync, rename): Ctrl-C or kill -9 leaves it as it was."""

SHORT_HELP = {
    "openai": "OpenAI (Chat Completions or Responses); OPENAI_API_KEY.",
    "claude": "Anthropic Claude (Messages API); ANTHROPIC_API_KEY.",
    "local": "An OpenAI-compatible server, or the embedded model; no key.",
}
for _name in PROVIDERS:
    app.add_typer(_provider_app(_name), name=_name, short_help=SHORT_HELP[_name])


@app.command(help=VERIFY_HELP, short_help="Verify a results file (or a JSONL of outside responses) again.")
def verify(
    file: Annotated[Path, typer.Argument(help="A results Parquet file, or a .jsonl of outside responses.")],
    split: SplitOpt = None,
    output: Annotated[str | None, typer.Option(
        help="Parquet file to write, ending in .parquet (default: FILE in place; required for a JSONL input).")] = None,
    cache_dir: Annotated[str | None, typer.Option(
        help="Verdict cache folder (default .bestofn_cache/verdicts, where generate leaves its verdicts).")] = None,
    no_judge: Annotated[bool, typer.Option("--no-judge", help="Local verification only; no judge is asked.")] = False,
    judge_provider: Annotated[str | None, typer.Option(
        help="Judge with this provider (openai, claude, local); default: the file's config (none for a JSONL "
        "or a file made from one).")
    ] = None,
    judge_model: Annotated[str | None, typer.Option(help="Judge model (overrides judge_model).")] = None,
    judge_base_url: Annotated[str | None, typer.Option(help="Judge server URL (overrides judge_base_url).")] = None,
    max_error_rate: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Exit 1 above this share of bad JSONL lines, errored rows or judge failures.")
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    from common.pipeline.verify import verify as run_verify

    def refuse(sentence: str) -> NoReturn:
        console.print(f"[red]error:[/red] {sentence}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)

    judge = {"judge_provider": judge_provider, "judge_model": judge_model, "judge_base_url": judge_base_url}
    if no_judge and any(v is not None for v in judge.values()):
        refuse("--no-judge asks no judge and --judge-* options name one; pass one of them.")
    empty = {
        "--output": "name a .parquet file",
        "--cache-dir": "name a folder, or leave it out for .bestofn_cache/verdicts",
        "--judge-provider": "name openai, claude or local",
        "--judge-model": "name a model, or leave it out for the file's judge model",
        "--judge-base-url": "name the judge's server, or leave it out",
    }
    given = {"--output": output, "--cache-dir": cache_dir, "--judge-provider": judge_provider,
             "--judge-model": judge_model, "--judge-base-url": judge_base_url}
    for option, value in given.items():
        if value is not None and not value.strip():
            refuse(f"{option} is empty; {empty[option]}.")
    splits = [s.strip() for s in split.split(",") if s.strip()] if split is not None else None
    if split is not None and not splits:
        refuse(f"--split {split!r} names no split; name one or more, e.g. --split math,code, or leave it out for "
               "every split.")
    _run(run_verify, PROVIDERS, file, splits, Path(output) if output is not None else None,
         Path(cache_dir) if cache_dir is not None else None, use_judge=not no_judge, judge=judge,
         max_error_rate=max_error_rate, quiet=quiet,
         interrupted="The file is as it was and the verdicts reached so far are cached")


@app.command(help="Write a results file as training data in TRL's formats: dpo (prompt / chosen / rejected), rm "
             "(chosen / rejected, or with --unpaired prompt / completion / label) or sft (messages). Chosen answers "
             "are verified, the most confident first; rejected ones verified wrong; errored rows never count, "
             "refused or truncated ones only when allowed. OUT is .parquet or .jsonl.",
             short_help="Write a results file as DPO, reward-model or SFT data (TRL's formats).")
def export(
    kind: Annotated[str, typer.Argument(help="dpo, rm or sft.")],
    file: Annotated[Path, typer.Argument(help="A results Parquet file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The dataset to write (.parquet or .jsonl).")],
    pairs_per_query: Annotated[int, typer.Option(help="Most pairs (sft: answers) per query.")] = 1,
    min_confidence: Annotated[float, typer.Option(help="Least verifier confidence of a chosen answer.")] = 0.0,
    allow_refusals: Annotated[bool, typer.Option("--allow-refusals", help="Refusals may be rejected answers.")] = False,
    allow_truncated: Annotated[bool, typer.Option("--allow-truncated", help="Cut-off answers may be used.")] = False,
    unpaired: Annotated[bool, typer.Option("--unpaired", help="rm: one row per answer with a label.")] = False,
    min_voice: Annotated[float | None, typer.Option(
        help="Persona runs: use only answers whose persona_voice score (0-1) is at least this.")] = None,
    quiet: QuietOpt = False,
) -> None:
    from common.pipeline.export import ExportOptions
    from common.pipeline.export import export as run_export

    opts = ExportOptions(kind, pairs_per_query, min_confidence, allow_refusals, allow_truncated, unpaired, min_voice)
    _run(run_export, file, output, opts, quiet=quiet, interrupted="Nothing was written")


batch_app = typer.Typer(help="Batches a `generate --batch` run submitted and has not merged yet.",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(batch_app, name="batch", short_help="Status or cancel of an output's submitted batches.")
BatchFile = Annotated[Path, typer.Argument(help="The output Parquet file of a `generate --batch` run.")]


@batch_app.command(help="Ask the provider where each batch of OUTPUT stands.")
def status(file: BatchFile, quiet: QuietOpt = False) -> None:
    from common.pipeline.batch import manage

    _run(manage, PROVIDERS, "status", file, quiet=quiet)


@batch_app.command(help="Cancel the batches of OUTPUT. The next `generate --batch` keeps what they answered and "
                   "generates the rest online.")
def cancel(file: BatchFile, quiet: QuietOpt = False) -> None:
    from common.pipeline.batch import manage

    _run(manage, PROVIDERS, "cancel", file, quiet=quiet)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    for noisy in ("httpx", "httpx2", "httpcore", "httpcore2", "openai", "anthropic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app()


if __name__ == "__main__":
    main()
