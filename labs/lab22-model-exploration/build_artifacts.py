"""Builds Lab 22's local "model hub" (trusted; run OUTSIDE the sandbox, once per version of this file):
`python build_artifacts.py OUT_DIR`.

Four tiny models, each pre-trained briefly with fixed seeds on the same generated English corpus and
saved with save_pretrained (safetensors) plus a model card (README.md), in OUT_DIR/hub/<name>:

  gpt2-word   GPT-2 (decoder-only, causal LM), word-level tokenizer
  gpt2-char   GPT-2 (decoder-only, causal LM), character-level tokenizer
  bert-word   BERT (encoder-only, masked LM), word-level tokenizer with [CLS]/[SEP]/[MASK]
  t5-word     T5 (encoder-decoder, span corruption), word-level tokenizer with sentinels

OUT_DIR/hub/index.json lists them, like the search results of a model hub.
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
         ("hid", "hides"), ("dropped", "drops"), ("carried", "carries")]
PLACES = "park garden forest kitchen barn field river house".split()
FUNCTION_WORDS = "the a in . , every day is and yesterday then".split()
CHARS = list(" .,abcdefghijklmnopqrstuvwxyz")
SENTINELS = [f"<extra_id_{i}>" for i in range(10)]
SEED = 0


def sentence(r: random.Random) -> str:
    n, a, o, p, a2 = r.choice(NOUNS), r.choice(ADJS), r.choice(OBJS), r.choice(PLACES), r.choice(ADJS)
    past, present = r.choice(VERBS)
    kind = r.randrange(5)
    if kind == 0:
        return f"the {a} {n} {past} a {a2} {o} in the {p} ."
    if kind == 1:
        return f"every day the {n} {present} the {a2} {o} ."
    if kind == 2:
        return f"a {a} {n} is in the {p} ."
    if kind == 3:
        return f"yesterday the {a} {n} {past} the {o} ."
    return f"the {n} {present} a {o} and the {r.choice(NOUNS)} {r.choice(VERBS)[1]} a {r.choice(OBJS)} ."


def text(r: random.Random) -> str:
    return " ".join(sentence(r) for _ in range(r.randint(1, 2)))


def words() -> list[str]:
    return sorted(set(NOUNS + ADJS + OBJS + PLACES + FUNCTION_WORDS + [v for pair in VERBS for v in pair]))


def word_tokenizer(specials, post=None, **kwargs):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(specials + words())}
    tok = Tokenizer(models.WordLevel(vocab, unk_token=kwargs["unk_token"]))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    if post:
        tok.post_processor = post(vocab)
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=128, **kwargs)


def char_tokenizer():
    """One token per character (spaces included); unknown characters become <unk>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<eos>"]
    vocab = {c: i for i, c in enumerate(specials + CHARS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split("", behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="<eos>",
                                   bos_token="<eos>", model_max_length=256)


def train(model, make_batch, steps, lr, label):
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / 100) * max(0.05, 1.0 - s / steps))
    started, losses = time.time(), []
    model.train()
    for step in range(steps):
        loss = model(**make_batch()).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        if step % 250 == 0:
            print(f"{label} step {step} loss {loss.item():.3f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    return {"steps": steps, "final_loss_mean_50": round(sum(losses[-50:]) / 50, 4),
            "seconds": round(time.time() - started, 1)}


def causal_batch(tokenizer, rng, batch_size):
    texts = [text(rng) + tokenizer.eos_token for _ in range(batch_size)]
    if tokenizer.eos_token == "<eos>" and len(tokenizer) > 40:         # word-level: eos is a separate word
        texts = [t.replace("<eos>", " <eos>") for t in texts]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    batch["labels"] = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    return batch


def build_gpt2(tokenizer, rng, steps, n_positions):
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=len(tokenizer), n_positions=n_positions, n_embd=64, n_layer=2, n_head=4,
                        n_inner=256, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id)
    model = GPT2LMHeadModel(config)
    info = train(model, lambda: causal_batch(tokenizer, rng, 32), steps, 3e-3, "gpt2")
    return model, info


def build_bert(rng, steps):
    import torch
    from tokenizers import processors
    from transformers import BertConfig, BertForMaskedLM

    tokenizer = word_tokenizer(
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
        post=lambda v: processors.TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
                                                      special_tokens=[("[CLS]", v["[CLS]"]), ("[SEP]", v["[SEP]"])]),
        unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=64, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0, pad_token_id=tokenizer.pad_token_id)
    model = BertForMaskedLM(config)
    generator = torch.Generator().manual_seed(SEED)

    def batch():
        enc = tokenizer([text(rng) for _ in range(32)], padding=True, return_tensors="pt")
        ids, mask = enc["input_ids"], enc["attention_mask"]
        special = (ids == tokenizer.cls_token_id) | (ids == tokenizer.sep_token_id) | (mask == 0)
        chosen = (torch.rand(ids.shape, generator=generator) < 0.15) & ~special
        labels = ids.masked_fill(~chosen, -100)
        roll = torch.rand(ids.shape, generator=generator)
        inputs = ids.clone()
        inputs[chosen & (roll < 0.8)] = tokenizer.mask_token_id
        swap = chosen & (roll >= 0.8) & (roll < 0.9)
        inputs[swap] = torch.randint(5, len(tokenizer), ids.shape, generator=generator)[swap]
        return {"input_ids": inputs, "attention_mask": mask, "labels": labels}

    return model, tokenizer, train(model, batch, steps, 2e-3, "bert")


