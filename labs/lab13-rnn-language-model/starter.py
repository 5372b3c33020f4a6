"""Lab 13: a character-level RNN language model. Submit this file as rnn_lm.py.

Write the RNN cell yourself (no nn.RNN / nn.RNNCell inside RNNCell); CharRNN may use your cell.
README.md gives every shape and the training recipe the checks use.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn


def encode(text: str, vocab: list[str]) -> torch.Tensor:
    """Provided: characters -> torch.long ids (index in vocab)."""
    index = {ch: i for i, ch in enumerate(vocab)}
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def make_batches(ids: torch.Tensor, seq_len: int, batch_size: int, generator: torch.Generator):
    """Random windows: inputs (batch_size, seq_len) and targets (batch_size, seq_len) shifted by one."""
    raise NotImplementedError("TODO: make_batches")


class RNNCell(nn.Module):
    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        # TODO: parameters weight_ih (hidden, input), weight_hh (hidden, hidden), bias_ih (hidden,), bias_hh (hidden,)
        raise NotImplementedError("TODO: RNNCell.__init__")

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """x (batch, input), h (batch, hidden) -> new h (batch, hidden)."""
        raise NotImplementedError("TODO: RNNCell.forward")


class CharRNN(nn.Module):
    def __init__(self, vocab_size: int, emb_dim: int, hidden_size: int):
        super().__init__()
        # TODO: an nn.Embedding, your RNNCell and an nn.Linear head (hidden -> vocab)
        raise NotImplementedError("TODO: CharRNN.__init__")

    def forward(self, ids: torch.Tensor, h: torch.Tensor | None = None):
        """ids (batch, seq_len) -> (logits (batch, seq_len, vocab), last hidden state (batch, hidden))."""
        raise NotImplementedError("TODO: CharRNN.forward")


def train_lm(model, ids: torch.Tensor, steps: int, seq_len: int, batch_size: int, lr: float,
             generator: torch.Generator) -> list[float]:
    """`steps` Adam steps on teacher-forced cross-entropy; return the loss of every step."""
    raise NotImplementedError("TODO: train_lm")


@torch.no_grad()
def next_char_logprobs(model, ids: torch.Tensor) -> torch.Tensor:
    """(len(ids) - 1, vocab): row t = log P(next character | ids[0..t])."""
    raise NotImplementedError("TODO: next_char_logprobs")


if __name__ == "__main__":
    train = open("data/train.txt", encoding="utf-8").read().strip("\n")
    heldout = open("data/heldout.txt", encoding="utf-8").read().strip("\n")
    vocab = sorted(set(train))  # the grader builds the vocabulary from the training text too
    torch.manual_seed(0)
    model = CharRNN(len(vocab), 16, 64)
    losses = train_lm(model, encode(train, vocab), 150, 32, 32, 0.02, torch.Generator().manual_seed(0))
    print(f"training loss {losses[0]:.3f} -> {losses[-1]:.3f}")
    held = encode(heldout, vocab)
    logp = next_char_logprobs(model, held)
    print("held-out perplexity:", math.exp(-logp[torch.arange(len(held) - 1), held[1:]].mean().item()))
