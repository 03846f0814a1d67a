"""Opt-in check that TRL itself reads what `bestofn export` writes (TRL is not a test dependency: it pulls in
torch and accelerate).

    python -m venv /tmp/trl-venv
    /tmp/trl-venv/bin/pip install "trl>=1.0" sympy latex2sympy2_extended pint jsonschema docker
    /tmp/trl-venv/bin/pip install -e . --no-deps
    bestofn export dpo results.parquet -o /tmp/x/dpo.parquet      # in the project's own environment
    bestofn export rm results.parquet -o /tmp/x/rm.parquet
    bestofn export sft results.parquet -o /tmp/x/sft.jsonl
    /tmp/trl-venv/bin/python bench/trl_export_check.py --dpo /tmp/x/dpo.parquet --rm /tmp/x/rm.parquet \\
        --sft /tmp/x/sft.jsonl

No download and no network: a randomly initialised one-layer GPT-2 and a tokenizer trained here on a few
sentences (bench/trl_reward_check.py), given a plain chat template. For each file:
1. TRL's data utilities: `is_conversational` on every row, and `maybe_apply_chat_template` renders it
   (DPO: prompt / chosen / rejected text; RM: chosen / rejected; SFT: the whole conversation);
2. the matching trainer is built on it (DPOTrainer, RewardTrainer, SFTTrainer), which runs TRL's own
   dataset preparation (chat template, tokenisation), and its prepared columns are printed.
Exits 1 when a row is not conversational or a trainer refuses the dataset.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

from bench.trl_reward_check import tiny_model, tiny_tokenizer  # noqa: E402

TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|endoftext|>{% endfor %}"
            "{% if add_generation_prompt %}<|assistant|>{% endif %}")


def load(path: str) -> Any:
    from datasets import load_dataset

    return load_dataset("parquet" if path.endswith(".parquet") else "json", data_files=path, split="train")


def check(kind: str, path: str, out: str) -> bool:
    import trl
    from trl.data_utils import is_conversational, maybe_apply_chat_template

    ds = load(path)
    tokenizer = tiny_tokenizer()
    tokenizer.chat_template = TEMPLATE
    conversational = all(is_conversational(row) for row in ds)
    rendered = maybe_apply_chat_template(ds[0], tokenizer)
    print(f"{kind}: {len(ds)} rows, columns {ds.column_names}, conversational: {conversational}")
    print(f"  rendered keys {sorted(rendered)}; first: {str(next(iter(rendered.values())))[:80]!r}")
    common = {"output_dir": out, "report_to": "none", "use_cpu": True, "bf16": False, "max_steps": 1,
              "per_device_train_batch_size": 1, "save_strategy": "no", "dataloader_num_workers": 0}
    try:
        if kind == "dpo":
            # A reference model given, so none is looked up on the hub by name; no length limit (below).
            trainer = trl.DPOTrainer(model=tiny_model(tokenizer), ref_model=tiny_model(tokenizer),
                                     args=trl.DPOConfig(**common, max_length=None), train_dataset=ds,
                                     processing_class=tokenizer)
        elif kind == "rm":
            from transformers import GPT2Config, GPT2ForSequenceClassification

            config = GPT2Config(vocab_size=len(tokenizer), n_positions=512, n_embd=32, n_layer=1, n_head=2,
                                num_labels=1, pad_token_id=tokenizer.pad_token_id)
            # The toy tokenizer spends a token on almost every byte: no length limit (it would drop every row).
            trainer = trl.RewardTrainer(model=GPT2ForSequenceClassification(config),
                                        args=trl.RewardConfig(**common, max_length=None), train_dataset=ds,
                                        processing_class=tokenizer)
        else:
            trainer = trl.SFTTrainer(model=tiny_model(tokenizer), args=trl.SFTConfig(**common), train_dataset=ds,
                                     processing_class=tokenizer)
    except Exception as exc:  # noqa: BLE001 - the trainer refused the dataset: that is the finding
        print(f"  the {kind} trainer refused it: {type(exc).__name__}: {exc}")
        return False
    prepared = trainer.train_dataset
    print(f"  {type(trainer).__name__} prepared {len(prepared)} rows, columns {prepared.column_names}")
    return conversational and len(prepared) == len(ds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpo")
    ap.add_argument("--rm")
    ap.add_argument("--sft")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as out:
        for kind in ("dpo", "rm", "sft"):
            path = getattr(args, kind)
            if path:
                ok = check(kind, path, out) and ok
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
