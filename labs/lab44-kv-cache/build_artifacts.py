"""Builds Lab 44's tiny "pre-trained" GPT-2 stand-ins (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`. Nothing is downloaded.

- OUT_DIR/tiny-gpt2: a transformers GPT2LMHeadModel built from a tiny GPT2Config (2 layers, 4 heads,
  d_model 64, 256 positions, 64-token vocabulary), briefly pre-trained with fixed seeds on our own
  synthetic "language": arithmetic progressions modulo the vocabulary (start, step), so that greedy decoding
  continues a pattern instead of hovering between near-equal logits. The CPU size of the lab uses it.
- OUT_DIR/small-gpt2: a larger GPT-2 (4 layers, 8 heads, d_model 256, 1024 positions, 256 tokens) for the
  GPU size, random-initialised with a fixed seed (initializer_range 0.2, so its logits are far from ties);
  it is big enough for the cache's speed-up to show on a GPU.

Both are saved with save_pretrained (safetensors) and loaded in the sandbox with
GPT2LMHeadModel.from_pretrained(folder, attn_implementation="eager").
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

TINY = dict(vocab_size=64, n_positions=256, n_embd=64, n_layer=2, n_head=4)
SMALL = dict(vocab_size=256, n_positions=1024, n_embd=256, n_layer=4, n_head=8)
PRETRAIN = dict(steps=250, batch_size=32, seq_len=48, lr=3e-3, seed=0)


def progressions(generator, batch: int, seq_len: int, vocab: int):
    """Rows start + step * t (mod vocab): a pattern a next-token predictor can learn in a few hundred steps."""
    import torch

    start = torch.randint(0, vocab, (batch, 1), generator=generator)
    step = torch.randint(1, 6, (batch, 1), generator=generator)
    return (start + step * torch.arange(seq_len)) % vocab


def config(spec: dict, **extra):
    from transformers import GPT2Config

    return GPT2Config(**spec, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
                      **extra)


def build_tiny(out: Path) -> None:
    import torch
    from transformers import GPT2LMHeadModel

    torch.manual_seed(PRETRAIN["seed"])
    model = GPT2LMHeadModel(config(TINY))
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.0)
    generator = torch.Generator().manual_seed(PRETRAIN["seed"])
    model.train()
    for step in range(PRETRAIN["steps"]):
        ids = progressions(generator, PRETRAIN["batch_size"], PRETRAIN["seq_len"], TINY["vocab_size"])
        loss = model(ids, labels=ids).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 50 == 0 or step == PRETRAIN["steps"] - 1:
            print(f"tiny-gpt2 step {step} loss {loss.item():.3f}", flush=True)
    model.eval().save_pretrained(out / "tiny-gpt2", safe_serialization=True)


def build_small(out: Path) -> None:
    import torch
    from transformers import GPT2LMHeadModel

    torch.manual_seed(1)
    model = GPT2LMHeadModel(config(SMALL, initializer_range=0.2))
    model.eval().save_pretrained(out / "small-gpt2", safe_serialization=True)


def main(out: Path) -> None:
    sys.dont_write_bytecode = True
    import torch

    torch.set_num_threads(2)
    started = time.time()
    build_tiny(out)
    build_small(out)
    print(f"built in {time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
