"""inspect_experiment.py --html: the self-contained report (common/report), in the page source and in a real
headless Chromium (screenshot, console errors, every plot in the rendered DOM).

The result files are written with the project's own row model and writer (`BestOfNRecord`,
`records_to_table`) through the helpers of tests/test_inspect_experiment.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import inspect_experiment as ie
from common.report import html as report
from common.schema import BestOfNRecord, records_to_table
from tests.test_inspect_experiment import TOOL_RECORDS, _query, _record, _run, _write

# Hostile model output and names: each must reach the page as text, never as markup.
SCRIPT = '<script>alert("xss")</script>'
BREAKOUT = "</details></pre></dd></dl></article><img src=x onerror=alert(1)>"
SVG_ATTACK = '"><svg onload=alert(3)>'
HOSTILE_RESPONSE = f"I think {BREAKOUT} and {SCRIPT} -- the answer is 5 \x1b[31m\x00"
HOSTILE_MODEL = "<i>model-x</i>$\\alpha$"
HOSTILE_PERSONA = "_</title><script>p()</script>"
HOSTILE_NOTES = "</pre></details><script>n()</script>"
BANNED_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "input", "audio", "video"}


# ---------------------------------------------------------------- result files


def _math_rows() -> list[BestOfNRecord]:
    """Two models, three personas (one none), judge verdicts, refusals, usage, confidence."""
    rows: list[BestOfNRecord] = []
    verdicts = {"q1": [True, True, False, True], "q2": [False, False, False, False], "q3": [True, False, True, False],
                "q4": [False, True, False, False], "q5": [True, True, True, True]}
    personas = itertools.cycle(["pirate", "terse", None])
    for (qid, marks), model in itertools.product(verdicts.items(), ("model-a", "model-b")):
        for idx, ok in enumerate(marks):
            refusal = qid == "q2" and idx < 2
            rows.append(_record(
                qid, idx, ok, model=model, persona=next(personas), confidence=0.95 if ok else 0.35 + 0.1 * idx,
                verification_reason="numeric_match" if ok else ("refusal" if refusal else "wrong_value"),
                verification_method="refusal" if refusal else "math",
                extracted_answer=str(idx + 3), ground_truth="4", verification_explanation=f"read {idx + 3}",
                is_refusal=refusal, refusal_type=("safety" if idx == 0 else "capability") if refusal else "none",
                input_tokens=120, output_tokens=40 + 10 * idx, latency_s=0.5 + 0.3 * idx + (model == "model-b"),
                cost_usd=0.001 * (idx + 1), local_is_verified=ok if idx != 3 else not ok,
                local_confidence=[0.95, 0.8, 0.5, 0.2][idx], judge_is_correct=ok, judge_model="judge-m",
                response=f"Let me think. The answer is {idx + 3}.",
            ))
    return rows


def _code_rows() -> list[BestOfNRecord]:
    return [
        _record(f"c{q}", idx, (q + idx) % 3 == 0, split="code", model="model-a", verification_method="code",
                confidence=1.0 if (q + idx) % 3 == 0 else 0.0, input_tokens=300, output_tokens=200, latency_s=2.0 + q,
                cost_usd=0.01, is_refusal=False, refusal_type="none")
        for q in range(3) for idx in range(3)
    ]


def _hostile_rows() -> list[BestOfNRecord]:
    """A failing query whose every text is an attack, from a model and persona with hostile names."""
    return [
        _record("<b>q-evil</b>", idx, False, model=HOSTILE_MODEL, persona=HOSTILE_PERSONA, question=SCRIPT + BREAKOUT,
                system_prompt=SVG_ATTACK, response=HOSTILE_RESPONSE, verification_reason="<u>wrong</u>",
                verification_explanation=BREAKOUT, extracted_answer=SVG_ATTACK, ground_truth=SCRIPT,
                error="</summary><script>e()</script>" if idx == 1 else None, confidence=0.1, latency_s=9.0,
                input_tokens=10, output_tokens=10, cost_usd=0.002)
        for idx in range(3)
    ]


def _write_rows(path: Path, records: list[BestOfNRecord], voice: list[float | None] | None = None,
                notes: str | None = None) -> Path:
    """The project's writer; `voice` adds persona_voice (a column newer files carry) as the last column."""
    table = records_to_table(records)
    if notes is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"bestofn.notes": notes.encode()})
    if voice is not None:
        column = pa.array(voice, type=pa.float64())
        if "persona_voice" in table.schema.names:  # once the row model has the field
            table = table.set_column(table.schema.get_field_index("persona_voice"), "persona_voice", column)
        else:
            table = table.append_column("persona_voice", column)
    elif "persona_voice" in table.schema.names:
        table = table.drop_columns(["persona_voice"])  # an older file
    pq.write_table(table, path)
    return path


