"""Lab 19: fine-tune a tiny pre-trained GPT-2 with Hugging Face Transformers. Submit as gpt_finetune.py.

The grader gives you the path of a model folder saved with save_pretrained (model + tokenizer).
Nothing is downloaded: everything loads from that folder.
"""
from __future__ import annotations

import math

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def load_pretrained(path):
    """Return (model, tokenizer) loaded from the folder `path`."""
    raise NotImplementedError("load_pretrained")


def make_batch(tokenizer, texts):
    """Build one training batch for causal language modelling.

    Append " " + tokenizer.eos_token to every text, tokenise with padding (on the right), and return a
    dict of int64 tensors of shape (len(texts), longest):
        input_ids, attention_mask, and labels = input_ids with -100 at padded positions.
    Do NOT shift the labels: the model does that internally.
    """
    raise NotImplementedError("make_batch")


def finetune(model, tokenizer, texts, steps, lr, batch_size, seed):
    """Train `model` in place for `steps` steps with torch.optim.AdamW(model.parameters(), lr=lr).

    Each step: pick batch_size random texts (use a torch.Generator seeded with `seed`), build the batch
    with make_batch, loss = model(**batch).loss, zero_grad / backward / step.
    Return the list of the `steps` loss values (floats). Leave the model in eval mode.
    """
    raise NotImplementedError("finetune")


@torch.no_grad()
def complete(model, tokenizer, prompt, max_new_tokens=12):
    """Greedy continuation of ONE prompt: model.generate(..., do_sample=False, max_new_tokens=...),
    stopping at eos. Return only the newly generated text, decoded with skip_special_tokens=True and
    stripped of surrounding spaces."""
    raise NotImplementedError("complete")


@torch.no_grad()
def perplexity(model, tokenizer, texts, batch_size=8):
    """exp(total negative log-likelihood / number of predicted tokens) of the texts, each ending with
    eos (build batches with make_batch). Every token after the first of each text is predicted from
    the ones before it; padding is never counted. Return a float."""
    raise NotImplementedError("perplexity")
