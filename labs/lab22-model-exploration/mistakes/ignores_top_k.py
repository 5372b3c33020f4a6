"""Common mistake (lab 22): sampling without top_k, so generate keeps its default top_k=50."""
from __future__ import annotations

import math

import torch
from transformers import (AutoConfig, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM,
                          AutoTokenizer)


def load_model(path):
    """Pick the Auto class from the config: encoder-decoder, masked LM (BERT) or causal LM."""
    config = AutoConfig.from_pretrained(path)
    if config.is_encoder_decoder:
        auto = AutoModelForSeq2SeqLM
    elif config.model_type == "bert":
        auto = AutoModelForMaskedLM
    else:
        auto = AutoModelForCausalLM
    return auto.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(path)


def describe_model(model):
    config = model.config
    if config.is_encoder_decoder:
        kind = "encoder-decoder"
    elif config.model_type == "bert":
        kind = "encoder-only"
    else:
        kind = "decoder-only"
    embedding = model.get_input_embeddings().weight
    output = model.get_output_embeddings()
    return {
        "architecture": type(model).__name__,
        "model_type": config.model_type,
        "kind": kind,
        "num_layers": config.num_hidden_layers,
        "hidden_size": config.hidden_size,
        "vocab_size": config.vocab_size,
        "total_params": sum(p.numel() for p in model.parameters()),       # shared tensors counted once
        "embedding_params": embedding.numel(),
        "tied_embeddings": output is not None and output.weight is embedding,
    }


def tokenize(tokenizer, text):
    ids = tokenizer(text)["input_ids"]
    return {"tokens": tokenizer.convert_ids_to_tokens(ids), "n_tokens": len(ids),
            "n_unknown": sum(i == tokenizer.unk_token_id for i in ids),
            "decoded": tokenizer.decode(ids, skip_special_tokens=True)}


@torch.no_grad()
def score_text(model, tokenizer, text):
    """Next-token negative log-likelihood of a text under a causal LM (the first token is not predicted)."""
    ids = torch.tensor([tokenizer(text)["input_ids"]])
    logits = model(input_ids=ids).logits[0, :-1].double()
    targets = ids[0, 1:]
    nll = -torch.log_softmax(logits, dim=-1).gather(-1, targets[:, None]).sum().item()
    n = targets.numel()
    return {"n_predicted": n, "nll": nll, "perplexity": math.exp(nll / n),
            "bits_per_char": nll / math.log(2) / len(text)}


@torch.no_grad()
def fill_mask(model, tokenizer, text, top_k=3):
    """The top_k most likely words for the single [MASK] in `text`, with their probabilities."""
    encoded = tokenizer(text, return_tensors="pt")
    position = (encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0]
    probs = torch.softmax(model(**encoded).logits[0, position], dim=-1)
    values, indices = probs.topk(top_k)
    return [(tokenizer.convert_ids_to_tokens(int(i)), float(v)) for v, i in zip(values, indices)]


@torch.no_grad()
def generate(model, tokenizer, prompt, max_new_tokens=10, do_sample=False, temperature=1.0, top_k=None, seed=None):
    """Only the generated text. Decoder-only outputs start with the prompt, encoder-decoder outputs do not."""
    encoded = tokenizer(prompt, return_tensors="pt")
    options = dict(max_new_tokens=max_new_tokens, do_sample=do_sample, pad_token_id=tokenizer.pad_token_id)
    if do_sample:
        options.update(temperature=temperature)  # top_k forgotten: generate keeps its default (50)
        torch.manual_seed(seed)
    output = model.generate(**encoded, **options)[0]
    if not model.config.is_encoder_decoder:
        output = output[encoded["input_ids"].shape[1]:]
    return tokenizer.decode(output, skip_special_tokens=True).strip()
