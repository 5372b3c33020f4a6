"""Lab 54 reference solution: the conversation logic of a chatbot (chat template, token budget, truncation,
generation) around a tiny pre-trained chat model."""
from __future__ import annotations

import torch

ROLES = ("system", "user", "assistant")


def render_chat(messages, add_generation_prompt=False):
    """'<|role|> content <|end|>' for each message, joined by single spaces; ' <|assistant|>' appended when
    add_generation_prompt. Raises ValueError for an invalid conversation."""
    if not messages:
        raise ValueError("a conversation needs at least one message")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content"), str):
            raise ValueError(f"message {i} must be a dict with a role in {ROLES} and a str content")
        if message["role"] == "system" and i != 0:
            raise ValueError("only the first message may be a system message")
    turns = messages[1:] if messages[0]["role"] == "system" else messages
    for i, message in enumerate(turns):
        if message["role"] != ("user" if i % 2 == 0 else "assistant"):
            raise ValueError(f"roles must alternate user/assistant, starting with user (message {i})")
    text = " ".join(f"<|{m['role']}|> {m['content']} <|end|>" for m in messages)
    return text + " <|assistant|>" if add_generation_prompt else text


def count_tokens(tokenizer, text):
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def fit_to_budget(messages, tokenizer, max_tokens):
    """Keep the system prompt, drop the oldest user/assistant pairs, and as a last resort keep only the LAST
    words of the final user message, so that the prompt (with the generation prompt) has <= max_tokens tokens."""
    system = [dict(messages[0])] if messages and messages[0]["role"] == "system" else []
    turns = [dict(m) for m in messages[len(system):]]

    def fits(kept):
        return count_tokens(tokenizer, render_chat(system + kept, add_generation_prompt=True)) <= max_tokens

    while len(turns) > 1 and not fits(turns):
        turns = turns[2:]
    if fits(turns):
        return system + turns
    words = turns[-1]["content"].split()
    for keep in range(len(words) - 1, -1, -1):
        candidate = turns[:-1] + [{"role": "user", "content": " ".join(words[len(words) - keep:])}]
        if fits(candidate):
            return system + candidate
    raise ValueError(f"the system prompt alone does not fit in {max_tokens} tokens")


@torch.no_grad()
def generate_reply(model, tokenizer, messages, max_new_tokens=20):
    """Greedy reply to a conversation that ends with a user message: the new tokens only, up to <|end|>."""
    prompt = render_chat(messages, add_generation_prompt=True)
    ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    return tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True).strip()


class Chatbot:
    """Keeps the whole history; sends the model only what fits in the context budget."""

    def __init__(self, model, tokenizer, system_prompt, context_tokens=64, max_new_tokens=16):
        self.model, self.tokenizer = model, tokenizer
        self.context_tokens, self.max_new_tokens = context_tokens, max_new_tokens
        self.history = [{"role": "system", "content": system_prompt}]
        self.last_prompt = None

    def send(self, text):
        self.history.append({"role": "user", "content": text})
        window = fit_to_budget(self.history, self.tokenizer, self.context_tokens - self.max_new_tokens)
        self.last_prompt = render_chat(window, add_generation_prompt=True)
        reply = generate_reply(self.model, self.tokenizer, window, self.max_new_tokens)
        self.history.append({"role": "assistant", "content": reply})
        return reply
