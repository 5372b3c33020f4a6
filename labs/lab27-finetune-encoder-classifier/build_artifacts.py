"""Builds Lab 27's tiny "pre-trained" encoder (trusted; run OUTSIDE the sandbox, once per version of
this file): `python build_artifacts.py OUT_DIR`.

1. Generates unlabelled customer-support messages from a small grammar (our own text, no download).
2. Builds a word-level tokenizer (tokenizers.WordLevel) with BERT's special tokens and a
   "[CLS] text [SEP]" post-processor, wrapped in PreTrainedTokenizerFast.
3. Pre-trains a BERT encoder (2 layers, hidden size 64) with masked language modelling (15% of the
   tokens: 80% [MASK], 10% random, 10% kept) for 800 steps with fixed seeds (about 15 s of one core).
4. Saves the encoder (BertModel, no pooler) and the tokenizer with save_pretrained into
   OUT_DIR/encoder-tiny (safetensors).

make_data.py imports the grammar from here, so the labelled messages and the tokenizer agree.
"""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

LABELS = ["billing", "delivery", "technical", "account"]
KEYWORDS = {
    "billing": "invoice refund charge payment bill receipt".split(),
    "delivery": "parcel package courier delivery shipment order".split(),
    "technical": "app screen update battery download website".split(),
    "account": "password email username profile login subscription".split(),
}
PROBLEMS = {
    "billing": ["is wrong", "is too high", "was taken twice", "never came back", "is missing"],
    "delivery": ["is late", "never arrived", "was damaged", "went to the wrong house", "is lost"],
    "technical": ["keeps crashing", "is frozen", "shows an error", "will not start", "is very slow"],
    "account": ["is not accepted", "was changed", "is locked", "will not work", "was deleted"],
}
OPENERS = ["hello ,", "hi ,", "please help ,", "good morning ,", ""]
CLOSERS = ["thanks .", "please fix it .", "what can i do ?", "i am waiting .", ""]
FUNCTION_WORDS = ("my the this is not about , last week i asked but now again also and a . ? it can you "
                  "question").split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

CONFIG = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              max_position_embeddings=64, type_vocab_size=2, hidden_dropout_prob=0.0,
              attention_probs_dropout_prob=0.0)
PRETRAIN = dict(steps=800, batch_size=32, lr=3e-3, warmup=50, seed=0, mask_prob=0.15)


def vocabulary() -> list[str]:
    words = set(FUNCTION_WORDS)
    for phrases in (OPENERS, CLOSERS, *PROBLEMS.values()):
        for phrase in phrases:
            words.update(phrase.split())
    for keywords in KEYWORDS.values():
        words.update(keywords)
    return SPECIALS + sorted(words)


def clause(r: random.Random, topic: str) -> str:
    return f"my {r.choice(KEYWORDS[topic])} {r.choice(PROBLEMS[topic])}"


def message(r: random.Random) -> tuple[str, str]:
    """A support message and its department. Half mention a second department in a clause that does
    not decide the label ("this is not about my invoice , ...", "last week i asked about ... but now
    ..."), so the words alone are ambiguous and the model has to read the structure."""
    topic = r.choice(LABELS)
    other = r.choice([t for t in LABELS if t != topic])
    kind = r.randrange(6)
    if kind < 3:
        body = clause(r, topic) + (" again" if kind == 1 else "")
    elif kind == 3:
        body = f"this is not about my {r.choice(KEYWORDS[other])} , {clause(r, topic)}"
    elif kind == 4:
        body = f"last week i asked about my {r.choice(KEYWORDS[other])} but now {clause(r, topic)}"
    else:
        body = f"{clause(r, topic)} , it is not about my {r.choice(KEYWORDS[other])}"
    text = " ".join(part for part in (r.choice(OPENERS), body, ".", r.choice(CLOSERS)) if part)
    return text, topic


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
                                   sep_token="[SEP]", mask_token="[MASK]",
                                   model_max_length=CONFIG["max_position_embeddings"])


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

    torch.set_num_threads(1)  # two threads spin against each other on a busy 2-core machine
    torch.manual_seed(PRETRAIN["seed"])
    generator = torch.Generator().manual_seed(PRETRAIN["seed"])
    tokenizer = build_tokenizer()
    config = BertConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **CONFIG)
    model = BertForMaskedLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.01)
    steps = PRETRAIN["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / PRETRAIN["warmup"]) * max(0.05, 1.0 - s / steps))
    rng = random.Random(f"pretrain:{PRETRAIN['seed']}")
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        batch = tokenizer([message(rng)[0] for _ in range(PRETRAIN["batch_size"])], padding=True,
                          return_tensors="pt")
        inputs, labels = mask_tokens(batch["input_ids"], batch["attention_mask"], tokenizer, generator,
                                     PRETRAIN["mask_prob"])
        loss = model(input_ids=inputs, attention_mask=batch["attention_mask"], labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    target = out_dir / "encoder-tiny"
    model.bert.save_pretrained(target)  # the encoder only: the MLM head is not needed for classification
    tokenizer.save_pretrained(target)
    info = {"pretrain_steps": steps, "final_mlm_loss_mean_50": sum(losses[-50:]) / 50,
            "parameters": sum(p.numel() for p in model.bert.parameters()), "seconds": round(time.time() - started, 1)}
    (target / "pretraining.json").write_text(json.dumps(info, indent=1))
    print(info)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
