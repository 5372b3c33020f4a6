"""Lab 22: explore a (local) model hub. Submit as explore.py.

The grader gives you folders of a local stand-in for the Hugging Face Hub: gpt2-word, gpt2-char,
bert-word and t5-word, each saved with save_pretrained and with a model card (README.md).
Nothing is downloaded.
"""
from __future__ import annotations

import math

import torch
from transformers import (AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoTokenizer)


def load_model(path):
    """Return (model, tokenizer) for any of the hub's folders, in eval mode, using the right Auto class:
    AutoModelForSeq2SeqLM if config.is_encoder_decoder, AutoModelForMaskedLM for model_type "bert",
    AutoModelForCausalLM otherwise."""
    raise NotImplementedError("load_model")


def describe_model(model):
    """Return a dict with keys: architecture (class name), model_type, kind ("decoder-only",
    "encoder-only" or "encoder-decoder"), num_layers, hidden_size, vocab_size, total_params (each tensor
    once), embedding_params (token embedding matrix only) and tied_embeddings (bool)."""
    raise NotImplementedError("describe_model")


def tokenize(tokenizer, text):
    """Return {"tokens": list of str, "n_tokens": int, "n_unknown": int, "decoded": str} for
    tokenizer(text)["input_ids"] (special tokens included; decoded with skip_special_tokens=True)."""
    raise NotImplementedError("tokenize")


@torch.no_grad()
def score_text(model, tokenizer, text):
    """For a causal LM: {"n_predicted", "nll", "perplexity", "bits_per_char"}.

    ids = tokenizer(text)["input_ids"]; every token but the first is predicted from the ones before it;
    nll = - sum of their log-probabilities (natural log); perplexity = exp(nll / n_predicted);
    bits_per_char = nll / ln(2) / len(text).
    """
    raise NotImplementedError("score_text")


@torch.no_grad()
def fill_mask(model, tokenizer, text, top_k=3):
    """For a masked LM and a text with one [MASK]: the top_k (token, probability) pairs, most likely first."""
    raise NotImplementedError("fill_mask")


@torch.no_grad()
def generate(model, tokenizer, prompt, max_new_tokens=10, do_sample=False, temperature=1.0, top_k=None, seed=None):
    """Only the newly generated text (skip_special_tokens=True, stripped), for decoder-only and
    encoder-decoder models. Greedy by default; with do_sample=True call torch.manual_seed(seed) right
    before model.generate(..., do_sample=True, temperature=temperature, top_k=top_k)."""
    raise NotImplementedError("generate")
