"""Lab 20: fine-tune a tiny pre-trained BERT for review sentiment. Submit as bert_classifier.py.

The grader gives you the path of a folder saved with save_pretrained (a BertForMaskedLM and its
tokenizer). Nothing is downloaded.
"""
from __future__ import annotations

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

LABELS = ["negative", "positive"]          # label id 0 and 1


def load_classifier(path, num_labels=2):
    """Return (model, tokenizer): the pre-trained encoder with a new classification head.

    The model's config must name the labels: id2label {0: "negative", 1: "positive"} and the matching label2id.
    """
    raise NotImplementedError("load_classifier")


def encode(tokenizer, texts, labels=None, max_length=32):
    """Tokenise a batch of reviews.

    Returns a dict of int64 tensors: input_ids and attention_mask of shape (len(texts), longest), with
    the tokenizer's [CLS] ... [SEP], padded to the longest review and truncated at max_length; and, if
    labels (a list of "negative"/"positive") is given, labels of shape (len(texts),) with the ids 0/1.
    """
    raise NotImplementedError("encode")


def train_classifier(model, tokenizer, texts, labels, steps, lr, batch_size, seed):
    """Fine-tune the whole model in place for `steps` steps with torch.optim.AdamW(..., lr=lr).

    Each step: batch_size random examples (torch.Generator seeded with `seed`), encode them with their
    labels, loss = model(**batch).loss, zero_grad / backward / step. Return the list of loss values.
    Leave the model in eval mode.
    """
    raise NotImplementedError("train_classifier")


@torch.no_grad()
def predict_proba(model, tokenizer, texts, batch_size=32):
    """Class probabilities, a float tensor (len(texts), num_labels), computed batch by batch."""
    raise NotImplementedError("predict_proba")


def predict(model, tokenizer, texts, batch_size=32):
    """Predicted label names, a list of "negative"/"positive"."""
    raise NotImplementedError("predict")
