"""The model and the text of lab 26 (the same as lab 23), shared by the harness (inside the sandbox) and the checks (outside).

TinyCausalLM is a one-block GPT: token + position embeddings, causal self-attention that also hides
padded keys, an MLP, and a linear head over the vocabulary. The corpus is English-like sentences from
a small random grammar; each seed picks its own lexicon and word frequencies, so hidden checks train
on text the reference never saw in that exact form."""
from __future__ import annotations

import random

import torch
import torch.nn.functional as F
from torch import nn

PAD, BOS, EOS = 0, 1, 2
MODEL_CONFIG = {"d_model": 32, "n_heads": 2, "n_layers": 1, "max_len": 24}

DETS = ["the", "a", "every", "one", "this", "that"]
NOUNS = ["cat", "dog", "bird", "fox", "horse", "child", "teacher", "robot", "farmer", "sailor", "mouse", "owl",
         "baker", "pilot", "goat", "student", "king", "queen", "wolf", "rabbit"]
ADJS = ["small", "old", "happy", "green", "quiet", "brave", "tired", "clever", "young", "red"]
VERBS_T = ["saw", "chased", "found", "helped", "followed", "heard", "liked", "met", "painted", "fed"]
VERBS_I = ["slept", "sang", "laughed", "waited", "jumped", "smiled", "ran", "danced"]
PREPS = ["on", "near", "under", "behind", "with", "beside"]
PLACES = ["mat", "hill", "bridge", "table", "river", "road", "roof", "tree", "boat", "wall"]


def vocabulary() -> list[str]:
    words = sorted(set(DETS + NOUNS + ADJS + VERBS_T + VERBS_I + PREPS + PLACES + ["."]))
    return ["<pad>", "<bos>", "<eos>"] + words


def grammar(seed: int) -> dict[str, list[str]]:
    """The lexicon of one seed: which words each slot uses, most frequent first."""
    rng = random.Random(f"grammar:{seed}")
    return {"d": rng.sample(DETS, 4), "n": rng.sample(NOUNS, 12), "a": rng.sample(ADJS, 6),
            "t": rng.sample(VERBS_T, 6), "i": rng.sample(VERBS_I, 5), "p": rng.sample(PREPS, 4),
            "l": rng.sample(PLACES, 6)}


def sentences(seed: int, stream: str, n: int) -> list[list[str]]:
    lexicon, rng = grammar(seed), random.Random(f"{stream}:{seed}")

    def pick(slot: str) -> str:
        words = lexicon[slot]
        return rng.choices(words, weights=[1 / (k + 1) ** 0.8 for k in range(len(words))])[0]

    def noun_phrase() -> list[str]:
        return [pick("d")] + ([pick("a")] if rng.random() < 0.35 else []) + [pick("n")]

    out = []
    for _ in range(n):
        words = noun_phrase()
        words += [pick("t")] + noun_phrase() if rng.random() < 0.6 else [pick("i")]
        if rng.random() < 0.4:
            words += [pick("p"), "the", pick("l")]
        out.append(words + ["."])
    return out


def encode(words: list[str], vocab: list[str]) -> list[int]:
    """<bos> word ids <eos>: every sequence starts and ends with a marker."""
    index = {w: i for i, w in enumerate(vocab)}
    return [BOS] + [index[w] for w in words] + [EOS]


def token_ids(seed: int, stream: str, n: int) -> list[list[int]]:
    vocab = vocabulary()
    return [encode(s, vocab) for s in sentences(seed, stream, n)]


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        x = x + self.dropout(self.proj(attended.transpose(1, 2).reshape(b, t, d)))
        return x + self.dropout(self.mlp(self.ln2(x)))


class TinyCausalLM(nn.Module):
    """forward(input_ids (B, T) long, attention_mask (B, T) bool, True = real token) -> logits (B, T, V)."""

    def __init__(self, vocab_size: int, d_model: int = 32, n_heads: int = 2, n_layers: int = 1,
                 max_len: int = 24, dropout: float = 0.0):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads, dropout) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        b, t = input_ids.shape
        allowed = torch.ones(t, t, dtype=torch.bool, device=input_ids.device).tril()[None, None]
        if attention_mask is not None:
            # A query may attend to itself even when it is padding, so no row of the mask is all False.
            allowed = allowed & (attention_mask.bool()[:, None, None, :] | torch.eye(t, dtype=torch.bool))
        x = self.tok(input_ids) + self.pos(torch.arange(t, device=input_ids.device))
        for block in self.blocks:
            x = block(x, allowed)
        return self.head(self.ln_f(x))


def build_model(seed: int, dropout: float = 0.0) -> TinyCausalLM:
    """The lab's model with the initial weights of `seed`."""
    torch.manual_seed(seed)
    return TinyCausalLM(len(vocabulary()), dropout=dropout, **MODEL_CONFIG)
