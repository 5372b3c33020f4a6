"""The lab's tiny pre-trained language model, its word-level vocabulary and the chat special tokens
(public; shared by the harness inside the sandbox and the checks outside it).

The base model (base.safetensors, written by make_data.py) was pre-trained on plain sentences about a
small world of animals ("the owl lives in the barn . the owl eats seeds ."). It has never seen a chat
template: the special tokens below exist in its vocabulary but never occurred in its training text."""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

PAD, EOS = "<pad>", "<eos>"
SPECIALS = [PAD, EOS, "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]
ANIMALS = ("fox owl bear frog duck goat mouse horse rabbit wolf deer swan crow seal crab moth "
           "lynx mole newt wasp toad hare lark bison").split()
PLACES = "forest river barn hill lake field cave meadow".split()
FOODS = "berries seeds grass fish worms nuts apples honey".split()
COLOURS = "red brown grey white black green yellow blue".split()
WORDS = ("the . , ? : a and is lives in eats what where does do colour live eat tell me about you are "
         "helpful assistant answer briefly please friendly short saw near with it likes also").split()
CONFIG = dict(d_model=48, n_heads=4, n_layers=2, max_len=64)
WEIGHTS_FILE = "base.safetensors"


def vocabulary() -> list[str]:
    return SPECIALS + sorted(set(ANIMALS + PLACES + FOODS + COLOURS + WORDS))


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln_1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln_2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln_1(x)).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(attended.transpose(1, 2).reshape(b, t, d))
        return x + self.mlp(self.ln_2(x))


class TinyChatLM(nn.Module):
    """A 2-layer causal transformer LM, head tied to the token embedding.
    forward(ids (batch, T) long, T <= max_len) -> logits (batch, T, vocab_size)."""

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, n_layers: int, max_len: int):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(max_len, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)  # small: the tied head starts near uniform

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T


def build_model() -> TinyChatLM:
    torch.manual_seed(0)
    return TinyChatLM(len(vocabulary()), **CONFIG)


def load_base(data_dir: Path) -> TinyChatLM:
    """The pre-trained base model (float32, train mode off)."""
    from safetensors.torch import load_file

    model = build_model()
    model.load_state_dict(load_file(str(Path(data_dir) / WEIGHTS_FILE)))
    return model.eval()
