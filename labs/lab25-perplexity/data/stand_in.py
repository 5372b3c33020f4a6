"""The "pre-trained" model of lab 25 and its text, shared by the harness (inside the sandbox), the checks
(outside) and build_stand_in.py (which trained the weights in data/stand_in.safetensors).

The text is documents of English-like sentences; every document keeps to one topic (kitchen, space,
sport, garden), so a model that sees more of the document predicts its nouns and verbs better. The
tokenizer splits on spaces: one token per word or full stop, `<bos>` first."""
from __future__ import annotations

import json
import random
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS = 0, 1
TOPICS = {
    "kitchen": {"nouns": ["chef", "soup", "bread", "knife", "oven", "pan", "cook"],
                "verbs": ["cooks", "bakes", "cuts", "tastes", "stirs"], "adjs": ["hot", "fresh", "salty"]},
    "space": {"nouns": ["astronaut", "rocket", "planet", "star", "moon", "comet", "pilot"],
              "verbs": ["launches", "orbits", "explores", "lands", "circles"], "adjs": ["bright", "distant", "cold"]},
    "sport": {"nouns": ["player", "ball", "goal", "team", "coach", "match", "runner"],
              "verbs": ["kicks", "throws", "scores", "trains", "passes"], "adjs": ["fast", "strong", "tired"]},
    "garden": {"nouns": ["gardener", "flower", "seed", "tree", "soil", "rose", "bee"],
               "verbs": ["plants", "waters", "grows", "picks", "prunes"], "adjs": ["green", "tall", "wet"]},
}
FUNCTION_WORDS = ["the", "a", "with", "near", "in", "and", "."]
MODEL_CONFIG = {"d_model": 48, "n_heads": 4, "n_layers": 2, "max_len": 32}


def vocabulary() -> list[str]:
    content = sorted({w for topic in TOPICS.values() for words in topic.values() for w in words})
    return ["<pad>", "<bos>"] + FUNCTION_WORDS + content


def document(rng: random.Random, n_sentences: int) -> str:
    topic = TOPICS[rng.choice(sorted(TOPICS))]

    def noun_phrase() -> list[str]:
        words = [rng.choice(["the", "a"])]
        if rng.random() < 0.4:
            words.append(rng.choice(topic["adjs"]))
        return words + [rng.choice(topic["nouns"])]

    sentences = []
    for _ in range(n_sentences):
        words = noun_phrase() + [rng.choice(topic["verbs"])] + noun_phrase()
        if rng.random() < 0.3:
            words += [rng.choice(["with", "near", "in", "and"])] + noun_phrase()
        sentences.append(" ".join(words + ["."]))
    return " ".join(sentences)


def encode(text: str) -> list[int]:
    """`<bos>` followed by one id per space-separated word."""
    index = {w: i for i, w in enumerate(vocabulary())}
    return [BOS] + [index[w] for w in text.split(" ")]


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        x = x + self.proj(attended.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln2(x))


class TinyCausalLM(nn.Module):
    """forward(input_ids (B, T) long, attention_mask (B, T) bool or None) -> logits (B, T, V); T <= max_len."""

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int, max_len: int):
        super().__init__()
        self.max_len = max_len
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        b, t = input_ids.shape
        if t > self.max_len:
            raise ValueError(f"the model reads at most {self.max_len} tokens at once, got a window of {t}")
        allowed = torch.ones(t, t, dtype=torch.bool).tril()[None, None]
        if attention_mask is not None:
            allowed = allowed & (attention_mask.bool()[:, None, None, :] | torch.eye(t, dtype=torch.bool))
        x = self.tok(input_ids) + self.pos(torch.arange(t))
        for block in self.blocks:
            x = block(x, allowed)
        return self.head(self.ln_f(x))


def new_model() -> TinyCausalLM:
    return TinyCausalLM(len(vocabulary()), **MODEL_CONFIG)


WEIGHTS = "stand_in.safetensors"


def load_stand_in(data_dir: Path) -> TinyCausalLM:
    """The pre-trained stand-in in eval mode, float32 (stored as float16 to keep the repository small)."""
    from safetensors.torch import load_file

    model = new_model()
    model.load_state_dict({k: v.float() for k, v in load_file(Path(data_dir) / WEIGHTS).items()})
    return model.eval()


def describe() -> str:
    return json.dumps({"vocab_size": len(vocabulary()), **MODEL_CONFIG})
