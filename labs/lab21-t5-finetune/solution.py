"""Lab 21 reference solution: fine-tuning a tiny pre-trained T5 for translation."""
from __future__ import annotations

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

PREFIX = "translate English to Toy : "


def load_model(path):
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    return model, tokenizer


def preprocess(tokenizer, sources, targets=None, max_length=32):
    """Encoder inputs = task prefix + source (+ </s>); labels = target ids + </s>, padding -> -100.
    The model builds decoder_input_ids itself by shifting the labels right (after the start token)."""
    batch = tokenizer([PREFIX + s for s in sources], padding=True, truncation=True, max_length=max_length,
                      return_tensors="pt")
    out = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if targets is not None:
        out.update(_targets(tokenizer, targets, max_length))
    return out


def _targets(tokenizer, targets, max_length):
    """{"labels": target ids + </s>, padding -> -100 (the loss ignores it)}: nothing for the decoder's input."""
    labels = tokenizer(text_target=list(targets), padding=True, truncation=True, max_length=max_length,
                       return_tensors="pt")
    return {"labels": labels["input_ids"].masked_fill(labels["attention_mask"] == 0, -100)}


def train(model, tokenizer, pairs, steps, lr, batch_size, seed):
    """AdamW on random mini-batches of (source, target) pairs; returns the losses."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(pairs), (batch_size,), generator=generator).tolist()
        batch = preprocess(tokenizer, [pairs[i][0] for i in idx], [pairs[i][1] for i in idx])
        loss = model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def translate(model, tokenizer, sentences, max_new_tokens=24):
    """Greedy translations of a list of sentences (one batch), special tokens removed."""
    model.eval()
    batch = preprocess(tokenizer, sentences)
    output = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
    return [text.strip() for text in tokenizer.batch_decode(output, skip_special_tokens=True)]


def exact_match(predictions, references):
    """Fraction of predictions equal to their reference (after stripping)."""
    return sum(p.strip() == r.strip() for p, r in zip(predictions, references)) / len(references)


def token_accuracy(predictions, references):
    """Position-wise word accuracy: matches at positions of the reference / number of reference words."""
    correct = total = 0
    for prediction, reference in zip(predictions, references):
        p, r = prediction.split(), reference.split()
        correct += sum(a == b for a, b in zip(p, r))
        total += len(r)
    return correct / total
