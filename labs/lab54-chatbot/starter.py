"""Lab 54: the conversation logic of a chatbot. Submit this file as chatbot.py.

The grader gives you a tiny pre-trained chat model (a GPT-2 stand-in, loaded with AutoModelForCausalLM) and
its word-level tokenizer (one token per space-separated word; special tokens <|system|> <|user|>
<|assistant|> <|end|>, and <|end|> is the eos token). Nothing is downloaded. tokenizer.apply_chat_template
is switched off while grading: you write the template yourself.
"""
from __future__ import annotations

import torch

ROLES = ("system", "user", "assistant")


def render_chat(messages, add_generation_prompt=False):
    """messages: list of {"role": str, "content": str}. Return the prompt str.

    Each message becomes '<|role|> content <|end|>'; messages are joined by ONE space; with
    add_generation_prompt=True append ' <|assistant|>'. Raise ValueError for an invalid conversation: no
    messages, a role outside ROLES, a system message anywhere but first, or user/assistant turns that do not
    alternate starting with user.
    """
    raise NotImplementedError("render_chat")


def count_tokens(tokenizer, text):
    """Number of token ids of text (tokenizer(text, add_special_tokens=False))."""
    raise NotImplementedError("count_tokens")


def fit_to_budget(messages, tokenizer, max_tokens):
    """Return a NEW list of messages whose rendered prompt, WITH the generation prompt, has <= max_tokens tokens.

    messages: an optional system message, then user/assistant turns, ending with a user message.
    1. Always keep the system message.
    2. While the prompt is too long and more than the last user message is left, drop the oldest
       user message together with the assistant reply after it.
    3. If the system message + last user message still do not fit, keep only the LAST k words of that user
       message (content.split()), for the largest k that fits (k may be 0: content "").
    4. If even that does not fit, raise ValueError.
    Do not modify the list you are given.
    """
    raise NotImplementedError("fit_to_budget")


@torch.no_grad()
def generate_reply(model, tokenizer, messages, max_new_tokens=16):
    """Greedy reply (str) to messages (ending with a user message): render with the generation prompt, encode
    without special tokens, model.generate(..., do_sample=False, max_new_tokens=..., eos_token_id=<|end|>'s id,
    pad_token_id=...), decode ONLY the new tokens with skip_special_tokens=True, strip."""
    raise NotImplementedError("generate_reply")


class Chatbot:
    """A chat session. history keeps the WHOLE conversation (starting with the system message); each turn
    the model sees only fit_to_budget(history, tokenizer, context_tokens - max_new_tokens), so that the prompt
    plus the reply fit in the model's context of context_tokens tokens."""

    def __init__(self, model, tokenizer, system_prompt, context_tokens=64, max_new_tokens=16):
        self.model, self.tokenizer = model, tokenizer
        self.context_tokens, self.max_new_tokens = context_tokens, max_new_tokens
        self.history = [{"role": "system", "content": system_prompt}]
        self.last_prompt = None      # the rendered prompt of the last turn (str)

    def send(self, text):
        """Add the user message, fit the history to the budget, set last_prompt, generate the reply, add it to
        the history and return it."""
        raise NotImplementedError("Chatbot.send")
