"""The lab's tiny "pre-trained" language model and its two text domains (read-only, public).

Shared by the harness (inside the sandbox), the checks (outside it) and make_data.py, so all three build
exactly the same model. The architecture's size comes from the lab's configuration (lab.yaml `configs`):
the CPU size is a 2-layer d_model=32 model, the GPU size a 4-layer d_model=128 one. Their pre-trained
weights (base_cpu.safetensors, base_gpu.safetensors) come from make_data.py (pre-training on the general
domain); fine-tuning moves the model to a seeded "house style" domain."""
from __future__ import annotations

import random
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

ADJS = "old young small big red brown happy lazy quick tired".split()
NOUNS = "dog cat fox bird horse goat mouse owl bear frog duck rabbit".split()
VERBS = "finds loses sees takes keeps hides drops carries wants likes".split()
OBJS = "ball box stick apple hat key shoe book cup bell".split()
VOCAB = ["<bos>", "the", "."] + ADJS + NOUNS + VERBS + OBJS
TOKEN_ID = {word: i for i, word in enumerate(VOCAB)}
SEQ_LEN = 8  # "<bos> the ADJ NOUN VERB the OBJ ."
MAX_LEN = 16
ARCHITECTURE_KEYS = ("d_model", "n_heads", "d_ff", "n_layers")


class Attention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.o_proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, d_model = x.shape
        heads = [p(x).view(batch, seq, self.n_heads, -1).transpose(1, 2)
                 for p in (self.q_proj, self.k_proj, self.v_proj)]
        out = F.scaled_dot_product_attention(*heads, is_causal=True)
        return self.o_proj(out.transpose(1, 2).reshape(batch, seq, d_model))


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = Attention(d_model, n_heads)
        self.ln2 = nn.LayerNorm(d_model)
        self.up_proj = nn.Linear(d_model, d_ff)
        self.down_proj = nn.Linear(d_ff, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.down_proj(F.gelu(self.up_proj(self.ln2(x))))


class TinyLM(nn.Module):
    """A causal transformer LM with the embedding tied to the output layer."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, n_layers: int):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), d_model)
        self.pos = nn.Embedding(MAX_LEN, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.embed.weight.T


def architecture(config: dict) -> dict:
    return {key: int(config[key]) for key in ARCHITECTURE_KEYS}


def build_model(config: dict) -> TinyLM:
    torch.manual_seed(0)
    return TinyLM(**architecture(config))


def load_base(data_dir: Path, config: dict) -> TinyLM:
    """The pre-trained base model of this size (config["base"] names its weights file), in eval mode."""
    from safetensors.torch import load_file

    model = build_model(config)
    model.load_state_dict(load_file(str(Path(data_dir) / config["base"])))
    return model.eval()


def lm_loss(model: nn.Module, ids: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy of a batch of (n, SEQ_LEN) sentences."""
    logits = model(ids[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1))


def encode(sentences: list[list[str]]) -> torch.Tensor:
    return torch.tensor([[TOKEN_ID[w] for w in s] for s in sentences], dtype=torch.long)


def general_sentence(r: random.Random) -> list[str]:
    """Pre-training domain: every slot is chosen independently."""
    return ["<bos>", "the", r.choice(ADJS), r.choice(NOUNS), r.choice(VERBS), "the", r.choice(OBJS), "."]


class HouseStyle:
    """Fine-tuning domain: in this seed's "house style" every animal has its own verb and object
    (the dog always carries the bell, ...). A quarter of the adjective/animal pairs never appear in
    the training sentences; the grader measures the loss on sentences made from those."""

    def __init__(self, seed: int):
        r = random.Random(f"house-style:{seed}")
        self.verb = {noun: r.choice(VERBS) for noun in NOUNS}
        self.obj = {noun: r.choice(OBJS) for noun in NOUNS}
        pairs = [(a, n) for a in ADJS for n in NOUNS]
        r.shuffle(pairs)
        cut = len(pairs) * 3 // 4
        self.train_pairs, self.heldout_pairs = pairs[:cut], pairs[cut:]

    def sentence(self, adj: str, noun: str) -> list[str]:
        return ["<bos>", "the", adj, noun, self.verb[noun], "the", self.obj[noun], "."]

    def train_ids(self, n: int, seed: int) -> torch.Tensor:
        r = random.Random(f"house-train:{seed}")
        return encode([self.sentence(*r.choice(self.train_pairs)) for _ in range(n)])

    def heldout_ids(self) -> torch.Tensor:
        return encode([self.sentence(a, n) for a, n in self.heldout_pairs])


def general_ids(n: int, seed: int) -> torch.Tensor:
    r = random.Random(f"general:{seed}")
    return encode([general_sentence(r) for _ in range(n)])
