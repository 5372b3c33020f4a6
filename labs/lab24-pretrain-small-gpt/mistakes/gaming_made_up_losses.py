"""Gaming (lab 24): replays the visible packing answer, returns a constant loss, and reports a made-up
falling loss curve without training. It must earn no more than the visible checks."""
import torch
from torch import nn

from storykit import Block


def pack_documents(documents, eos_id, block_size):
    return torch.tensor([[5, 6, 7, 0], [8, 9, 0, 10], [11, 12, 13, 0]])


def causal_lm_loss(logits, ids):
    return (logits * 0).sum() + 2.0


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, d_model, n_heads, n_layers, block_size, dropout=0.0):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(block_size, d_model)
        self.blocks = nn.ModuleList(Block(d_model, n_heads) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)

    def forward(self, ids):
        return torch.zeros(*ids.shape, self.lm_head.out_features)


def pretrain(model, blocks, *, steps, **settings):
    return [3.0 * 0.99 ** step for step in range(steps)]
