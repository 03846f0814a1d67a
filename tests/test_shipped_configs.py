"""The shipped experiment configs and the docs about them: every config loads through the real loader
for its provider, reads data and a persona that exist, names a model that is priced and not past its
end-of-life; the docs name every config key and link only to files that exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

import bestofn
from common.config import ExperimentConfig, load_config
from common.data.load import is_local_dataset
from common.model.api import ProviderInfo
from common.model.pricing import price_for

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
CONFIGS = sorted(p for p in EXPERIMENTS.rglob("*.yaml") if "results" not in p.relative_to(EXPERIMENTS).parts)
DOCS = [ROOT / "QUICKSTART_PERSONAS.md", EXPERIMENTS / "README.md", EXPERIMENTS / "QUICKREF.md",
        ROOT / "personas" / "README.md"]
EMBEDDED_MODEL = "SmolLM2-135M-Instruct"  # what local_server.py serves without --model
# End-of-life dates the installed SDK may not list; the SDK's own table (anthropic._data) is read as well.
KNOWN_EOL = {"claude-sonnet-4-5": date(2026, 11, 30), "claude-opus-4-5": date(2027, 1, 22)}
_DATED = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2})$")


def _id(path: Path) -> str:
    return str(path.relative_to(EXPERIMENTS))


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def _providers(raw: dict[str, Any]) -> list[str]:
    """The providers a config is written for: its `generator`, or every one when it names none."""
    return [raw["generator"]] if raw.get("generator") else sorted(bestofn.PROVIDERS)


def _info(name: str) -> ProviderInfo:
    return bestofn.PROVIDERS[name]()


def test_configs_are_found() -> None:
    names = {_id(p) for p in CONFIGS}
    for group in ("baseline", "marvin", "data", "j5"):
        assert any(n.startswith(f"{group}/") for n in names), group
    assert "baseline/baseline.yaml" in names  # the research prototype's README runs it


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_config_loads_for_its_provider(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    raw = _raw(path)
    local_data = is_local_dataset(str(raw.get("dataset", "")))
    for provider in _providers(raw):
        # A Hub dataset would need the network to check: those configs load without the data check.
        cfg = load_config(path, _info(provider), check_data=local_data)
        assert cfg.generator == provider


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_config_header_and_notes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    raw = _raw(path)
    assert text.startswith("#"), "start with a comment saying what the config is for"
    runs = re.findall(r"python bestofn\.py (\w+) generate --config (\S+)", text)
    assert runs, "the header gives the command that runs it"
    assert (runs[0][1]) == str(path.relative_to(ROOT))
    assert runs[0][0] in _providers(raw)
    assert str(raw.get("notes") or "").strip(), "say what the run is for in notes:"


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_dataset_matches_files(path: Path) -> None:
    dataset = str(_raw(path).get("dataset", ExperimentConfig().dataset))
    if not is_local_dataset(dataset):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", dataset), f"{dataset!r} is neither a local path nor a Hub id"
        return
    assert not Path(dataset).is_absolute(), "shipped configs name their data relative to the repository"
    assert sorted(ROOT.glob(dataset)), f"{dataset} matches no file"


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_persona_exists(path: Path) -> None:
    persona = _raw(path).get("persona")
    if persona is not None:
        assert (ROOT / persona).is_file(), f"{persona} does not exist (give it relative to the repository)"


def _eol_dates() -> dict[str, date]:
    table = dict(KNOWN_EOL)
    try:
        from anthropic._data import DEPRECATED_MODELS
    except ImportError:
        return table
    for model, when in DEPRECATED_MODELS.items():
        try:
            table[model] = datetime.strptime(re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", when), "%B %d, %Y").date()
        except ValueError:
            continue
    return table


@pytest.mark.parametrize("path", CONFIGS, ids=_id)
def test_models_are_current(path: Path) -> None:
    raw = _raw(path)
    eol = _eol_dates()
    for provider in _providers(raw):
        info = _info(provider)
        for key in ("model", "judge_model", "tool_mock_model"):
            model = raw.get(key) or (info.default_model if key == "model" else None)
            if model is None:
                continue  # the server's own model, or the run's
            for name in (model, _DATED.sub("", model)):
                if name in eol:
                    assert eol[name] > date.today(), f"{key} {model} reached end-of-life on {eol[name]}"
            if info.self_hosted:
                assert model == EMBEDDED_MODEL or raw.get("base_url"), \
                    f"{key} {model}: a local config names the embedded model or its own server's"
            else:
                assert price_for(info.prices, model) is not None, f"{key} {model} is not in {provider}_gen/prices.yaml"


def test_one_config_keeps_the_prototypes_opus() -> None:
    opus = [p for p in CONFIGS if _raw(p).get("model") == "claude-opus-4-5-20251101"]
    assert len(opus) == 1, [str(p) for p in opus]
    assert "2027-01-22" in opus[0].read_text(encoding="utf-8"), "say when the model reaches end-of-life"


def test_readme_names_every_config_key() -> None:
    text = (EXPERIMENTS / "README.md").read_text(encoding="utf-8")
    missing = [k for k in ExperimentConfig.model_fields if f"`{k}`" not in text]
    assert not missing, f"experiments/README.md does not document: {', '.join(missing)}"


def test_readme_lists_every_shipped_config() -> None:
    text = (EXPERIMENTS / "README.md").read_text(encoding="utf-8")
    missing = [_id(p) for p in CONFIGS if f"`{_id(p)}`" not in text]
    assert not missing, f"experiments/README.md's config table lacks: {', '.join(missing)}"


# ---- the docs ------------------------------------------------------------------------------------
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    prose = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m) for m in re.findall(r"^#+\s+(.+?)\s*$", prose, re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    prose = _FENCE.sub("", doc.read_text(encoding="utf-8"))
    links = [t for t in _LINK.findall(prose) if not re.match(r"[a-z]+:", t)]
    assert links, "no links found: the pattern is wrong"
    for target in links:
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        assert dest.exists(), f"{doc.name}: link {target} names nothing"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{doc.name}: link {target}: no such heading"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_paths_in_docs_exist(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    named = set(re.findall(r"\b(?:experiments|personas)/[\w/.-]+\.(?:yaml|txt|jsonl)\b", text))
    if doc == EXPERIMENTS / "README.md":  # its config table names them from experiments/
        named |= {f"experiments/{m}" for m in re.findall(r"`([\w-]+/[\w.-]+\.yaml)`", text)
                  if (EXPERIMENTS / m.split("/")[0]).is_dir()}
    named -= {"experiments/marvin/my_run.yaml"}  # the example of a new config
    missing = sorted(p for p in named if not (ROOT / p).is_file())
    assert not missing, f"{doc.name} names files that do not exist: {missing}"


def _commands(doc: Path) -> list[str]:
    """Shell commands in the doc's bash blocks, continuation lines joined."""
    out: list[str] = []
    for block in re.findall(r"^```bash\n(.*?)^```", doc.read_text(encoding="utf-8"), re.S | re.M):
        out += [c.strip() for c in block.replace("\\\n", " ").splitlines() if c.strip()]
    return out


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


