"""Dataset loading: the shipped sample, both row forms, quotas, laziness and hub failures."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from common.data.load import (
    DEFAULT_DATASET,
    TOOL_CALLING_DATASET,
    DatasetError,
    LoadStats,
    check_dataset,
    is_local_dataset,
    iter_queries,
)
from common.data.query import Query
from common.data.rows import extract_last_boxed, row_to_query
from tests.conftest import ROOT

SAMPLE_DIR = ROOT / "experiments" / "samples"
SAMPLE = str(SAMPLE_DIR / "*.jsonl")
ALL_SPLITS = ["math", "code", "tool_calling"]


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    return endpoint


# --------------------------------------------------------------------------- the shipped sample


def test_sample_loads_with_expected_counts() -> None:
    stats = LoadStats()
    queries = list(iter_queries(SAMPLE, ALL_SPLITS, None, stats=stats))
    assert stats.loaded == {"math": 26, "code": 22, "tool_calling": 17}
    assert stats.skipped_empty == {"math": 2, "code": 0, "tool_calling": 0}
    assert stats.skipped_bad == {"math": 0, "code": 0, "tool_calling": 0}
    # split by split in the order asked for, rows in file order
    assert [q.split for q in queries] == ["math"] * 26 + ["code"] * 22 + ["tool_calling"] * 17
    assert len({q.query_id for q in queries}) == len(queries)
    assert all(q.reasoning == "off" for q in queries)


def test_sample_split_order_follows_request() -> None:
    queries = list(iter_queries(SAMPLE, ["tool_calling", "math"], 2))
    assert [q.split for q in queries] == ["tool_calling", "tool_calling", "math", "math"]


def test_sample_math_rows() -> None:
    queries = {q.query_id: q for q in iter_queries(SAMPLE, ["math"], None)}
    assert all(q.ground_truth for q in queries.values())
    assert queries["sample-math-001"].question == "What is 7 + 5?"
    assert queries["sample-math-001"].ground_truth == "12"
    assert queries["sample-math-007"].ground_truth == r"\frac{3}{4}"
    q = queries["sample-math-001"]
    assert q.messages == ({"role": "user", "content": "What is 7 + 5?"},)
    assert q.system is None and q.tests is None and q.tools is None
    assert q.metadata_json() is None
    assert "sample-math-901" not in queries and "sample-math-902" not in queries


def test_sample_code_rows() -> None:
    queries = list(iter_queries(SAMPLE, ["code"], None))
    assert all(q.language == "python" and q.tests for q in queries)
    assert all(q.ground_truth is None for q in queries)
    humaneval = [q for q in queries if "test" in q.tests]
    with_fn = [q for q in queries if "fn_name" in q.tests]
    stdio = [q for q in queries if "inputs" in q.tests and "fn_name" not in q.tests]
    assert len(humaneval) >= 5 and len(with_fn) >= 5 and len(stdio) >= 3
    assert all(q.entry_point for q in humaneval + with_fn)
    meta = json.loads(humaneval[0].metadata_json() or "")
    assert set(meta) == {"tests", "language", "entry_point"}


def test_sample_tool_calling_rows() -> None:
    queries = list(iter_queries(SAMPLE, ["tool_calling"], None))
    assert all(q.ground_truth is None for q in queries)
    for q in queries:
        assert q.tools
        for t in q.tools:  # the one internal form, whatever form the row wrote
            assert set(t) == {"name", "description", "parameters"}
            assert t["parameters"]["type"] == "object"
    with_system = [q for q in queries if q.system]
    assert len(with_system) == 2
    for q in with_system:
        assert [m["role"] for m in q.messages] == ["user"]
    assert json.loads(queries[0].metadata_json() or "")["tools"] == queries[0].tools


def _extract_code(text: str) -> str:
    start = text.index("```python\n") + len("```python\n")
    return text[start : text.index("```", start)]


_FN_HARNESS = """
import json, sys
cases = json.loads(sys.argv[1])
for args, expected in zip(cases["inputs"], cases["outputs"]):
    got = {fn}(*args)
    assert got == expected, (args, got, expected)
