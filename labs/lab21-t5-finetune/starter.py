"""Lab 21: fine-tune a tiny pre-trained T5 to translate English into Toy. Submit as t5_finetune.py.

The grader gives you the path of a folder saved with save_pretrained (a T5ForConditionalGeneration
and its tokenizer). Nothing is downloaded.
"""
from __future__ import annotations

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

PREFIX = "translate English to Toy : "     # T5 is told the task in the input text


def load_model(path):
    """Return (model, tokenizer) loaded from the folder `path`."""
    raise NotImplementedError("load_model")


def preprocess(tokenizer, sources, targets=None, max_length=32):
    """Build a seq2seq batch.

    input_ids, attention_mask: PREFIX + each source, tokenised with padding=True (the tokenizer appends
    </s>), truncated at max_length. If targets are given, also labels: the tokenised targets (use
    tokenizer(text_target=...)), padded, with -100 at padded positions. Return a dict of int64 tensors with
    exactly these keys: T5 builds the decoder inputs from the labels itself.
    """
    raise NotImplementedError("preprocess")


def train(model, tokenizer, pairs, steps, lr, batch_size, seed):
    """Fine-tune in place on (source, target) pairs with torch.optim.AdamW(model.parameters(), lr=lr).

    Each step: batch_size random pairs (torch.Generator seeded with `seed`), batch = preprocess(...),
    loss = model(**batch).loss, zero_grad / backward / step. Return the list of losses; end in eval mode.
    """
    raise NotImplementedError("train")


@torch.no_grad()
def translate(model, tokenizer, sentences, max_new_tokens=24):
    """Greedy translations (do_sample=False, num_beams=1) of a list of English sentences, computed as one
    padded batch; return a list of str decoded with skip_special_tokens=True and stripped."""
    raise NotImplementedError("translate")


def exact_match(predictions, references):
    """Fraction of predictions that equal their reference exactly (after stripping spaces)."""
    raise NotImplementedError("exact_match")


def token_accuracy(predictions, references):
    """Word-level accuracy: for every pair count the positions i < len(reference words) where the
    predicted word i equals reference word i; divide the total by the total number of reference words."""
    raise NotImplementedError("token_accuracy")