def _cli_options(words: list[str]) -> tuple[str, set[str]]:
    """(the command's name, its options) for a bestofn command line after the word `bestofn`."""
    command = typer.main.get_command(bestofn.app)
    path = []
    while hasattr(command, "commands") and words and words[0] in command.commands:  # a group: go down
        path.append(words[0])
        command = command.commands[words.pop(0)]
    assert not hasattr(command, "commands"), f"bestofn {' '.join(path)}: no such command"
    return " ".join(path), _options(command)


@pytest.mark.parametrize("doc", [ROOT / "QUICKSTART_PERSONAS.md", EXPERIMENTS / "QUICKREF.md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_documented_commands_and_flags_exist(doc: Path) -> None:
    server_help = subprocess.run([sys.executable, str(ROOT / "local_server.py"), "--help"], capture_output=True,
                                 text=True, cwd=ROOT, check=True).stdout
    import inspect_experiment  # here, so the config tests do not depend on it

    inspect_options = _options(typer.main.get_command(inspect_experiment.app))
    checked = 0
    for line in _commands(doc):
        words = shlex.split(line, comments=True)
        if words[:2] == ["python", "bestofn.py"]:
            words = ["bestofn", *words[2:]]
        flags = [w.split("=", 1)[0] for w in words if w.startswith("-") and w != "-"]
        if words[:1] == ["bestofn"]:
            name, options = _cli_options(words[1:])
        elif words[:2] == ["python", "inspect_experiment.py"]:
            name, options = "inspect_experiment.py", inspect_options
        elif words[:2] == ["python", "local_server.py"]:
            name, options = "local_server.py", set(re.findall(r"--[\w-]+", server_help))
        else:
            continue
        unknown = [f for f in flags if f not in options]
        assert not unknown, f"{doc.name}: `{line}`: {name} has no {', '.join(unknown)}"
        checked += 1
    assert checked >= 5