def _voices(records: list[BestOfNRecord]) -> list[float | None]:
    return [None if r.persona is None else round(0.2 + 0.15 * (r.candidate_idx % 4) + 0.2 * (r.persona == "pirate"), 3)
            for r in records]


@pytest.fixture(scope="module")
def rich_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two files: math + code + tool calling with persona_voice, and the hostile query without it."""
    folder = tmp_path_factory.mktemp("rich")
    main_rows = [*_math_rows(), *_code_rows(), *TOOL_RECORDS]
    first = _write_rows(folder / "main.parquet", main_rows, _voices(main_rows))
    second = _write_rows(folder / "hostile.parquet", _hostile_rows(), notes=HOSTILE_NOTES)
    return [first, second]


def _data(*paths: Path, by: str | None = None) -> tuple[dict[str, Any], Any]:
    df, files = ie.load(list(paths))
    return ie.report_data(df, ie.summarize(df, files, by)), df


def _html(*paths: Path) -> str:
    data, df = _data(*paths)
    return report.build_html(data, df)


@pytest.fixture(scope="module")
def rich_report(rich_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "report.html"
    result = _run(*map(str, rich_files), "--html", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # --html replaces the tables
    assert f"wrote {out}" in result.stderr
    return out


class _Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _plots(page: str) -> set[str]:
    return set(re.findall(r'data-plot="([^"]+)"', page))


def _empties(page: str) -> set[str]:
    return set(re.findall(r'data-empty="([^"]+)"', page))


# ---------------------------------------------------------------- the page source


def test_every_section_and_plot_is_present(rich_report: Path) -> None:
    page = rich_report.read_text(encoding="utf-8")
    for section, _ in report.SECTIONS:
        assert f'<section id="{section}">' in page
    assert _plots(page) == set(report.PLOT_IDS)
    assert _empties(page) == set()
    for plot in report.PLOT_IDS:
        figure = re.search(rf'<figure class="plot" id="plot-{plot}" data-plot="{plot}"><svg .*?</svg>', page, re.S)
        assert figure, plot
    # Each plot's ids are its own: no id is defined twice on the page.
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_numbers_come_from_the_summary(rich_files: list[Path]) -> None:
    data, df = _data(*rich_files)
    page = report.build_html(data, df)
    math_split = data["splits"]["math"]
    for point in math_split["pass_at_k"]:  # the module's own unbiased estimator, not a copy
        assert f"<td class=n>{point['k']}</td><td class=n>{point['pass_at_k']:.1%}</td>" in page
    # A doctored summary shows through: the page reads the numbers, it does not recompute them.
    math_split["verified"]["share"] = 0.1234
    math_split["judge"]["agreement"] = 0.4321
    doctored = report._verified(data) + report._judge(data)  # the two sections that show these
    assert "<td class=n>12.3%</td>" in doctored and "<td class=n>43.2%</td>" in doctored


def test_page_is_self_contained(rich_report: Path) -> None:
    page = rich_report.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(http" not in page
    for tag, attrs in _tags(page):
        assert tag not in BANNED_TAGS
        for name in ("src", "href", "xlink:href", "action", "srcset"):
            assert attrs.get(name) is None or str(attrs[name]).startswith("#"), (tag, attrs)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_hostile_text_is_escaped(rich_report: Path) -> None:
    page = rich_report.read_text(encoding="utf-8")
    tags = _tags(page)
    assert not [t for t, _ in tags if t in BANNED_TAGS]
    handlers = [(t, a) for t, a in tags if any(name.startswith("on") for name in a)]
    assert handlers == []
    # The texts are there, as text.
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in page
    assert "&lt;/details&gt;&lt;/pre&gt;&lt;/dd&gt;&lt;/dl&gt;&lt;/article&gt;&lt;img src=x onerror=alert(1)&gt;" \
        in page
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in page
    assert "&lt;b&gt;q-evil&lt;/b&gt;" in page and "&lt;u&gt;wrong&lt;/u&gt;" in page
    assert "&lt;i&gt;model-x&lt;/i&gt;" in page and "&lt;/title&gt;&lt;script&gt;p()&lt;/script&gt;" in page
    assert "&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;n()&lt;/script&gt;" in page  # the file's notes
    assert "\\x1b[31m" in page and "\x1b" not in page and "\x00" not in page
    # The structure the hostile text tried to close is intact.
    assert page.count("<details") == page.count("</details>")
    assert page.count("<article") == page.count("</article>") == report_worst_count(page)
    assert page.count("<title>") == 1


def report_worst_count(page: str) -> int:
    return len(re.findall(r'<article class="query" id="worst-\d+">', page))


def test_worst_queries_show_prompt_candidates_and_reasons(rich_report: Path) -> None:
    page = rich_report.read_text(encoding="utf-8")
    section = page[page.index('<section id="worst-queries">'):]
    # q2 (0 of 8 verified) and the hostile query (0 of 3) lead; q5 never failed and is absent.
    first = section.index('id="worst-1"')
    assert section.index("q2", first) < section.index('id="worst-2"')
    assert "&lt;b&gt;q-evil&lt;/b&gt;" in section[section.index('id="worst-2"'):section.index('id="worst-3"')]
    assert ">q5<" not in section
    assert "question q2" in section  # the prompt, read back from the file
    assert "The answer is 3." in section  # a candidate's response
    for name in ("reason", "explanation", "extracted answer", "error"):
        assert f"<dt>{name}</dt>" in section
    assert "<h4>Ground truth</h4><pre>4</pre>" in section  # once per query, as all its rows agree
    assert "wrong_value × " in section and "refusal × " in section
    assert '<details class="cand fail">' in section


def test_long_texts_are_truncated_and_expandable(tmp_path: Path) -> None:
    long = "x" * (report.TEXT_LIMIT + 5_000)
    records = [_record("q1", i, False, question="Q" * 3_000, response=long) for i in range(2)]
    page = _html(_write(tmp_path / "long.parquet", records))
    assert "show all 3,000 characters" in page
    assert f"{len(long) - report.RESPONSE_SHOWN:,} more characters not shown" in page
    assert "x" * (report.RESPONSE_SHOWN + 1) not in page


def test_old_file_without_optional_columns(tmp_path: Path) -> None:
    table = pa.table({"query_id": ["q1", "q1", "q2"], "split": ["s", "s", "s"], "candidate_idx": [0, 1, 0],
                      "is_verified": [True, False, False]})
    path = tmp_path / "minimal.parquet"
    pq.write_table(table, path)
    page = _html(path)
    assert {"verified-by-split", "verified-by-model", "verified-by-persona", "pass-at-k"} <= _plots(page)
    assert {"confidence-by-method", "judge-agreement", "refusal-by-type", "latency", "tool-calling",
            "persona-voice", "cost-per-verified-model"} <= _empties(page)
    assert "Persona voice was not recorded" in page
    assert "No refusal check ran" in page and "No candidate ran a tool loop" in page
    assert "(not recorded)" in page  # the prompt column is absent too
    assert _plots(page) | _empties(page) == set(report.PLOT_IDS)


def test_persona_voice_recorded_but_null(tmp_path: Path) -> None:
    records = _query("q1", [True, False])
    page = _html(_write_rows(tmp_path / "v.parquet", records, [None, None]))
    assert "persona-voice" in _empties(page) and "null on every row" in page


def test_persona_voice_by_persona(tmp_path: Path) -> None:
    records = [*_query("q1", [True, False], persona="pirate"), *_query("q2", [True, True], persona="terse")]
    page = _html(_write_rows(tmp_path / "v.parquet", records, [0.9, 0.7, 0.2, 0.4]))
    assert "persona-voice" in _plots(page)
    section = page[page.index('<section id="persona-voice">'):page.index('<section id="worst-queries">')]
    assert "<td>pirate</td><td class=n>2</td><td class=n>0.800</td>" in section
    assert "<td>terse</td><td class=n>2</td><td class=n>0.300</td>" in section


@pytest.mark.parametrize("kind", ["no rows", "no verdicts"])
def test_empty_ish_file(tmp_path: Path, kind: str) -> None:
    if kind == "no rows":
        path = tmp_path / "empty.parquet"
        pq.write_table(records_to_table([]), path)
    else:
        path = _write(tmp_path / "nulls.parquet", _query("q1", [None, None, None]))
    out = tmp_path / "empty.html"
    result = _run(str(path), "--html", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert _plots(page) == set()
    assert _empties(page) == set(report.PLOT_IDS)
    assert "No query has a failed verdict." in page
    for section, _ in report.SECTIONS:
        assert f'<section id="{section}">' in page


def test_several_files(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.parquet", _query("q1", [True, False], model="model-a", latency_s=1.0))
    second = _write(tmp_path / "b.parquet", _query("q1", [False, False], model="model-b", latency_s=2.0))
    out = tmp_path / "r.html"
    result = _run(str(first), str(second), "--html", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overview"]["models"] == ["model-a", "model-b"]  # --json still on stdout
    page = out.read_text(encoding="utf-8")
    assert str(first) in page and str(second) in page
    assert "a.parquet, b.parquet" in page  # the title names both
    assert {"verified-by-model", "pass-at-k-by-model"} <= _plots(page)
    worst = page[page.index('<section id="worst-queries">'):]
    assert worst.count('<details class="cand') == 4  # q1's candidates from both files
    assert "<dd>a.parquet</dd>" in worst and "<dd>b.parquet</dd>" in worst


# ---------------------------------------------------------------- output path errors and atomic writes


def _assert_one_sentence(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_out_is_a_directory(rich_files: list[Path], tmp_path: Path) -> None:
    _assert_one_sentence(_run(str(rich_files[0]), "--html", str(tmp_path)), "is a directory")


def test_out_folder_missing(rich_files: list[Path], tmp_path: Path) -> None:
    _assert_one_sentence(_run(str(rich_files[0]), "--html", str(tmp_path / "nope" / "r.html")), "does not exist")


def test_out_under_a_file(rich_files: list[Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    _assert_one_sentence(_run(str(rich_files[0]), "--html", str(blocker / "r.html")), "is not a folder")


def test_out_folder_without_permission_is_refused_before_the_work(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report.os, "access", lambda *_: False)  # what a read-only folder answers a non-root user
    with pytest.raises(report.ReportError, match="no permission to write in"):
        report.check_output(tmp_path / "r.html")


def test_bad_input_file_with_html_still_exits_2(tmp_path: Path) -> None:
    _assert_one_sentence(_run(str(tmp_path / "missing.parquet"), "--html", str(tmp_path / "r.html")), "no such file")
    assert not (tmp_path / "r.html").exists()


def test_a_crash_leaves_the_old_report_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, df = _data(_write(tmp_path / "a.parquet", _query("q1", [True, False])))
    out = tmp_path / "r.html"
    out.write_text("old report")

    def broken(*_: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report.os, "replace", broken)
    with pytest.raises(report.ReportError, match="No space left on device"):
        report.write_report(data, df, out)
    assert out.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "r.html"]
    monkeypatch.undo()
    size = report.write_report(data, df, out)
    assert out.stat().st_size == size and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.parquet", "r.html"]


# ---------------------------------------------------------------- in a real browser

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                  "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--mute-audio", "--hide-scrollbars")
BROWSER_TIMEOUT = 20.0
# What the rendered page holds, measured by the page itself.
DOM_PROBE = """JSON.stringify({
  plots: [...document.querySelectorAll('[data-plot]')].map(e => {
    const svg = e.querySelector('svg'); const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {id: e.dataset.plot, svgs: e.querySelectorAll('svg').length, width: box.width, height: box.height,
            shapes: svg ? svg.querySelectorAll('path, use, text').length : 0};
  }),
  sections: [...document.querySelectorAll('main > section')].map(s => s.id),
  banned: document.querySelectorAll('script, img, iframe, object, embed, link').length,
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on')))
    .length,
  details: document.querySelectorAll('details').length,
  worst: document.querySelectorAll('article.query').length,
  shownAsText: document.body.textContent.includes('<script>alert("xss")</script>'),
})"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed, and the report's browser checks need it: "
                    "apt-get install -y chromium (.ci/run installs it)")
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the browser and every process it started (they share the session we gave it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def test_screenshot_in_headless_chromium(rich_report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    args = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}",
            "--window-size=1280,4000", rich_report.as_uri()]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = process.communicate(timeout=BROWSER_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"chromium took more than {BROWSER_TIMEOUT:.0f} s to take a screenshot")
    finally:
        _stop(process)
    assert png.is_file(), err.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 4000)
    from PIL import Image  # matplotlib's own dependency

    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(data) > 50_000 and len(colours) > 50  # text, bars and lines, not a blank page
    keep = os.environ.get("REPORT_SCREENSHOT")  # e.g. REPORT_SCREENSHOT=/tmp/report.png to look at it
    if keep:
        shutil.copyfile(png, keep)


