"""The lab's text corpus, vocabulary and transformer block (public; shared by the harness inside the
sandbox and the checks outside it).

The corpus is short stories written by a small grammar (our own text, no download): each story follows
one character through a few sentences, so a model that reads the context predicts the repeated
names better than one that only knows word frequencies. `corpus.txt` holds the training stories, one
per paragraph (documents separated by a blank line); held-out stories never enter the sandbox."""
from __future__ import annotations

import random
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

EOS = "<eos>"
UNK = "<unk>"

ADJS = "old young small big red brown happy lazy quick tired brave quiet".split()
ANIMALS = "fox dog cat bird horse goat mouse owl bear frog duck rabbit".split()
PLACES = "river hill garden forest barn field lake road bridge market".split()
THINGS = "apple ball box stick hat key shoe book cup bell coin map".split()
FRIENDS = "farmer baker sailor teacher child king queen pilot".split()
TIMES = "morning evening night day".split()
FUNCTION_WORDS = (". the a to and near in lived walked ran found lost gave took saw met every one "
                  "then was it with home went back next under slept ate had friend said hello helped "
                  "that at").split()


def vocabulary() -> list[str]:
    words = sorted(set(ADJS + ANIMALS + PLACES + THINGS + FRIENDS + TIMES + FUNCTION_WORDS))
    return [EOS, UNK] + words


def story(r: random.Random) -> str:
    """One document: a character (adjective + animal) with a home place, a found thing and a friend."""
    adj, animal, place = r.choice(ADJS), r.choice(ANIMALS), r.choice(PLACES)
    thing, friend, time = r.choice(THINGS), r.choice(FRIENDS), r.choice(TIMES)
    other = r.choice([p for p in PLACES if p != place])
    sentences = [f"the {adj} {animal} lived near the {place} ."]
    middle = [
        f"every {time} the {animal} walked to the {other} .",
        f"one {time} the {animal} found a {thing} under the {other} .",
        f"the {animal} met the {friend} at the {other} .",
        f"the {friend} said hello to the {adj} {animal} .",
        f"the {animal} gave the {thing} to the {friend} .",
        f"then the {animal} ran back to the {place} .",
        f"the {friend} helped the {animal} with the {thing} .",
        f"the {animal} lost the {thing} near the {other} .",
    ]
    chosen = sorted(r.sample(range(len(middle)), r.randint(2, 4)))
    sentences += [middle[i] for i in chosen]
    sentences.append(r.choice([f"at {r.choice(TIMES)} the {animal} slept in the {place} .",
                               f"then the {animal} went home to the {place} .",
                               f"the {animal} ate the {thing} and slept ."]))
    return " ".join(sentences)


def stories(seed: str, n: int) -> list[str]:
    r = random.Random(seed)
    return [story(r) for _ in range(n)]


def read_documents(path: Path) -> list[str]:
    """Documents of a corpus file: paragraphs separated by blank lines."""
    text = Path(path).read_text(encoding="utf-8")
    return [" ".join(block.split()) for block in text.split("\n\n") if block.strip()]


def encode(document: str, vocab: list[str]) -> list[int]:
    index = {word: i for i, word in enumerate(vocab)}
    return [index.get(word, index[UNK]) for word in document.split()]


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads, self.dropout = n_heads, dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                             dropout_p=self.dropout if self.training else 0.0)
        return self.proj(out.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    """A pre-LayerNorm GPT block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). Attention is causal."""

    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads, dropout)
        self.ln_2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.attn(self.ln_1(x)))
        return x + self.drop(self.mlp(self.ln_2(x)))
