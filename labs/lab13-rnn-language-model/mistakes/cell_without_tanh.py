"""Common mistake: the RNN cell has no tanh."""
import math

import torch
import torch.nn.functional as F
from torch import nn


def encode(text: str, vocab: list[str]) -> torch.Tensor:
    index = {ch: i for i, ch in enumerate(vocab)}
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def make_batches(ids: torch.Tensor, seq_len: int, batch_size: int, generator: torch.Generator):
    starts = torch.randint(0, len(ids) - seq_len, (batch_size,), generator=generator)
    offsets = torch.arange(seq_len)
    inputs = ids[starts[:, None] + offsets]
    targets = ids[starts[:, None] + offsets + 1]
    return inputs, targets


class RNNCell(nn.Module):
    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        bound = 1.0 / math.sqrt(hidden_size)
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size).uniform_(-bound, bound))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return x @ self.weight_ih.T + self.bias_ih + h @ self.weight_hh.T + self.bias_hh


class CharRNN(nn.Module):
    def __init__(self, vocab_size: int, emb_dim: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.embed = nn.Embedding(vocab_size, emb_dim)
        self.cell = RNNCell(emb_dim, hidden_size)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids: torch.Tensor, h: torch.Tensor | None = None):
        batch, steps = ids.shape
        if h is None:
            h = torch.zeros(batch, self.hidden_size)
        x = self.embed(ids)
        outputs = []
        for t in range(steps):
            h = self.cell(x[:, t], h)
            outputs.append(h)
        return self.head(torch.stack(outputs, dim=1)), h


def train_lm(model, ids: torch.Tensor, steps: int, seq_len: int, batch_size: int, lr: float,
             generator: torch.Generator) -> list[float]:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        inputs, targets = make_batches(ids, seq_len, batch_size, generator)
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def next_char_logprobs(model, ids: torch.Tensor, chunk: int = 256) -> torch.Tensor:
    rows, h = [], None
    for start in range(0, len(ids) - 1, chunk):
        piece = ids[start:min(start + chunk, len(ids) - 1)]
        logits, h = model(piece[None, :], h)
        rows.append(F.log_softmax(logits[0], dim=-1))
    return torch.cat(rows)