"""


CODE_ROWS = [json.loads(line) for line in (SAMPLE_DIR / "code.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("row", CODE_ROWS, ids=[r["uuid"] for r in CODE_ROWS])
def test_sample_code_reference_passes_its_tests(row: dict, tmp_path: Path) -> None:
    code = _extract_code(row["messages"][-1]["content"])
    tests = json.loads(row["metadata"])["tests"]

    def run(source: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        script = tmp_path / "prog.py"
        script.write_text(source)
        return subprocess.run([sys.executable, str(script), *args], input=stdin, capture_output=True,
                              text=True, timeout=30, cwd=tmp_path)

    if "test" in tests:
        proc = run(f"{code}\n{tests['test']}\ncheck({tests['entry_point']})\n")
        assert proc.returncode == 0, proc.stderr
    elif "fn_name" in tests:
        proc = run(code + _FN_HARNESS.format(fn=tests["fn_name"]), json.dumps(tests))
        assert proc.returncode == 0, proc.stderr
    else:
        assert tests["inputs"] and len(tests["inputs"]) == len(tests["outputs"])
        for stdin, expected in zip(tests["inputs"], tests["outputs"], strict=True):
            proc = run(code, stdin=stdin)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.rstrip() == expected.rstrip()


# --------------------------------------------------------------------------- parsing helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"so $\boxed{12}$", "12"),
        (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}"),
        (r"first \boxed{1} then \boxed{ 2 }", "2"),
        (r"\fbox{x^{2}+1}", "x^{2}+1"),
        (r"\boxed{a} and \fbox{b}", "a, b"),  # adjacent boxes: several answers
        (r"the answer is \boxed 5.", "5"),
        (r"\boxed{\text{{nested} {deep}}}", r"\text{{nested} {deep}}"),
        (r"\boxed{3} then truncated \boxed{\frac{1", "3"),
        ("no box here", None),
        ("", None),
        (r"\boxedfoo{1}", None),
    ],
)
def test_extract_last_boxed(text: str, expected: str | None) -> None:
    assert extract_last_boxed(text) == expected


@pytest.mark.parametrize(
    ("dataset", "local"),
    [
        ("experiments/samples/*.jsonl", True),
        ("data.parquet", True),
        ("rows.json", True),
        ("./somewhere", True),
        ("/abs/path", True),
        ("~/data", True),
        (DEFAULT_DATASET, False),
        ("org/name", False),
    ],
)
def test_is_local_dataset(dataset: str, local: bool) -> None:
    assert is_local_dataset(dataset) is local


def _nemotron(messages: list[dict], metadata: dict | str = "{}", **extra: object) -> dict:
    meta = metadata if isinstance(metadata, str) else json.dumps(metadata)
    return {"uuid": "u1", "category": "math", "reasoning": "on", "messages": messages, "metadata": meta,
            **extra}


def test_row_to_query_skips_empty_and_placeholder() -> None:
    for content in ("", "   ", "-", " - "):
        row = _nemotron([{"role": "user", "content": content}, {"role": "assistant", "content": "x"}])
        assert row_to_query(row, "math") is None
    assert row_to_query({"id": "p", "question": "-"}, "math") is None


@pytest.mark.parametrize(
    "row",
    [
        {"foo": 1},
        {"messages": "not json"},
        {"messages": []},
        {"messages": [{"role": "assistant", "content": "only an answer"}]},
        {"messages": [{"role": "user", "content": "hi"}], "metadata": "{broken"},
        {"messages": [{"role": "user", "content": "hi"}], "metadata": json.dumps({"tools": [{"x": 1}]})},
    ],
)
def test_row_to_query_rejects_unparseable(row: dict) -> None:
    with pytest.raises(ValueError):
        row_to_query(row, "code")


def test_multi_turn_prompt_keeps_turns_before_reference() -> None:
    call = {"type": "function", "function": {"name": "f", "arguments": "{}"}}
    row = _nemotron([
        {"role": "system", "content": "be terse"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "content": "42", "tool_call_id": "c1", "tool_calls": []},
        {"role": "user", "content": "second"},
        {"role": "assistant", "content": r"done \boxed{42}", "tool_calls": []},
    ])
    q = row_to_query(row, "math")
    assert q is not None
    assert q.system == "be terse" and q.question == "second" and q.ground_truth == "42"
    assert q.reasoning == "on"
    assert q.messages == (
        {"role": "user", "content": "first"},
        # neutral calls; a call without an id takes the id of the tool message that answers it
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "f", "arguments": "{}"}]},
        {"role": "tool", "content": "42", "tool_call_id": "c1"},
        {"role": "user", "content": "second"},
    )


def test_ground_truth_only_for_math() -> None:
    msgs = [{"role": "user", "content": "q"}, {"role": "assistant", "content": r"\boxed{7}"}]
    assert row_to_query(_nemotron(msgs), "math").ground_truth == "7"
    assert row_to_query(_nemotron(msgs), "tool_calling").ground_truth is None
    assert row_to_query(_nemotron(msgs), "code").ground_truth is None


def test_tools_normalised_from_bare_and_string_forms() -> None:
    bare = {"name": "get_weather", "description": "Weather.",
            "parameters": json.dumps({"type": "object", "properties": {"city": {"type": "string"}}})}
    wrapped = {"type": "function", "function": {"name": "noop"}}
    msgs = [{"role": "user", "content": "weather in Rome?"}, {"role": "assistant", "content": ""}]
    q = row_to_query(_nemotron(msgs, {"tools": json.dumps([bare, wrapped])}), "tool_calling")
    assert q.tools == [
        {"name": "get_weather", "description": "Weather.",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
        {"name": "noop", "description": "", "parameters": {"type": "object", "properties": {}}},
    ]
    plain = row_to_query({"id": 3, "question": "hi", "tools": [bare]}, "tool_calling")
    assert plain.query_id == "3" and plain.tools[0]["name"] == "get_weather"


def test_entry_point_falls_back_to_tests() -> None:
    msgs = [{"role": "user", "content": "write f"}]
    q = row_to_query(_nemotron(msgs, {"tests": {"inputs": [[1]], "outputs": [2], "fn_name": "f"}}), "code")
    assert q.entry_point == "f"
    raw = "def check(candidate):\n    assert candidate(1) == 2\n"
    q = row_to_query({"id": "x", "question": "write g", "tests": raw, "entry_point": "g"}, "code")
    assert q.tests == {"test": raw, "entry_point": "g"}


def test_metadata_json_drops_empty_keys() -> None:
    q = Query(query_id="a", split="code", question="q", messages=(), tests={"inputs": [], "outputs": []},
              language="python")
    expected = {"tests": {"inputs": [], "outputs": []}, "language": "python"}
    assert json.loads(q.metadata_json() or "") == expected
    assert Query(query_id="a", split="math", question="q", messages=()).metadata_json() is None


# --------------------------------------------------------------------------- local plain form


PLAIN_ROWS = [
    {"id": "m1", "split": "math", "question": "1+1?", "ground_truth": 2, "system": "Be brief."},
    {"id": "c1", "split": "code", "question": "write f", "entry_point": "f", "language": "python",
     "tests": json.dumps({"inputs": [[1]], "outputs": [2], "fn_name": "f"})},
    {"id": "m2", "split": "math", "question": " "},
    {"id": "t1", "split": "Tool Calling", "question": "weather?",
     "tools": [{"name": "get_weather", "parameters": {"type": "object", "properties": {}}}]},
    {"id": "bad", "split": "math"},
    {"id": "m3", "split": "math", "question": "2+2?", "ground_truth": "4"},
]


def _check_plain(dataset: str) -> None:
    stats = LoadStats()
    queries = list(iter_queries(dataset, ALL_SPLITS, None, stats=stats))
    assert [q.query_id for q in queries] == ["m1", "m3", "c1", "t1"]
    assert stats.loaded == {"math": 2, "code": 1, "tool_calling": 1}
    assert stats.skipped_empty["math"] == 1 and stats.skipped_bad["math"] == 1
    m1, _, c1, t1 = queries
    assert m1.ground_truth == "2" and m1.system == "Be brief."
    assert m1.messages == ({"role": "user", "content": "1+1?"},)
    assert c1.tests == {"inputs": [[1]], "outputs": [2], "fn_name": "f"} and c1.entry_point == "f"
    assert t1.split == "tool_calling" and set(t1.tools[0]) == {"name", "description", "parameters"}


def test_plain_jsonl(tmp_path: Path) -> None:
    _check_plain(str(_write_jsonl(tmp_path / "rows.jsonl", PLAIN_ROWS)))


def test_plain_parquet(tmp_path: Path) -> None:
    # a mixed-type column (ground_truth int/str) cannot go into Parquet, so store strings
    keys = {k for r in PLAIN_ROWS for k in r}
    rows = [{k: r.get(k) for k in keys} for r in PLAIN_ROWS]
    for r in rows:
        r["tools"] = json.dumps(r["tools"]) if r["tools"] else None
        r["ground_truth"] = None if r["ground_truth"] is None else str(r["ground_truth"])
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=2)
    _check_plain(str(path))


def test_split_falls_back_to_file_stem(tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "math.jsonl", [{"id": "a", "question": "1+2?", "ground_truth": "3"}])
    _write_jsonl(tmp_path / "code.jsonl", [{"id": "b", "question": "write f"}])
    queries = list(iter_queries(str(tmp_path / "*.jsonl"), ["math"], None))
    assert [(q.query_id, q.split) for q in queries] == [("a", "math")]
    check_dataset(str(tmp_path), ["code", "math"])  # a directory works too


def test_relative_sample_path_works_from_any_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    check_dataset("experiments/samples/*.jsonl", ALL_SPLITS)
    assert len(list(iter_queries("experiments/samples/math.jsonl", ["math"], None))) == 26


# --------------------------------------------------------------------------- quotas and laziness


def test_max_queries_int_and_dict() -> None:
    stats = LoadStats()
    queries = list(iter_queries(SAMPLE, ALL_SPLITS, 3, stats=stats))
    assert stats.loaded == {"math": 3, "code": 3, "tool_calling": 3}
    assert [q.query_id for q in queries[:3]] == ["sample-math-001", "sample-math-002", "sample-math-003"]

    stats = LoadStats()
    queries = list(iter_queries(SAMPLE, ALL_SPLITS, {"math": 12, "code": 0}, stats=stats))
    # an absent split has no limit; 0 turns a split off; skipped rows do not use up the quota
    assert stats.loaded == {"math": 12, "code": 0, "tool_calling": 17}
    assert stats.skipped_empty["math"] == 1
    assert len(queries) == 29


def test_iteration_is_lazy(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    good = json.dumps({"split": "math", "question": "What is 1 + 1?", "ground_truth": "2"})
    with path.open("w") as f:
        for i in range(100_000):
            # a corrupt line half-way down: reading that far would raise
            f.write("{not json\n" if i == 50_000 else good.replace("?", f"? #{i}") + "\n")

    start = time.perf_counter()
    queries = iter_queries(str(path), ["math"], 3)
    assert [q.question for q in queries] == [f"What is 1 + 1? #{i}" for i in range(3)]
    assert time.perf_counter() - start < 1.0

    # the stop is early for check_dataset as well
    check_dataset(str(path), ["math"])
    # and the corrupt line really would have been fatal
    with pytest.raises(DatasetError, match="Line 50001"):
        list(iter_queries(str(path), ["math"], None))


# --------------------------------------------------------------------------- errors


def test_missing_local_glob_names_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope" / "*.jsonl")
    with pytest.raises(DatasetError, match="nope"):
        check_dataset(missing, ["math"])
    with pytest.raises(DatasetError, match="nope"):
        list(iter_queries(missing, ["math"], None))


def test_check_dataset_missing_split() -> None:
    check_dataset(SAMPLE, ALL_SPLITS)
    with pytest.raises(DatasetError, match="chat"):
        check_dataset(SAMPLE, ["math", "chat"])
    with pytest.raises(DatasetError):
        check_dataset(SAMPLE, [])


def test_unreachable_hub_fails_fast(no_hub: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DatasetError) as err:
        check_dataset(DEFAULT_DATASET, ["math"])
    assert time.perf_counter() - start < 10
    msg = str(err.value)
    assert DEFAULT_DATASET in msg and "local" in msg and "HF_HUB_OFFLINE" in msg
    assert "\n" not in msg

    start = time.perf_counter()
    with pytest.raises(DatasetError, match="local"):
        next(iter_queries(DEFAULT_DATASET, ["math"], 1))
    assert time.perf_counter() - start < 10


def _fake_datasets(monkeypatch: pytest.MonkeyPatch, rows: list[dict], fail_after: int | None = None) -> list:
    calls: list = []

    def load_dataset(name: str, **kwargs: object) -> object:
        calls.append((name, kwargs))

        def gen():
            for i, r in enumerate(rows):
                if fail_after is not None and i == fail_after:
                    raise ConnectionError("shard fetch failed\nwith details")
                yield r
        return gen()

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # skips the probe
    return calls


def test_hub_routing_for_tool_calling(monkeypatch: pytest.MonkeyPatch) -> None:
    row = json.loads((SAMPLE_DIR / "tool_calling.jsonl").read_text().splitlines()[0])
    calls = _fake_datasets(monkeypatch, [row])
    queries = list(iter_queries(DEFAULT_DATASET, ["math", "tool_calling"], None, streaming=True))
    assert calls == [
        (DEFAULT_DATASET, {"streaming": True, "split": "math"}),
        (TOOL_CALLING_DATASET, {"streaming": True, "data_files": {"tool_calling": "data/tool-*"},
                                "split": "tool_calling"}),
    ]
    assert [q.split for q in queries] == ["math", "tool_calling"]
    assert queries[1].tools and queries[1].ground_truth is None

    calls.clear()
    list(iter_queries("org/other", ["tool_calling"], None, streaming=False))
    assert calls == [("org/other", {"streaming": False, "split": "tool_calling"})]


def test_hub_errors_become_dataset_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    row = json.loads((SAMPLE_DIR / "math.jsonl").read_text().splitlines()[0])
    _fake_datasets(monkeypatch, [row, row], fail_after=1)
    it = iter_queries(DEFAULT_DATASET, ["math"], None)
    assert next(it).query_id == row["uuid"]
    with pytest.raises(DatasetError, match="ConnectionError") as err:
        next(it)
    assert "\n" not in str(err.value) and DEFAULT_DATASET in str(err.value)


def test_offline_without_cache_is_a_dataset_error(tmp_path: Path) -> None:
    # a subprocess, because datasets reads HF_HUB_OFFLINE and the cache paths once, at import
    script = textwrap.dedent(f"""
        from common.data.load import DatasetError, iter_queries
        try:
            next(iter_queries({DEFAULT_DATASET!r}, ["math"], 1))
        except DatasetError as e:
            print("DatasetError:", e)
    """)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)
    assert proc.stdout.startswith("DatasetError:"), proc.stderr[-2000:]
    assert DEFAULT_DATASET in proc.stdout and "local" in proc.stdout


def test_tool_rows_keep_their_reference_and_bad_ones_are_skipped_with_a_reason(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    tool = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}
    rows = [
        {"id": "ok", "question": "Weather in Oslo?", "tools": [tool],
         "reference_calls": [{"get_weather": {"city": ["Oslo"]}}]},
        {"id": "none", "question": "A joke?", "tools": [tool], "reference_calls": "[]"},
        {"id": "bad-ref", "question": "q", "tools": [tool], "reference_calls": [{"a": 1, "b": 2}]},
        {"id": "bad-tool", "question": "q", "tools": [{"description": "no name"}]},
    ]
    path = tmp_path / "tool_calling.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    stats = LoadStats()
    with caplog.at_level("WARNING"):
        queries = list(iter_queries(str(path), ["tool_calling"], None, stats=stats))
    assert [q.query_id for q in queries] == ["ok", "none"] and stats.skipped_bad == {"tool_calling": 2}
    assert queries[0].tools == [{"name": "get_weather", "description": "",
                                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    assert queries[0].reference_calls == [{"get_weather": {"city": ["Oslo"]}}] and queries[1].reference_calls == []
    assert "bad-ref" in caplog.text and "exactly one function name" in caplog.text and "bad-tool" in caplog.text
    # A row rebuilt from its results-file metadata (regen) keeps the reference, [] included.
    again = Query.from_record("none", "tool_calling", "A joke?", None, queries[1].metadata_json())
    assert again.reference_calls == [] and again.tools == queries[1].tools
