"""Where a code row's tests come from, in order of trust, normalised into one TestPlan.

1. the row's own tests: HumanEval `{"test": "def check(candidate)...", "entry_point"}`, APPS/TACO
   `{"inputs", "outputs", "fn_name"?}` (stdin/stdout without fn_name, function calls with it), or SQL
   `{"schema", "data", "expected", "ordered"?, "cases"?: [{"data", "expected", "ordered"?}]}`;
2. examples parsed from the problem statement (competitive-programming "Input / Output / Example"
   sections, as in Nemotron code rows, which ship no tests);
3. tests written by a judge model: rows (or a `test_generator` hook) marked `generated_tests: true`.

Function tests also carry the question's own code (`question_prelude`): HumanEval runs prompt +
completion + test as one program, so the prompt's imports and helpers exist whether or not the answer
repeats them, and check() calls the prompt's helpers (poly, encode_cyclic), not the answer's copies.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from verifiers.pyparse import parse_python

Kind = Literal["humaneval", "call", "stdio", "sql", "none"]
Source = Literal["row", "statement", "generated", "none"]


@dataclass(frozen=True)
class SqlCase:
    schema: str
    data: str
    expected: list[list[Any]]
    ordered: bool = False


@dataclass
class TestPlan:
    kind: Kind
    source: Source
    entry_point: str | None = None
    check: str | None = None  # HumanEval check(candidate) source
    calls: list[list[Any]] = field(default_factory=list)  # function-call arguments
    stdio: list[tuple[str, str]] = field(default_factory=list)  # (stdin, expected stdout)
    expected: list[Any] = field(default_factory=list)  # function-call results
    sql: list[SqlCase] = field(default_factory=list)
    available: int | None = None  # tests the row has, when more than the plan holds (the safety cap)
    prelude: str | None = None  # the question's imports and complete definitions (function tests)

    @property
    def total(self) -> int:
        return {"humaneval": 1, "call": len(self.calls), "stdio": len(self.stdio), "sql": len(self.sql)}.get(
            self.kind, 0)

    @property
    def row_total(self) -> int:
        return max(self.available or 0, self.total)


class BadTests(ValueError):
    """The row's tests are malformed: a data problem, reported instead of a verdict on the candidate."""


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value) + "\n"
    return "" if value is None else str(value)


def plan_from_tests(tests: Any, entry_point: str | None, max_tests: int, source: Source = "row") -> TestPlan | None:
    """`max_tests` is a safety cap for pathological rows, not a sample size: a plan that had to drop
    tests says so in `available`, and a pass on it is never a confident one."""
    if not tests:
        return None
    if isinstance(tests, list):  # a list of {"input", "output"} pairs
        pairs = [(t.get("input", t.get("stdin")), t.get("output", t.get("stdout"))) for t in tests
                 if isinstance(t, dict)]
        if not pairs:
            raise BadTests("tests is a list but holds no {input, output} objects")
        tests = {"inputs": [p[0] for p in pairs], "outputs": [p[1] for p in pairs]}
    if not isinstance(tests, dict):
        raise BadTests(f"tests must be an object, got {type(tests).__name__}")
    if tests.get("generated_tests"):
        source = "generated"
    if "schema" in tests or "cases" in tests:
        return _sql_plan(tests, source, max_tests)
    if isinstance(tests.get("test"), str):
        name = tests.get("entry_point") or entry_point
        if not name:
            raise BadTests("HumanEval tests need an entry_point")
        if "def check" not in tests["test"]:
            raise BadTests("HumanEval test code defines no check(candidate)")
        return TestPlan("humaneval", source, entry_point=str(name), check=tests["test"])
    inputs, outputs = tests.get("inputs"), tests.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        raise BadTests("tests need equally long 'inputs' and 'outputs' lists")
    if not inputs:
        return None
    available = len(inputs) if len(inputs) > max_tests else None
    inputs, outputs = inputs[:max_tests], outputs[:max_tests]
    fn = tests.get("fn_name") or None
    if fn:
        return TestPlan("call", source, entry_point=str(fn), available=available,
                        calls=[a if isinstance(a, list) else [a] for a in inputs], expected=list(outputs))
    return TestPlan("stdio", source, available=available,
                    stdio=[(_text(i), _text(o)) for i, o in zip(inputs, outputs, strict=True)])


def _sql_plan(tests: dict, source: Source, max_tests: int) -> TestPlan:
    schema = tests.get("schema") or ""
    cases = tests.get("cases") or [tests]
    if not isinstance(cases, list):
        raise BadTests("SQL 'cases' must be a list")
    available = len(cases) if len(cases) > max_tests else None
    cases = cases[:max_tests]
    out = []
    for case in cases:
        expected = case.get("expected") if isinstance(case, dict) else None
        if not isinstance(expected, list):
            raise BadTests("SQL tests need 'expected': a list of rows")
        rows = [r if isinstance(r, list) else [r] for r in expected]
        out.append(SqlCase(case.get("schema", schema), case.get("data") or "", rows,
                           bool(case.get("ordered", tests.get("ordered", False)))))
    return TestPlan("sql", source, sql=out, available=available)


# --------------------------------------------------------------------------- statement examples

_EXAMPLES_HEADER = re.compile(r"^\s*(?:-{2,}\s*)?(?:#+\s*)?\**(?:examples?|samples?(?: tests?| test cases?)?)\b"
                              r"[^\n]*$", re.IGNORECASE | re.MULTILINE)