def span_corrupt(tokens: list[str], r: random.Random) -> tuple[str, str]:
    n = len(tokens)
    starts = sorted(r.sample(range(n), max(1, round(n * 0.15 / 2))))
    masked = {j for s in starts for j in range(s, min(n, s + 2))}
    source, target, k, i = [], [], 0, 0
    while i < n:
        if i in masked:
            source.append(SENTINELS[k])
            target.append(SENTINELS[k])
            k += 1
            while i < n and i in masked:
                target.append(tokens[i])
                i += 1
        else:
            source.append(tokens[i])
            i += 1
    target.append(SENTINELS[min(k, 9)])
    return " ".join(source), " ".join(target)


def build_t5(rng, steps):
    from tokenizers import processors
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = word_tokenizer(
        ["<pad>", "</s>", "<unk>"] + SENTINELS,
        post=lambda v: processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                      special_tokens=[("</s>", v["</s>"])]),
        unk_token="<unk>", pad_token="<pad>", eos_token="</s>", additional_special_tokens=SENTINELS)
    config = T5Config(vocab_size=len(tokenizer), d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2,
                      num_heads=4, relative_attention_num_buckets=16, relative_attention_max_distance=32,
                      dropout_rate=0.0, feed_forward_proj="relu", pad_token_id=tokenizer.pad_token_id,
                      eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id)
    model = T5ForConditionalGeneration(config)

    def batch():
        pairs = [span_corrupt(text(rng).split(), rng) for _ in range(32)]
        enc = tokenizer([s for s, _ in pairs], padding=True, return_tensors="pt")
        lab = tokenizer([t for _, t in pairs], padding=True, return_tensors="pt")
        enc["labels"] = lab["input_ids"].masked_fill(lab["attention_mask"] == 0, -100)
        return enc

    return model, tokenizer, train(model, batch, steps, 3e-3, "t5")


CARDS = {
    "gpt2-word": ("GPT2LMHeadModel", "text-generation", "causal language modelling (predict the next word)",
                  "a word-level tokenizer: one token per space-separated word; unknown words become <unk>"),
    "gpt2-char": ("GPT2LMHeadModel", "text-generation", "causal language modelling (predict the next character)",
                  "a character-level tokenizer: one token per character, spaces included"),
    "bert-word": ("BertForMaskedLM", "fill-mask", "masked language modelling (predict 15% hidden words from both sides)",
                  "a word-level tokenizer that wraps every text in [CLS] ... [SEP]"),
    "t5-word": ("T5ForConditionalGeneration", "text2text-generation",
                "span corruption (the decoder writes the spans replaced by <extra_id_N> sentinels)",
                "a word-level tokenizer that appends </s>, with sentinel tokens <extra_id_0> ... <extra_id_9>"),
}


def write_card(folder: Path, name: str, model, info: dict) -> dict:
    architecture, task, objective, tokenizer = CARDS[name]
    params = sum(p.numel() for p in model.parameters())
    card = f"""---
pipeline_tag: {task}
library_name: transformers
---
# {name}

A tiny {architecture} for the LLM course (Lab 22). **Not a real model**: {params:,} parameters,
pre-trained for {info['steps']} steps on generated sentences such as
"the old dog found a red ball in the park ." (about 100 different words).

- Architecture: {architecture}
- Objective: {objective}
- Tokenizer: {tokenizer}
- Final training loss (mean of the last 50 steps): {info['final_loss_mean_50']}

Intended use: exploring how model families differ (parameter counts, tokenizers, perplexity,
generation). Limitations: it only knows the course's toy grammar; anything else is out of distribution.
"""
    (folder / "README.md").write_text(card)
    return {"name": name, "architecture": architecture, "pipeline_tag": task, "parameters": params}


def main(out_dir: Path) -> None:
    import torch

    torch.set_num_threads(1)
    hub = out_dir / "hub"
    index = []
    for name in ("gpt2-word", "gpt2-char", "bert-word", "t5-word"):
        torch.manual_seed(SEED)
        rng = random.Random(f"{SEED}:{name}")
        if name == "gpt2-word":
            tokenizer = word_tokenizer(["<pad>", "<unk>", "<eos>"], unk_token="<unk>", pad_token="<pad>",
                                       eos_token="<eos>", bos_token="<eos>")
            model, info = build_gpt2(tokenizer, rng, 1000, 64)
        elif name == "gpt2-char":
            tokenizer = char_tokenizer()
            model, info = build_gpt2(tokenizer, rng, 1000, 256)
        elif name == "bert-word":
            model, tokenizer, info = build_bert(rng, 1000)
        else:
            model, tokenizer, info = build_t5(rng, 1000)
        folder = hub / name
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        index.append(write_card(folder, name, model, info))
        print(name, info, flush=True)
    (hub / "index.json").write_text(json.dumps(index, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
