"""Builds Lab 29's two tiny "pre-trained" models (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`.

1. Generates an unlabelled corpus of short movie reviews and opinions from a small grammar (our own
   stand-in for IMDB-style text).
2. Builds the same tiny transformer twice from a config (data/modeling.py): an ENCODER pre-trained with
   masked language modelling (bidirectional attention, input "[CLS] words [SEP]") and a DECODER
   pre-trained with next-word prediction (causal attention, input "words [EOS]"), same size, same
   corpus, same number of steps, fixed seeds.
3. Saves each backbone as OUT_DIR/<name>/model.safetensors + config.json, and the shared vocabulary as
   OUT_DIR/vocab.json.

make_data.py imports the grammar from here, so the labelled data and the vocabulary agree.
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The artifact cache is keyed on this file's bytes. The models also depend on data/modeling.py: after
# changing it, bump this version (the harness refuses artifacts built from another modeling.py).
ARTIFACTS_VERSION = 1

THINGS = "plot acting film story ending music cast script dialogue pacing soundtrack visuals".split()
POSITIVE = "gripping brilliant moving superb charming clever stunning delightful".split()
NEGATIVE = "dull wooden boring clumsy bland tedious awful messy".split()
ADVERBS = "very really quite so".split()
LIKE = "loved enjoyed adored".split()
DISLIKE = "hated disliked".split()
FUNCTION_WORDS = "the was is not never but and i did like it . , we they".split()

CONFIG = dict(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=24)
PRETRAIN = dict(steps=700, batch_size=32, lr=3e-3, warmup=50, seed=0, mask_prob=0.15)
MODELS = {"encoder-mlm": "encoder", "decoder-clm": "decoder"}


def vocabulary() -> list[str]:
    from modeling import SPECIALS

    words = set(THINGS + POSITIVE + NEGATIVE + ADVERBS + LIKE + DISLIKE + FUNCTION_WORDS)
    return SPECIALS + sorted(words)


def clause(r: random.Random, positive_words=POSITIVE, negative_words=NEGATIVE,
           negation_prob: float = 0.4) -> tuple[str, int]:
    """One review clause and its sentiment (1 positive, 0 negative)."""
    thing = r.choice(THINGS)
    if r.random() < 0.75:
        positive = r.random() < 0.5
        adj = r.choice(positive_words if positive else negative_words)
        adv = r.choice(ADVERBS) + " " if r.random() < 0.3 else ""
        negation = r.random() < negation_prob
        return f"the {thing} was {'not ' if negation else ''}{adv}{adj}", int(positive != negation)
    positive = r.random() < 0.5
    return f"i {r.choice(LIKE if positive else DISLIKE)} the {thing}", int(positive)


def review(r: random.Random, positive_words=POSITIVE, negative_words=NEGATIVE, but_prob: float = 0.3,
           negation_prob: float = 0.4) -> tuple[str, int]:
    """A review: one clause, or two joined by 'but' (the sentiment follows the clause after 'but')."""
    first, label = clause(r, positive_words, negative_words, negation_prob)
    if r.random() < but_prob:
        second, label = clause(r, positive_words, negative_words, negation_prob)
        return f"{first} , but {second} .", label
    return f"{first} .", label


def opinion(r: random.Random) -> str:
    """Unlabelled text where liking goes with positive words: pre-training learns which words are which."""
    positive = r.random() < 0.5
    who, thing = r.choice(["i", "we", "they"]), r.choice(THINGS)
    verb, adj = r.choice(LIKE if positive else DISLIKE), r.choice(POSITIVE if positive else NEGATIVE)
    if r.random() < 0.5:
        return f"{who} {verb} the {thing} , it was {adj} ."
    return f"the {thing} was {adj} and {who} {verb} it ."


def pretrain_text(r: random.Random) -> str:
    return opinion(r) if r.random() < 0.6 else review(r)[0]


def check_modeling() -> str:
    """The artifact cache is keyed on this file only: record which modeling.py built them."""
    return hashlib.sha256((HERE / "data" / "modeling.py").read_bytes()).hexdigest()


def mask_tokens(input_ids, attention_mask, generator, prob, vocab_size):
    import torch

    from modeling import CLS, MASK, SEP, SPECIALS

    labels = input_ids.clone()
    special = (input_ids == CLS) | (input_ids == SEP) | (attention_mask == 0)
    chosen = (torch.rand(input_ids.shape, generator=generator) < prob) & ~special
    labels[~chosen] = -100
    inputs = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (roll < 0.8)] = MASK
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = torch.randint(len(SPECIALS), vocab_size, input_ids.shape, generator=generator)[swap]
    return inputs, labels


def pretrain(kind: str, tokenizer, vocab_size: int):
    """Pre-train one backbone with a tied output layer; returns the backbone and its last losses."""
    import torch
    import torch.nn.functional as F

    import modeling

    torch.manual_seed(PRETRAIN["seed"])
    backbone = modeling.build(dict(CONFIG, vocab_size=vocab_size, kind=kind))
    optimizer = torch.optim.AdamW(backbone.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.1, 1.0 - s / steps))
    rng, generator = random.Random(PRETRAIN["seed"]), torch.Generator().manual_seed(PRETRAIN["seed"])
    losses = []
    for step in range(steps):
        batch = tokenizer([pretrain_text(rng) for _ in range(PRETRAIN["batch_size"])], kind)
        ids, mask = batch["input_ids"], batch["attention_mask"]
        if kind == "encoder":
            inputs, labels = mask_tokens(ids, mask, generator, PRETRAIN["mask_prob"], vocab_size)
        else:
            inputs, labels = ids, torch.where(mask == 1, ids, -100).roll(-1, dims=1)
            labels[:, -1] = -100                          # position t predicts token t + 1
        hidden = backbone(inputs, mask)
        logits = hidden @ backbone.tokens.weight.T        # output layer tied to the input embeddings
        loss = F.cross_entropy(logits.reshape(-1, vocab_size), labels.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 100 == 0:
            print(f"{kind} step {step} loss {loss.item():.3f}", flush=True)
    return backbone.eval(), sum(losses[-50:]) / 50


def main(out_dir: Path) -> None:
    sys.dont_write_bytecode = True                 # no __pycache__ inside the lab's data folder
    sys.path.insert(0, str(HERE / "data"))
    import torch
    from safetensors.torch import save_file

    import modeling

    torch.set_num_threads(1)          # tiny models: a second thread only adds contention
    vocab = vocabulary()
    tokenizer = modeling.WordTokenizer(vocab, max_length=CONFIG["max_len"])
    (out_dir / "vocab.json").write_text(json.dumps(vocab))
    for name, kind in MODELS.items():
        started = time.time()
        backbone, final_loss = pretrain(kind, tokenizer, len(vocab))
        target = out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in backbone.state_dict().items()}, str(target / "model.safetensors"))
        config = dict(CONFIG, vocab_size=len(vocab), kind=kind, pretraining="masked LM" if kind == "encoder"
                      else "next-word prediction", pretrain_steps=PRETRAIN["steps"],
                      final_pretrain_loss=round(final_loss, 4), modeling_sha256=check_modeling(),
                      parameters=sum(p.numel() for p in backbone.parameters()))
        (target / "config.json").write_text(json.dumps(config, indent=1))
        print(name, config, f"{time.time() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