_INPUT_HEAD = re.compile(
    r"^\s*(?:#+\s*)?\**(?:sample\s+|example\s+)?input(?:\s*#?\s*\d+)?\s*\**\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_OUTPUT_HEAD = re.compile(
    r"^\s*(?:#+\s*)?\**(?:sample\s+|example\s+)?output(?:\s*#?\s*\d+)?\s*\**\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_HEADS = re.compile(f"{_INPUT_HEAD.pattern}|{_OUTPUT_HEAD.pattern}".replace("(?P<rest>", "(?:"), re.IGNORECASE)
_STOP = re.compile(r"^\s*(?:-{2,}\s*)?(?:#+\s*)?\**(?:notes?|explanation|examples?\s*\d*|sample\s+\d+|constraints?|"
                   r"in the (?:first|second|third)\b)", re.IGNORECASE)


def _is_prose(line: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", line)
    return len(words) >= 5 and len(words) >= 0.6 * len(line.split())


def _clean(lines: list[str]) -> str:
    body = [ln for ln in lines if not re.match(r"^\s*(?:`{3,}|~{3,})\s*\w*\s*$", ln)]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(ln.rstrip() for ln in body)


def statement_examples(question: str | None, max_tests: int) -> list[tuple[str, str]]:
    """(stdin, stdout) pairs from a statement's example sections; [] when none can be read safely."""
    if not question:
        return []
    m = _EXAMPLES_HEADER.search(question)
    region = question[m.start():] if m else question
    lines = region.splitlines()
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        head = _INPUT_HEAD.match(lines[i])
        if not head:
            i += 1
            continue
        inp, i = _section(lines, i + 1, head.group("rest"), _HEADS)
        out_head = _OUTPUT_HEAD.match(lines[i]) if i < len(lines) else None
        if out_head is None:
            continue  # an input with no output after it (a format description): look further
        out, i = _section(lines, i + 1, out_head.group("rest"), _INPUT_HEAD, output=True)
        if inp is None or out is None or "=" in inp:
            continue  # prose (an input/output specification) or LeetCode "nums = [...]" arguments
        pairs.append((inp + "\n", out + "\n"))
        if len(pairs) >= max_tests:
            break
    return pairs


def _section(lines: list[str], start: int, inline: str, until: re.Pattern[str], output: bool = False
             ) -> tuple[str | None, int]:
    body = [inline] if inline.strip() else []
    i = start
    while i < len(lines) and not until.match(lines[i]) and not (body and _STOP.match(lines[i])):
        if output and body and not lines[i].strip() and i + 1 < len(lines) and _is_prose(lines[i + 1]):
            break  # a blank line then an explanation paragraph ends an output
        body.append(lines[i])
        i += 1
    text = _clean(body)
    if not text or any(_is_prose(ln) for ln in text.splitlines()):
        return None, i
    return text, i


# --------------------------------------------------------------------------- the question's own code

_FENCED = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^[ \t]{0,3}\1[ \t]*$",
                     re.MULTILINE | re.DOTALL)
_CODE_START = re.compile(r"^(?:from \w[\w.]* import |import \w|def \w|async def \w|class \w|@)", re.MULTILINE)
_RESERVED = frozenset({"check", "candidate", "METADATA"})
_MAX_QUESTION = 200_000


def _parse(code: str) -> ast.Module | None:
    try:
        return parse_python(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


def _question_trees(question: str) -> list[ast.Module]:
    """The question's Python: all of it when it parses (a HumanEval prompt), else its fenced python or
    untagged blocks that parse, else the longest tail that starts at a line of code and parses."""
    if (whole := _parse(question)) is not None:
        return [whole]
    blocks = [m.group(3) for m in _FENCED.finditer(question) if m.group(2).lower() in ("", "python", "py", "python3")]
    trees = [t for t in map(_parse, blocks) if t is not None]
    if trees or blocks:
        return trees
    for start in [m.start() for m in _CODE_START.finditer(question)][:20]:
        if (tail := _parse(question[start:])) is not None:
            return [tail]
    return []


def _is_stub(body: list[ast.stmt]) -> bool:
    """Only a docstring, pass, ... or raise NotImplementedError: what the answer has to write."""
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in ast.unparse(stmt):
            continue
        return False
    return True


def _complete(node: ast.stmt, entry_point: str | None) -> bool:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return node.name != entry_point and node.name not in _RESERVED and not _is_stub(node.body)
    if isinstance(node, ast.ClassDef):
        methods = [n for n in ast.walk(node) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        return (node.name != entry_point and node.name not in _RESERVED
                and not any(m.name == entry_point or _is_stub(m.body) for m in methods))
    return False


def _plain_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.module != "__future__"
                                            and not any(a.name == "*" for a in node.names))


def _literal_assignment(node: ast.stmt, entry_point: str | None) -> bool:
    if not isinstance(node, ast.Assign) or not all(
            isinstance(t, ast.Name) and t.id != entry_point and t.id not in _RESERVED for t in node.targets):
        return False
    try:
        ast.literal_eval(node.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def question_prelude(question: str | None, entry_point: str | None) -> str | None:
    """The question's imports, literal constants and complete function/class definitions (never the
    entry point, a stub the answer must fill in, or anything that runs code at load), as Python
    source, or None. Parsing runs no code; the sandbox runs it before the answer's module (whose own
    definitions then replace it) and in check()'s namespace (where it replaces the answer's copies)."""
    if not question or len(question) > _MAX_QUESTION:
        return None
    keep: list[ast.stmt] = []
    for tree in _question_trees(question):
        for node in tree.body:
            if _plain_import(node) or _complete(node, entry_point) or _literal_assignment(node, entry_point):
                keep.append(node)
    if not keep:
        return None
    try:
        return ast.unparse(ast.Module(keep, []))
    except (ValueError, RecursionError):
        return None
