"""The lab's models and data (read-only, public; shared by the harness inside the sandbox and the checks
outside it). The text is a token stream from a seeded Markov chain in which each token has a few likely
successors; a model predicts the next token from the previous `context` tokens. The teacher and the
student are the same kind of network (`TinyLM`), the teacher wider. Sizes come from lab.yaml `configs`."""
from __future__ import annotations

import bisect

import torch
from torch import nn


class TinyLM(nn.Module):
    """Embed the context, one hidden layer with LayerNorm and GELU, logits over the vocabulary."""

    def __init__(self, vocab: int, context: int, d_embed: int, d_hidden: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_embed)
        self.hidden = nn.Linear(context * d_embed, d_hidden)
        self.norm = nn.LayerNorm(d_hidden)
        self.act = nn.GELU()
        self.out = nn.Linear(d_hidden, vocab)

    def forward(self, contexts: torch.Tensor) -> torch.Tensor:      # (batch, context) long -> (batch, vocab)
        return self.out(self.act(self.norm(self.hidden(self.embed(contexts).flatten(1)))))


def build_teacher(config: dict, seed: int) -> TinyLM:
    torch.manual_seed(seed * 2 + 1)
    return TinyLM(config["vocab"], config["context"], config["teacher_embed"], config["teacher_hidden"])


def build_student(config: dict, seed: int) -> TinyLM:
    torch.manual_seed(seed * 2)
    return TinyLM(config["vocab"], config["context"], config["student_embed"], config["student_hidden"])


def transition_matrix(seed: int, vocab: int) -> torch.Tensor:
    """Row i: the distribution of the token after token i (peaked on a few successors)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.softmax(torch.randn(vocab, vocab, generator=gen, dtype=torch.float64) * 3.0, dim=1)


def examples(seed: int, stream_seed: int, config: dict, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(contexts (n, context) long, next tokens (n,) long) from one stream of the seed's chain."""
    cdf = transition_matrix(seed, config["vocab"]).cumsum(1).tolist()
    context = config["context"]
    uniforms = torch.rand(n + context, generator=torch.Generator().manual_seed(stream_seed),
                          dtype=torch.float64).tolist()
    tokens = [int(uniforms[0] * config["vocab"])]
    for u in uniforms[1:]:
        tokens.append(min(bisect.bisect_left(cdf[tokens[-1]], u), config["vocab"] - 1))
    stream = torch.tensor(tokens)
    return stream.unfold(0, context, 1)[:n].clone(), stream[context:context + n].clone()


def train_hard(model: nn.Module, contexts: torch.Tensor, targets: torch.Tensor, *, steps: int, batch_size: int,
               lr: float, generator: torch.Generator) -> nn.Module:
    """Plain next-token training on the labels (cross-entropy, AdamW): how the teacher is trained, and the
    baseline student "without a teacher"."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    for _ in range(steps):
        rows = torch.randint(len(targets), (batch_size,), generator=generator).to(targets.device)
        loss = nn.functional.cross_entropy(model(contexts[rows]), targets[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model.eval()


def mean_loss(model: nn.Module, contexts: torch.Tensor, targets: torch.Tensor) -> float:
    with torch.no_grad():
        return float(nn.functional.cross_entropy(model(contexts).float(), targets))
