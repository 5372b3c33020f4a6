"""Builds Lab 54's tiny "pre-trained" chat model (trusted; run OUTSIDE the sandbox, once per version of this
file): `python build_artifacts.py OUT_DIR`.

1. Draws toy conversations from data/dialogues.py (names, favourite colours, capitals, colours of things,
   greetings; a "pirate" system prompt makes every reply start with "arr ,").
2. Builds a word-level tokenizer (one token per space-separated word) with the chat special tokens
   <|system|> <|user|> <|assistant|> <|end|> (<|end|> is also EOS), <pad> and <unk>, and the chat template of
   data/chat_template.jinja.
3. Trains a GPT-2 (2 layers, d_model 64) with next-token prediction on the rendered conversations.
4. Saves GPT2LMHeadModel + tokenizer with save_pretrained into OUT_DIR/chat-tiny (safetensors).

The artifact cache is keyed on this file's bytes; after changing data/, bump DATA_VERSION.
"""
from __future__ import annotations

import importlib.util
import json
import random
import sys
import time
from pathlib import Path

DATA_VERSION = 1
HERE = Path(__file__).resolve().parent
SPECIALS = ["<pad>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
CONFIG = dict(n_embd=64, n_layer=2, n_head=4, n_positions=256, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
TRAIN = dict(steps=2500, batch_size=16, lr=3e-3, warmup=50, seed=0)


def dialogues():
    spec = importlib.util.spec_from_file_location("lab54_dialogues_build", HERE / "data" / "dialogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_tokenizer(d):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(SPECIALS + d.vocabulary())}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                        eos_token="<|end|>", additional_special_tokens=SPECIALS[2:5],
                                        model_max_length=256)
    tokenizer.chat_template = (HERE / "data" / "chat_template.jinja").read_text().rstrip("\n")
    return tokenizer


def main(out_dir: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    d = dialogues()
    torch.set_num_threads(1)   # one thread: fast and reproducible on a busy 2-core machine
    torch.manual_seed(TRAIN["seed"])
    tokenizer = build_tokenizer(d)
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=tokenizer.eos_token_id,
                        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, **CONFIG)
    model = GPT2LMHeadModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=TRAIN["lr"], weight_decay=0.01)
    steps = TRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / TRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(TRAIN["seed"])
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        texts = [tokenizer.apply_chat_template(d.conversation(rng), tokenize=False)
                 for _ in range(TRAIN["batch_size"])]
        batch = tokenizer(texts, padding=True, return_tensors="pt")
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        loss = model(**batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "chat-tiny"
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    info = {"steps": steps, "final_loss_mean_50": sum(losses[-50:]) / 50, "data_version": DATA_VERSION,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
