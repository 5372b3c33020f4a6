"""Builds Lab 20's tiny "pre-trained" BERT (trusted; run OUTSIDE the sandbox, once per version of this
file): `python build_artifacts.py OUT_DIR`.

1. Generates an unlabelled corpus of short reviews and plain sentences from a small grammar.
2. Builds a word-level tokenizer (tokenizers.WordLevel) with BERT's special tokens and a
   "[CLS] text [SEP]" post-processor, wrapped in PreTrainedTokenizerFast.
3. Pre-trains a BERT with 2 layers and hidden size 64 with masked language modelling (15% of the
   tokens: 80% [MASK], 10% random, 10% kept) for a few hundred steps with fixed seeds.
4. Saves BertForMaskedLM + tokenizer with save_pretrained into OUT_DIR/bert-tiny (safetensors).

make_data.py imports the grammar from here, so the labelled data and the tokenizer agree.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

THINGS = "food soup pizza movie book service staff room coffee music game phone hotel show".split()
POSITIVE = "good great tasty lovely nice fun excellent wonderful".split()
NEGATIVE = "bad awful boring terrible rude cold dull poor".split()
ADVERBS = "very really quite so".split()
LIKE = "liked loved enjoyed".split()
DISLIKE = "hated disliked".split()
FUNCTION_WORDS = "the a was is not never but and i did like it . , we they today".split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

CONFIG = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              max_position_embeddings=64, type_vocab_size=2, hidden_dropout_prob=0.0,
              attention_probs_dropout_prob=0.0)
PRETRAIN = dict(steps=4000, batch_size=32, lr=2e-3, warmup=200, seed=0, mask_prob=0.15)


def vocabulary() -> list[str]:
    words = set(THINGS + POSITIVE + NEGATIVE + ADVERBS + LIKE + DISLIKE + FUNCTION_WORDS)
    return SPECIALS + sorted(words)


def clause(r: random.Random) -> tuple[str, int]:
    """One review clause and its sentiment (1 positive, 0 negative)."""
    thing = r.choice(THINGS)
    kind = r.randrange(4)
    if kind < 3:
        positive = r.random() < 0.5
        adj = r.choice(POSITIVE if positive else NEGATIVE)
        adv = r.choice(ADVERBS) + " " if r.random() < 0.3 else ""
        negation = r.random() < 0.5
        word = r.choice(["not", "never"]) if negation else ""
        text = f"the {thing} was {word + ' ' if word else ''}{adv}{adj}"
        return text, int(positive != negation)
    positive = r.random() < 0.5
    if r.random() < 0.5:
        return f"i {r.choice(LIKE if positive else DISLIKE)} the {thing}", int(positive)
    return f"i did not like the {thing}", 0


def review(r: random.Random) -> tuple[str, int]:
    """A review: one clause, or two joined by 'but' (the sentiment follows the clause after 'but')."""
    first, label = clause(r)
    if r.random() < 0.35:
        second, label = clause(r)
        return f"{first} , but {second} .", label
    return f"{first} .", label


def opinion(r: random.Random) -> str:
    """Unlabelled text in which liking goes with positive words: MLM learns which adjectives are positive."""
    positive = r.random() < 0.5
    who, thing = r.choice(["i", "we", "they"]), r.choice(THINGS)
    verb, adj = r.choice(LIKE if positive else DISLIKE), r.choice(POSITIVE if positive else NEGATIVE)
    if r.random() < 0.5:
        return f"{who} {verb} the {thing} , it was {adj} ."
    return f"the {thing} was {adj} and {who} {verb} it ."


def pretrain_text(r: random.Random) -> str:
    k = r.random()
    if k < 0.5:
        return opinion(r)
    if k < 0.85:
        return review(r)[0]
    return f"{r.choice(['we', 'they'])} {r.choice(LIKE)} the {r.choice(THINGS)} and the {r.choice(THINGS)} today ."


def build_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(vocabulary())}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=CONFIG["max_position_embeddings"])


def mask_tokens(input_ids, attention_mask, tokenizer, generator, prob):
    import torch

    labels = input_ids.clone()
    special = (input_ids == tokenizer.cls_token_id) | (input_ids == tokenizer.sep_token_id) | (attention_mask == 0)
    chosen = (torch.rand(input_ids.shape, generator=generator) < prob) & ~special
    labels[~chosen] = -100
    inputs = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (roll < 0.8)] = tokenizer.mask_token_id
    random_ids = torch.randint(len(SPECIALS), len(tokenizer), input_ids.shape, generator=generator)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs[swap] = random_ids[swap]
    return inputs, labels


def main(out_dir: Path) -> None:
    import torch
    from transformers import BertConfig, BertForMaskedLM

    torch.set_num_threads(2)
    torch.manual_seed(PRETRAIN["seed"])
    generator = torch.Generator().manual_seed(PRETRAIN["seed"])
    tokenizer = build_tokenizer()
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **CONFIG)
    model = BertForMaskedLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(PRETRAIN["seed"])
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        batch = tokenizer([pretrain_text(rng) for _ in range(PRETRAIN["batch_size"])], padding=True, return_tensors="pt")
        inputs, labels = mask_tokens(batch["input_ids"], batch["attention_mask"], tokenizer, generator,
                                     PRETRAIN["mask_prob"])
        loss = model(input_ids=inputs, attention_mask=batch["attention_mask"], labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 200 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "bert-tiny"
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    info = {"pretrain_steps": steps, "final_mlm_loss_mean_50": sum(losses[-50:]) / 50,
            "parameters": sum(p.numel() for p in model.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
