"""The layers stay: an AST walk of every import, lazy ones inside functions included.

- common/ never imports openai_gen/ or claude_gen/ (bestofn.py hands the provider table down);
- verifiers/ imports nothing of the project outside itself (it stands alone, as a library and as reward functions);
- the two provider packages never import each other;
- no module but bestofn.py imports a provider package (tests aside);
- no import cycle among the project's modules;
- no comparison with a provider's name outside the provider packages and bestofn.py's table.

Edges are the imports written in the code; the implicit import of a parent package's __init__
when a submodule loads is not an edge (Python resolves that without a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("common", "verifiers", "openai_gen", "claude_gen")
TOP_MODULES = ("bestofn", "local_server", "inspect_experiment")
PROVIDER_PACKAGES = ("openai_gen", "claude_gen")
PROVIDER_NAMES = {"openai", "claude", "local", "anthropic"}
# Trusted scripts copied into the sandbox and run there as plain scripts, not project modules.
STANDALONE = ROOT / "verifiers" / "sandbox" / "scripts"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    found = {name: ROOT / f"{name}.py" for name in TOP_MODULES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if STANDALONE not in path.parents:
                found[_module_name(path)] = path
    return found


def _first_party(name: str, modules: dict[str, Path]) -> str | None:
    """The longest project module `name` refers to (a.b.C -> a.b when C is a class in a.b)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):  # every import, at module level or inside a function
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = _first_party(name, modules)
            if target is not None and target != module:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_walk_sees_the_project(graph: dict[str, set[str]]) -> None:
    # A walk that found nothing would pass every rule below.
    assert len(graph) > 50
    assert "common.pipeline.engine" in graph["common.pipeline.generate"]
    assert "verifiers.math.verifier" in graph["verifiers"]  # a lazy import, inside a function
    assert "openai_gen" in graph["bestofn"]


def test_common_never_imports_a_provider(graph: dict[str, set[str]]) -> None:
    bad = {m: sorted(t for t in ts if _top(t) in PROVIDER_PACKAGES) for m, ts in graph.items() if _top(m) == "common"}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_verifiers_stand_alone(graph: dict[str, set[str]]) -> None:
    bad = {m: sorted(t for t in ts if _top(t) != "verifiers") for m, ts in graph.items() if _top(m) == "verifiers"}
    assert {m: ts for m, ts in bad.items() if ts} == {}


def test_providers_never_import_each_other(graph: dict[str, set[str]]) -> None:
    for package in PROVIDER_PACKAGES:
        others = set(PROVIDER_PACKAGES) - {package}
        bad = {m: sorted(t for t in ts if _top(t) in others) for m, ts in graph.items() if _top(m) == package}
        assert {m: ts for m, ts in bad.items() if ts} == {}


def test_only_the_cli_picks_a_provider(graph: dict[str, set[str]]) -> None:
    users = {m for m, ts in graph.items() if _top(m) not in PROVIDER_PACKAGES
             and any(_top(t) in PROVIDER_PACKAGES for t in ts)}
    assert users == {"bestofn"}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_provider_branches_outside_the_table() -> None:
    """Provider knowledge lives in the adapters: no `x == "claude"` in common/ or verifiers/."""
    offenders = []
    for module, path in project_modules().items():
        if _top(module) not in ("common", "verifiers"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for operand in operands:
                    values = operand.elts if isinstance(operand, ast.Tuple | ast.Set | ast.List) else [operand]
                    if any(isinstance(v, ast.Constant) and v.value in PROVIDER_NAMES for v in values):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
