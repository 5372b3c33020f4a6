"""Builds Lab 56's tiny "pre-trained" T5 summariser (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`.

1. Draws toy news articles from data/news.py: one key sentence among filler sentences, and its headline.
2. Builds a word-level tokenizer over the grammar's words with T5's <pad> (also the decoder start token),
   </s>, <unk> and sentinels <extra_id_0> ... <extra_id_9>; every encoded text ends with </s>.
3. Pre-trains a T5 (2 encoder + 2 decoder layers, d_model 64) on a mixture: "summarize: " + article ->
   headline, and T5 span corruption on plain articles (no prefix), so the task prefix matters.
4. Saves T5ForConditionalGeneration + tokenizer with save_pretrained into OUT_DIR/t5-tiny (safetensors).

The artifact cache is keyed on this file's bytes; after changing data/news.py, bump NEWS_VERSION.
"""
from __future__ import annotations

import importlib.util
import json
import random
import re
import sys
import time
from pathlib import Path

NEWS_VERSION = 1
HERE = Path(__file__).resolve().parent
SENTINELS = [f"<extra_id_{i}>" for i in range(10)]
SPECIALS = ["<pad>", "</s>", "<unk>"] + SENTINELS
PREFIX = "summarize: "
CONFIG = dict(d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=4,
              relative_attention_num_buckets=16, relative_attention_max_distance=64, dropout_rate=0.0,
              feed_forward_proj="relu", tie_word_embeddings=True)
PRETRAIN = dict(steps=1500, batch_size=32, lr=3e-3, warmup=100, seed=0, noise=0.15, mean_span=2.0,
                summarize_share=0.6)


def news():
    spec = importlib.util.spec_from_file_location("lab56_news_build", HERE / "data" / "news.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def vocabulary(n) -> list[str]:
    words = {"summarize:", "."}
    for table in (n.ROLES, n.TOWNS, list(n.VERBS), list(n.VERBS.values()), n.THINGS, n.SIZES, n.DAYS,
                  n.ADJECTIVES, n.WEATHER, n.MONTHS, n.AMOUNTS):
        for entry in table:
            words |= set(entry.split())
    for template in n.FILLERS:
        words |= set(re.sub(r"\{\w+\}", " ", template).split())
    words |= set("the of a on in".split())
    return SPECIALS + sorted(words)


def span_corrupt(words: list[str], r: random.Random) -> tuple[str, str]:
    n = len(words)
    n_spans = max(1, round(max(1, round(n * PRETRAIN["noise"])) / PRETRAIN["mean_span"]))
    masked = set()
    for s in r.sample(range(n), min(n_spans, n)):
        masked |= set(range(s, min(n, s + int(PRETRAIN["mean_span"]))))
    source, target, sentinel, i = [], [], 0, 0
    while i < n:
        if i in masked:
            token = SENTINELS[min(sentinel, 9)]
            sentinel += 1
            source.append(token)
            target.append(token)
            while i < n and i in masked:
                target.append(words[i])
                i += 1
        else:
            source.append(words[i])
            i += 1
    target.append(SENTINELS[min(sentinel, 9)])
    return " ".join(source), " ".join(target)


def build_tokenizer(n):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary(n))}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="</s>",
                                   additional_special_tokens=SENTINELS, model_max_length=128)


def example(n, r: random.Random) -> tuple[str, str]:
    sentences, title = n.article(r)
    if r.random() < PRETRAIN["summarize_share"]:
        return PREFIX + " ".join(sentences), title
    return span_corrupt(" ".join(sentences).split(), r)


def main(out_dir: Path) -> None:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    n = news()
    torch.set_num_threads(1)   # one thread: fast and reproducible on a busy 2-core machine
    torch.manual_seed(PRETRAIN["seed"])
    tokenizer = build_tokenizer(n)
    config = T5Config(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id, **CONFIG)
    model = T5ForConditionalGeneration(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(PRETRAIN["seed"])
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        pairs = [example(n, rng) for _ in range(PRETRAIN["batch_size"])]
        batch = tokenizer([s for s, _ in pairs], padding=True, return_tensors="pt")
        labels = tokenizer([t for _, t in pairs], padding=True, return_tensors="pt")
        label_ids = labels["input_ids"].masked_fill(labels["attention_mask"] == 0, -100)
        loss = model(**batch, labels=label_ids).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "t5-tiny"
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    info = {"pretrain_steps": steps, "final_loss_mean_50": sum(losses[-50:]) / 50, "news_version": NEWS_VERSION,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
