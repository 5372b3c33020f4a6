"""Builds Lab 19's tiny "pre-trained" GPT-2 (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`.

1. Generates a pre-training corpus of simple English from a small grammar (our own, no download).
2. Builds a word-level tokenizer over the grammar's vocabulary (tokenizers.WordLevel), wrapped in
   PreTrainedTokenizerFast with <pad>, <unk> and <eos>.
3. Trains a GPT-2 with 2 layers and d_model 64 as a causal LM for a few hundred steps (fixed seeds).
4. Saves model + tokenizer with save_pretrained into OUT_DIR/gpt2-tiny (safetensors).

make_data.py imports the word lists from here, so the fine-tuning data and the tokenizer agree.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

NOUNS = "dog cat fox bird horse goat mouse owl bear frog duck rabbit".split()
ADJS = "old young small big red brown happy lazy quick tired".split()
OBJS = "ball box stick apple hat key shoe book cup bell".split()
VERBS = [("found", "finds"), ("lost", "loses"), ("saw", "sees"), ("took", "takes"), ("kept", "keeps"),
         ("hid", "hides"), ("dropped", "drops"), ("carried", "carries"), ("wanted", "wants"), ("liked", "likes")]
PLACES = "park garden forest kitchen barn field river house".split()
FUNCTION_WORDS = "the a in . , every day is and yesterday once upon time always end then".split()
SPECIALS = ["<pad>", "<unk>", "<eos>"]

CONFIG = dict(n_positions=64, n_embd=64, n_layer=2, n_head=4, n_inner=256,
              resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
PRETRAIN = dict(steps=1200, batch_size=32, lr=3e-3, warmup=100, seed=0)


def vocabulary() -> list[str]:
    words = set(NOUNS + ADJS + OBJS + PLACES + FUNCTION_WORDS + [v for pair in VERBS for v in pair])
    return SPECIALS + sorted(words)


def pretrain_sentence(r: random.Random) -> str:
    n, a, o, p, a2 = r.choice(NOUNS), r.choice(ADJS), r.choice(OBJS), r.choice(PLACES), r.choice(ADJS)
    past, present = r.choice(VERBS)
    kind = r.randrange(8)
    if kind == 0:
        return f"the {a} {n} {past} a {a2} {o} in the {p} ."
    if kind == 1:
        return f"every day the {n} {present} the {a2} {o} ."
    if kind == 2:
        return f"a {a} {n} is in the {p} ."
    if kind == 3:
        return f"the {n} {present} a {o} and the {r.choice(NOUNS)} {r.choice(VERBS)[1]} a {r.choice(OBJS)} ."
    if kind == 4:
        return f"yesterday the {a} {n} {past} the {o} ."
    if kind == 5:
        return f"once upon a time the {a} {n} {past} a {o} . the end ."
    if kind == 6:
        return f"in the {p} , the {n} always {present} a {o} ."
    return f"the {a} {n} {past} the {o} , then the {n} {past} a {a2} {r.choice(OBJS)} ."


def pretrain_text(r: random.Random) -> str:
    return " ".join(pretrain_sentence(r) for _ in range(r.randint(1, 2)))


def build_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary())}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                   eos_token="<eos>", bos_token="<eos>", model_max_length=CONFIG["n_positions"])


def main(out_dir: Path) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.set_num_threads(2)
    torch.manual_seed(PRETRAIN["seed"])
    tokenizer = build_tokenizer()
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=tokenizer.eos_token_id,
                        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, **CONFIG)
    model = GPT2LMHeadModel(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(PRETRAIN["seed"])
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        texts = [pretrain_text(rng) + " <eos>" for _ in range(PRETRAIN["batch_size"])]
        batch = tokenizer(texts, padding=True, return_tensors="pt")
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        loss = model(**batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 200 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "gpt2-tiny"
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    info = {"pretrain_steps": steps, "final_loss_mean_50": sum(losses[-50:]) / 50,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
