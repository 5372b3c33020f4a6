"""Lab 20 reference solution: fine-tuning a tiny pre-trained BERT for text classification."""
from __future__ import annotations

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

LABELS = ["negative", "positive"]


def load_classifier(path, num_labels=2):
    """The pre-trained encoder with a new, randomly initialised classification head on [CLS]."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=num_labels, id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})
    return model, tokenizer


def encode(tokenizer, texts, labels=None, max_length=32):
    """[CLS] text [SEP], padded to the longest text, truncated at max_length; labels as class ids."""
    batch = _tokenize(tokenizer, texts, max_length)
    out = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    if labels is not None:
        out["labels"] = torch.tensor([LABELS.index(label) for label in labels], dtype=torch.long)
    return out


def _tokenize(tokenizer, texts, max_length):
    """The tokenizer adds [CLS] and [SEP]; pad to the longest text, cut at max_length."""
    return tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt")


def train_classifier(model, tokenizer, texts, labels, steps, lr, batch_size, seed):
    """Fine-tune every weight (encoder + head) with AdamW on random mini-batches; returns the losses."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(texts), (batch_size,), generator=generator).tolist()
        batch = encode(tokenizer, [texts[i] for i in idx], [labels[i] for i in idx])
        loss = model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def predict_proba(model, tokenizer, texts, batch_size=32):
    """(len(texts), num_labels) float tensor of class probabilities."""
    model.eval()
    chunks = []
    for start in range(0, len(texts), batch_size):
        batch = encode(tokenizer, texts[start:start + batch_size])
        chunks.append(_probabilities(model, batch))
    return torch.cat(chunks)


def _probabilities(model, batch):
    """Softmax of the logits; the attention mask (in the batch) keeps [PAD] out of every text's result."""
    return torch.softmax(model(**batch).logits, dim=-1)


def predict(model, tokenizer, texts, batch_size=32):
    """Predicted label names ("negative" / "positive")."""
    ids = predict_proba(model, tokenizer, texts, batch_size).argmax(dim=-1).tolist()
    return [LABELS[i] for i in ids]
