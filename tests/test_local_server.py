"""local_server.py: the real embedded model behind a real server process, plus stub-backend unit tests."""

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

import local_server
from local_server import Backend, Generation, create_app

REPO = Path(__file__).resolve().parents[1]
PERF_FIELDS = {"ts", "request_id", "model", "n", "prompt_tokens", "completion_tokens", "latency_s",
               "tokens_per_s", "status"}
QUESTION = [{"role": "user", "content": "What is 2+2?"}]


# ------------------------------------------------------------------------------------- real server


class RunningServer:
    def __init__(self, port: int, perf_log: Path, proc: subprocess.Popen[str]) -> None:
        self.port, self.perf_log, self.proc = port, perf_log, proc
        self.base_url = f"http://127.0.0.1:{port}"
        self.client = openai.OpenAI(base_url=f"{self.base_url}/v1", api_key="unused", max_retries=0,
                                    timeout=60)

    def perf_lines(self) -> list[dict]:
        if not self.perf_log.exists():
            return []
        return [json.loads(line) for line in self.perf_log.read_text().splitlines()]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("local_server")
    perf_log, stderr_path = tmp / "perf.jsonl", tmp / "stderr.txt"
    with stderr_path.open("w") as stderr:
        # --threads 1: llama.cpp threads spin-wait, so on a busy shared CPU using every core is far slower
        cmd = [sys.executable, "local_server.py", "--port", "0", "--threads", "1",
               "--perf-log", str(perf_log)]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines: queue.Queue[str] = queue.Queue()
    # stdout is read in a thread so waiting for "LISTENING" can time out instead of blocking forever
    stdout = proc.stdout
    assert stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    port, deadline = None, time.monotonic() + 60
    while port is None and time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line.startswith("LISTENING "):
            port = int(line.split()[1])
    if port is None:
        proc.kill()
        pytest.fail(f"local_server.py did not start:\n{stderr_path.read_text()}")
    try:
        yield RunningServer(port, perf_log, proc)
    finally:
        proc.terminate()  # SIGTERM, as `bestofn local generate` does
        try:
            # uvicorn shuts down gracefully, then re-raises the signal, hence -SIGTERM rather than 0
            assert proc.wait(timeout=15) in (0, -signal.SIGTERM), stderr_path.read_text()
        finally:
            proc.kill()


@pytest.mark.slow
def test_health_and_models(server: RunningServer) -> None:
    health = httpx.get(f"{server.base_url}/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "model": "SmolLM2-135M-Instruct", "backend": "llama_cpp"}
    assert [m.id for m in server.client.models.list()] == ["SmolLM2-135M-Instruct"]


@pytest.mark.slow
def test_chat_n2_and_perf_log(server: RunningServer) -> None:
    before = len(server.perf_lines())
    resp = server.client.chat.completions.create(
        model="SmolLM2-135M-Instruct", messages=QUESTION, n=2, max_tokens=16, temperature=0.7, seed=1,
        stop=["\n\n\n"])  # type: ignore[arg-type]
    assert resp.object == "chat.completion" and resp.model == "SmolLM2-135M-Instruct"
    assert [c.index for c in resp.choices] == [0, 1]
    for choice in resp.choices:
        assert choice.message.role == "assistant" and choice.message.content.strip()
        assert choice.finish_reason in ("stop", "length")
    assert resp.usage and resp.usage.prompt_tokens > 0 and resp.usage.completion_tokens > 0
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens

    new = server.perf_lines()[before:]
    assert len(new) == 1
    rec = new[0]
    assert set(rec) == PERF_FIELDS
    assert rec["request_id"] == resp.id and rec["n"] == 2 and rec["status"] == 200
    assert rec["completion_tokens"] == resp.usage.completion_tokens and rec["tokens_per_s"] > 0


@pytest.mark.slow
def test_answer_is_sensible(server: RunningServer) -> None:
    # Checks the GGUF's chat template is applied: a raw-text prompt would not yield an answer.
    resp = server.client.chat.completions.create(
        model="x", messages=QUESTION, temperature=0, max_completion_tokens=24)  # type: ignore[arg-type]
    assert "4" in resp.choices[0].message.content


@pytest.mark.slow
def test_max_tokens_gives_length(server: RunningServer) -> None:
    resp = server.client.chat.completions.create(
        model="x", messages=[{"role": "system", "content": "You are verbose."},
                             {"role": "user", "content": "Write a long story about a dragon."}],
        max_tokens=4, temperature=0)
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage and resp.usage.completion_tokens == 4


@pytest.mark.slow
def test_bad_request(server: RunningServer) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        server.client.chat.completions.create(model="x", messages=[])
    assert info.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    assert info.value.body["param"] == "messages"  # type: ignore[index]
    resp = httpx.post(f"{server.base_url}/v1/chat/completions", json={"model": "x"})
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "messages"
    with pytest.raises(openai.BadRequestError) as info:
        server.client.chat.completions.create(model="x", messages=[{"role": "user", "content": "hi " * 3000}])
    assert info.value.code == "context_length_exceeded"


# ------------------------------------------------------------------------------------- stub backend


class StubBackend(Backend):
    name = "stub"

    def __init__(self, fail_first: bool = False) -> None:
        super().__init__("stub-model")
        self.fail_next, self.released = fail_first, 0

    def generate(self, messages: list[dict[str, str]], **_: object) -> Generation:
        if self.fail_next:
            self.fail_next = False
            raise MemoryError("simulated")
        return Generation("four", "stop", prompt_tokens=3, completion_tokens=1)

    def release_memory(self) -> None:
        self.released += 1
        super().release_memory()


def test_oom_returns_503_then_recovers(tmp_path: Path) -> None:
    backend, perf_log = StubBackend(fail_first=True), tmp_path / "perf.jsonl"
    client = TestClient(create_app(backend, perf_log=perf_log))
    body = {"model": "stub-model", "messages": QUESTION, "n": 2}
    first = client.post("/v1/chat/completions", json=body)
    assert first.status_code == 503
    assert int(first.headers["retry-after"]) > 0
    assert first.json()["error"]["code"] == "out_of_memory" and backend.released == 1
    second = client.post("/v1/chat/completions", json=body)
    assert second.status_code == 200
    assert [c["message"]["content"] for c in second.json()["choices"]] == ["four", "four"]
    assert second.json()["usage"] == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    assert [json.loads(line)["status"] for line in perf_log.read_text().splitlines()] == [503, 200]


def test_api_key_required() -> None:
    client = TestClient(create_app(StubBackend(), api_key="sekrit"))
    denied = client.get("/v1/models")
    assert denied.status_code == 401 and denied.json()["error"]["code"] == "invalid_api_key"
    assert client.get("/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/v1/models", headers={"Authorization": "Bearer sekrit"}).status_code == 200
    assert client.get("/health").status_code == 200  # left open for supervisors


def test_model_name_and_default_path() -> None:
    assert local_server.model_name(Path("SmolLM2-135M-Instruct.Q4_K_M.gguf")) == "SmolLM2-135M-Instruct"
    assert local_server.model_name(Path("phi-3-mini-f16.gguf")) == "phi-3-mini"
    path = local_server.default_model_path()
    assert path.suffix == ".gguf" and path.is_file()
