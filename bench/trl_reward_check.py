"""Opt-in check that TRL itself computes rewards with verifiers.rewards as tests/verifiers/test_rewards.py assumes.

    python -m venv /tmp/trl-venv
    /tmp/trl-venv/bin/pip install "trl>=1.0" sympy latex2sympy2_extended pint jsonschema docker
    /tmp/trl-venv/bin/pip install -e . --no-deps
    /tmp/trl-venv/bin/python bench/trl_reward_check.py [--sandbox docker|bwrap|auto] [--no-train]

No download and no network: a real GRPOTrainer is built around a randomly initialised one-layer GPT-2 (32
wide) and a byte-level BPE tokenizer trained here on a few sentences, with math_reward, code_reward and
tool_call_reward as its reward functions, on a mixed dataset (a `split` column routes each row).
1. The trainer's own `_calculate_rewards` scores hand-written completions (right, wrong, undecided; standard
   and conversational): the table is what TRL computed, NaN where a function returned None.
2. Unless --no-train, one training step (`trainer.train()`, max_steps=1): TRL generates (noise, from a random
   model), calls the rewards with its real keywords and logs rewards/<name>/mean; those metrics are printed.
Exits 1 when a reward in 1 is not the expected one, or TRL's reward method is not where this script looks.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ADD_TESTS = json.dumps({"test": "def check(candidate):\n    assert candidate(1, 2) == 3\n"
                                 "    assert candidate(-4, 4) == 0\n", "entry_point": "add"})
TOOLS = json.dumps([{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])
PARIS = json.dumps([{"get_weather": {"city": ["Paris"]}}])
NaN = math.nan


def row(split: str, prompt: Any, **columns: Any) -> dict[str, Any]:
    base = {"prompt": prompt, "split": split, "ground_truth": None, "tests": None, "tools": None,
            "reference_calls": None}
    return {**base, **columns}


def assistant(content: str = "", tool_calls: list | None = None) -> list[dict[str, Any]]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return [message]


GOOD_ADD = "```python\ndef add(a, b):\n    return a + b\n```"
BAD_ADD = "```python\ndef add(a, b):\n    return a - b\n```"
WEATHER_CALL = {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}

# (label, dataset row, completion, expected [math, code, tool]); NaN = None (not applicable or undecided).
CASES: list[tuple[str, dict[str, Any], Any, list[float]]] = [
    ("math right", row("math", "What is 7 + 5?", ground_truth="12"), "So $\\boxed{12}$.", [1.0, NaN, NaN]),
    ("math wrong", row("math", "What is 7 + 5?", ground_truth="12"), "So $\\boxed{13}$.", [0.0, NaN, NaN]),
    ("math no gold", row("math", "Say hi."), "hi", [NaN, NaN, NaN]),
    ("math conv", row("math", [{"role": "user", "content": "Half of 1?"}], ground_truth="0.5"),
     assistant("$\\boxed{\\frac{1}{2}}$"), [1.0, NaN, NaN]),
    ("code right", row("code", "Write add(a, b).", tests=ADD_TESTS), GOOD_ADD, [NaN, 1.0, NaN]),
    ("code wrong", row("code", "Write add(a, b).", tests=ADD_TESTS), BAD_ADD, [NaN, 0.0, NaN]),
    ("code conv", row("code", [{"role": "user", "content": "Write add(a, b)."}], tests=ADD_TESTS),
     assistant(GOOD_ADD), [NaN, 1.0, NaN]),
    ("code no tests", row("code", "Write add(a, b)."), GOOD_ADD, [NaN, NaN, NaN]),
    ("tool right", row("tool_calling", [{"role": "user", "content": "Weather in Paris?"}], tools=TOOLS,
                       reference_calls=PARIS), assistant(tool_calls=[WEATHER_CALL]), [NaN, NaN, 1.0]),
    ("tool text", row("tool_calling", "Weather in Paris?", tools=TOOLS, reference_calls=PARIS),
     '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', [NaN, NaN, 1.0]),
    ("tool wrong", row("tool_calling", "Weather in Paris?", tools=TOOLS, reference_calls=PARIS),
     '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call>', [NaN, NaN, 0.0]),
    ("tool none", row("tool_calling", "Say hello.", tools=TOOLS, reference_calls="[]"), "Hello.",
     [NaN, NaN, 1.0]),
    ("tool no ref", row("tool_calling", "Weather?", tools=TOOLS), assistant(tool_calls=[WEATHER_CALL]),
     [NaN, NaN, NaN]),
]

# The trainer's dataset: the standard-format rows (the random model has no chat template), all in one batch.
STANDARD_ROWS = sum(isinstance(r["prompt"], str) for _, r, _, _ in CASES)

CORPUS = [
    "What is 7 + 5? The answer is \\boxed{12}.", "def add(a, b):\n    return a + b\n", "print(input())",
    '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>', "Weather in Paris?",
    "Write a Python function. Read two integers and print their sum.", "0123456789 abcdefghijklmnopqrstuvwxyz",
]


def tiny_tokenizer() -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<|pad|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|pad|>",
                                   padding_side="left")


def tiny_model(tokenizer: Any) -> Any:
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=len(tokenizer), n_positions=512, n_embd=32, n_layer=1, n_head=2,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id)
    return GPT2LMHeadModel(config)


def build_trainer(reward_funcs: list[Any], dataset: Any, output_dir: str) -> Any:
    from trl import GRPOConfig, GRPOTrainer

    tokenizer = tiny_tokenizer()
    args = GRPOConfig(
        output_dir=output_dir, per_device_train_batch_size=2 * STANDARD_ROWS, num_generations=2,
        max_completion_length=12, max_steps=1, logging_steps=1, report_to="none", bf16=False,
        save_strategy="no", seed=0, use_cpu=True, dataloader_num_workers=0,
    )
    return GRPOTrainer(model=tiny_model(tokenizer), reward_funcs=reward_funcs, args=args, train_dataset=dataset,
                       processing_class=tokenizer)


def fmt(value: float) -> str:
    return "  None" if math.isnan(value) else f"{value:6.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", default=None, help="code sandbox: docker, bwrap or auto (default: auto)")
    parser.add_argument("--no-train", action="store_true", help="skip the one training step")
    a = parser.parse_args()

    import torch
    import transformers
    import trl
    from datasets import Dataset

    from verifiers.rewards import make_reward, math_reward, tool_call_reward

    code_reward = make_reward("code", sandbox=a.sandbox, timeout_s=4.0)  # named "code_reward"
    funcs = [math_reward, code_reward, tool_call_reward]
    print(f"trl {trl.__version__}, transformers {transformers.__version__}, torch {torch.__version__}")

    train_rows = [r for _, r, _, _ in CASES if isinstance(r["prompt"], str)]
    with tempfile.TemporaryDirectory() as out:
        trainer = build_trainer(funcs, Dataset.from_list(train_rows), out)
        print("reward functions as TRL names them:", trainer.reward_func_names)
        calculate = getattr(trainer, "_calculate_rewards", None)
        if calculate is None:
            print("GRPOTrainer has no _calculate_rewards in this TRL: update this script", file=sys.stderr)
            return 1

        # 1. TRL's own reward computation on known completions.
        inputs = [dict(r) for _, r, _, _ in CASES]
        prompts = [x["prompt"] for x in inputs]
        completions = [c for _, _, c, _ in CASES]
        ids = [trainer.processing_class(c if isinstance(c, str) else c[-1]["content"])["input_ids"]
               for c in completions]
        rewards = calculate(inputs, prompts, completions, ids).cpu().tolist()
        names = trainer.reward_func_names
        print(f"\n{'case':<14}" + "".join(f"{n:>18}" for n in names) + "   expected")
        bad = 0
        for (label, _, _, expected), got in zip(CASES, rewards, strict=True):
            ok = all((math.isnan(g) and math.isnan(e)) or g == e for g, e in zip(got, expected, strict=True))
            bad += not ok
            print(f"{label:<14}" + "".join(f"{fmt(g):>18}" for g in got)
                  + "   " + " ".join(fmt(e).strip() for e in expected) + ("" if ok else "   <-- MISMATCH"))
        print(f"\n{len(CASES) - bad} of {len(CASES)} cases as expected")
        for pending in ("_pending_extra_logs", "_pending_metrics"):  # keep part 1's logs out of the step's
            getattr(trainer, pending, {}).clear()

        # 2. One real training step: TRL generates, calls the rewards with its keywords, logs the means.
        if not a.no_train:
            trainer.train()
            logged = {k: v for entry in trainer.state.log_history for k, v in entry.items()
                      if k.startswith("rewards/") or k in ("reward", "reward_std")}
            print("\none GRPO step on noise from a random model; TRL logged:")
            for key in sorted(logged):
                print(f"  {key:<40} {logged[key]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