class _DevTools:
    """A minimal Chrome DevTools Protocol client over aiohttp's websocket: calls by id, events collected."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            payload = json.loads(message.data)
            if "id" in payload and payload["id"] in self.pending:
                self.pending.pop(payload["id"]).set_result(payload)
            elif "method" in payload:
                self.events.append(payload)
        for future in self.pending.values():
            future.set_exception(ConnectionError("the browser closed the DevTools connection"))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        await self.ws.send_json({"id": ident, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout=10)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def wait_for(self, method: str, since: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not any(e["method"] == method for e in self.events[since:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout:.0f} s")
            await asyncio.sleep(0.05)

    def errors(self, since: int = 0) -> list[str]:
        found = []
        for event in self.events[since:]:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append("exception: " + str(details.get("exception", {}).get("description") or details))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url') or ''}".strip())
        return found


def _devtools_url(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + BROWSER_TIMEOUT / 2
    while time.monotonic() < deadline:
        match = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(f"chromium printed no DevTools address: {log.read_text(errors='replace')[-2000:]}")


async def _inspect(browser_ws: str, pages: list[str]) -> list[tuple[list[str], dict[str, Any]]]:
    """Load each page in turn; for each, the errors it logged and what DOM_PROBE measured."""
    port = re.match(r"ws://[^:/]+:(\d+)/", browser_ws).group(1)  # type: ignore[union-attr]
    timeout = aiohttp.ClientTimeout(total=BROWSER_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        targets: list[dict[str, Any]] = []
        for _ in range(100):  # the first tab appears a moment after the browser
            async with http.get(f"http://127.0.0.1:{port}/json/list") as reply:
                targets = [t for t in await reply.json() if t.get("type") == "page"]
            if targets:
                break
            await asyncio.sleep(0.05)
        assert targets, "chromium opened no page"
        async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            tools = _DevTools(ws)
            for domain in ("Runtime", "Log", "Page"):
                await tools.call(f"{domain}.enable")
            results = []
            for url in pages:
                since = len(tools.events)
                await tools.call("Page.navigate", url=url)
                await tools.wait_for("Page.loadEventFired", since)
                await asyncio.sleep(0.5)  # late console and log entries
                probe = await tools.call("Runtime.evaluate", expression=DOM_PROBE, returnByValue=True)
                results.append((tools.errors(since), json.loads(probe["result"]["value"])))
            tools.reader.cancel()
            return results


def test_renders_without_console_errors_and_with_every_plot(rich_report: Path, tmp_path: Path) -> None:
    # A page that does log errors proves the harness would notice them on the report.
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><title>x</title><div data-plot="x"></div><script>console.error("boom");'
                      "undefined_function();</script><img src=missing.png>")
    log = tmp_path / "chromium.log"
    started = time.monotonic()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_chromium(), *CHROMIUM_FLAGS, "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,4000", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=sink, start_new_session=True)
    try:
        url = _devtools_url(log, process)
        (errors, dom), (broken_errors, _) = asyncio.run(
            asyncio.wait_for(_inspect(url, [rich_report.as_uri(), broken.as_uri()]), timeout=BROWSER_TIMEOUT))
    finally:
        _stop(process)
    assert time.monotonic() - started < BROWSER_TIMEOUT + 5

    assert errors == []
    assert any("boom" in e for e in broken_errors) and any("undefined_function" in e for e in broken_errors)
    assert any("missing.png" in e for e in broken_errors)

    assert dom["sections"] == [section for section, _ in report.SECTIONS]
    assert sorted(p["id"] for p in dom["plots"]) == sorted(report.PLOT_IDS)
    for plot in dom["plots"]:  # drawn, laid out and visible, not an empty element
        assert plot["svgs"] == 1 and plot["width"] > 200 and plot["height"] > 50 and plot["shapes"] > 10, plot
    assert dom["banned"] == 0 and dom["handlers"] == 0
    assert dom["shownAsText"] is True  # the hostile prompt is on the page, as text
    assert dom["worst"] == report_worst_count(rich_report.read_text(encoding="utf-8")) >= 2
    assert dom["details"] >= dom["worst"]


def test_the_report_never_replaces_a_results_file(rich_files: list[Path], tmp_path: Path) -> None:
    source = tmp_path / "run.parquet"
    shutil.copyfile(rich_files[0], source)
    before = source.read_bytes()
    _assert_one_sentence(_run(str(source), "--html", str(source)), "is one of the results files being read")
    other = tmp_path / "other.parquet"
    shutil.copyfile(rich_files[1], other)
    _assert_one_sentence(_run(str(source), "--html", str(other)), "is a Parquet file")
    assert source.read_bytes() == before and other.read_bytes() == Path(rich_files[1]).read_bytes()


def test_a_file_given_twice_is_refused_and_shared_rows_count_once(rich_files: list[Path], tmp_path: Path) -> None:
    _assert_one_sentence(_run(str(rich_files[0]), str(rich_files[0]), "--json"), "is given twice")
    copy = tmp_path / "copy.parquet"
    shutil.copyfile(rich_files[0], copy)
    one = json.loads(_run(str(rich_files[0]), "--json").stdout)
    both = _run(str(rich_files[0]), str(copy), "--json")
    assert both.returncode == 0 and "appear in more than one file" in both.stderr
    assert json.loads(both.stdout)["splits"] == one["splits"]
