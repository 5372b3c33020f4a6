"""Lab 19 reference solution: fine-tuning a tiny pre-trained GPT-2 with Hugging Face Transformers."""
from __future__ import annotations

import math

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def load_pretrained(path):
    """Load the causal LM and its tokenizer saved with save_pretrained in `path`."""
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    return model, tokenizer


def make_batch(tokenizer, texts):
    """Tokenise texts + eos, pad on the right, and build labels that ignore the padding."""
    encoded = tokenizer([text + " " + tokenizer.eos_token for text in texts], padding=True, return_tensors="pt")
    return {"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"], "labels": _labels(encoded)}


def _labels(encoded):
    """The input_ids themselves (the model shifts them to predict each next token), -100 on the padding."""
    return encoded["input_ids"].masked_fill(encoded["attention_mask"] == 0, -100)


def finetune(model, tokenizer, texts, steps, lr, batch_size, seed):
    """AdamW on random mini-batches of texts; the model shifts the labels itself. Returns the losses."""
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(texts), (batch_size,), generator=generator).tolist()
        batch = make_batch(tokenizer, [texts[i] for i in idx])
        loss = model(**batch).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses


@torch.no_grad()
def complete(model, tokenizer, prompt, max_new_tokens=12):
    """Greedy continuation of one prompt: only the new text, special tokens removed, stripped."""
    model.eval()
    encoded = tokenizer(prompt, return_tensors="pt")
    output = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False,
                            eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(_new_tokens(output[0], encoded), skip_special_tokens=True).strip()


def _new_tokens(sequence, encoded):
    """generate returns the prompt followed by the continuation: keep the continuation only."""
    return sequence[encoded["input_ids"].shape[1]:]


@torch.no_grad()
def perplexity(model, tokenizer, texts, batch_size=8):
    """exp(total next-token NLL / number of predicted tokens) over all texts (each ending with eos)."""
    model.eval()
    total_nll, total_tokens = 0.0, 0
    for start in range(0, len(texts), batch_size):
        nll, tokens = _batch_nll(model, make_batch(tokenizer, texts[start:start + batch_size]))
        total_nll += nll
        total_tokens += tokens
    return math.exp(total_nll / total_tokens)


def _batch_nll(model, batch):
    """(summed next-token NLL, number of predicted tokens) of one batch, padding excluded."""
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    targets = batch["input_ids"][:, 1:]                     # token t+1 is predicted at position t
    mask = batch["attention_mask"][:, 1:].bool()            # never score padding
    log_probs = torch.log_softmax(logits[:, :-1].double(), dim=-1)
    picked = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return -picked[mask].sum().item(), int(mask.sum())
