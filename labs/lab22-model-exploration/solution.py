"""Lab 22 reference solution: exploring a hub of tiny pre-trained models."""
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
        "total_params": _total_params(model),
        "embedding_params": embedding.numel(),
        "tied_embeddings": output is not None and output.weight is embedding,
    }


def _total_params(model):
    """parameters() yields a shared (tied) tensor once; state_dict() would list it under both names."""
    return sum(p.numel() for p in model.parameters())


def tokenize(tokenizer, text):
    ids = tokenizer(text)["input_ids"]
    return {"tokens": tokenizer.convert_ids_to_tokens(ids), "n_tokens": len(ids),
            "n_unknown": sum(i == tokenizer.unk_token_id for i in ids),
            "decoded": tokenizer.decode(ids, skip_special_tokens=True)}


@torch.no_grad()
def score_text(model, tokenizer, text):
    """Next-token negative log-likelihood of a text under a causal LM (the first token is not predicted)."""
    nll, n = _next_token_nll(model, torch.tensor([tokenizer(text)["input_ids"]]))
    return {"n_predicted": n, "nll": nll, "perplexity": math.exp(nll / n), "bits_per_char": _bits_per_char(nll, text)}


def _next_token_nll(model, ids):
    """(summed NLL, count) of each token given the ones before it: logits at t score the token at t+1."""
    logits = model(input_ids=ids).logits[0, :-1].double()
    targets = ids[0, 1:]
    return -torch.log_softmax(logits, dim=-1).gather(-1, targets[:, None]).sum().item(), targets.numel()


def _bits_per_char(nll, text):
    return nll / math.log(2) / len(text)          # nats -> bits, per character of the text


@torch.no_grad()
def fill_mask(model, tokenizer, text, top_k=3):
    """The top_k most likely words for the single [MASK] in `text`, with their probabilities."""
    encoded = tokenizer(text, return_tensors="pt")
    position = _mask_position(tokenizer, encoded, text)
    probs = torch.softmax(model(**encoded).logits[0, position], dim=-1)
    values, indices = probs.topk(top_k)
    return [(tokenizer.convert_ids_to_tokens(int(i)), float(v)) for v, i in zip(values, indices)]


def _mask_position(tokenizer, encoded, text):
    """Where [MASK] is in the encoded ids (the tokenizer put [CLS] in front of the words)."""
    return (encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0]


@torch.no_grad()
def generate(model, tokenizer, prompt, max_new_tokens=10, do_sample=False, temperature=1.0, top_k=None, seed=None):
    """Only the generated text. Decoder-only outputs start with the prompt, encoder-decoder outputs do not."""
    encoded = tokenizer(prompt, return_tensors="pt")
    options = dict(max_new_tokens=max_new_tokens, do_sample=do_sample, pad_token_id=tokenizer.pad_token_id)
    if do_sample:
        options.update(_sampling(temperature, top_k, seed))
    output = model.generate(**encoded, **options)[0]
    return tokenizer.decode(_generated(model, output, encoded), skip_special_tokens=True).strip()


def _sampling(temperature, top_k, seed):
    """generate's sampling options; seeding right before generate makes a seed reproduce its sample."""
    torch.manual_seed(seed)
    return {"temperature": temperature, "top_k": top_k}


def _generated(model, output, encoded):
    """A decoder-only model's output starts with the prompt; an encoder-decoder's is the decoder's only."""
    if model.config.is_encoder_decoder:
        return output
    return output[encoded["input_ids"].shape[1]:]
