"""The lab's model and data (read-only, public; shared by the harness inside the sandbox and the checks
outside it). A task is a seeded random "rule" network that labels 16-dimensional inputs with one of 4
classes; the model is a small MLP classifier (`fc1` -> ReLU -> `fc2` -> ReLU -> `out`) trained on it.
Two tasks of the same seed share most of their rule (task "B" is task "A" with the rule perturbed), which
is the setting movement pruning is made for: adapting a trained model to a related task."""
from __future__ import annotations

import torch
from torch import nn

D_IN, N_CLASSES = 16, 4
PRUNABLE = ("fc1.weight", "fc2.weight", "out.weight")


class MLP(nn.Module):
    def __init__(self, d_in: int = D_IN, hidden: int = 64, n_classes: int = N_CLASSES):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:          # (batch, 16) float32 -> (batch, 4) logits
        return self.out(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def build_model(config: dict, seed: int) -> MLP:
    torch.manual_seed(seed)
    return MLP(D_IN, config["hidden"], N_CLASSES)


def _rule(seed: int, task: str):
    gen = torch.Generator().manual_seed(seed * 10 + 1)
    w1, b1 = torch.randn(8, D_IN, generator=gen) * 0.5, torch.randn(8, generator=gen) * 0.5
    w2 = torch.randn(N_CLASSES, 8, generator=gen)
    if task == "B":
        gen_b = torch.Generator().manual_seed(seed * 10 + 2)
        w2 = w2 + 0.8 * torch.randn(N_CLASSES, 8, generator=gen_b)
    return w1, b1, w2


def labels_for(seed: int, task: str, x: torch.Tensor) -> torch.Tensor:
    w1, b1, w2 = _rule(seed, task)
    return (torch.tanh(x @ w1.T + b1) @ w2.T).argmax(1)


def inputs(stream_seed: int, n: int) -> torch.Tensor:
    return torch.randn(n, D_IN, generator=torch.Generator().manual_seed(stream_seed))


def train_dense(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, steps: int, batch_size: int, lr: float,
                generator: torch.Generator) -> nn.Module:
    """Plain dense training (cross-entropy, AdamW): how the harness trains the model you will prune."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    model.train()
    for _ in range(steps):
        rows = torch.randint(len(y), (batch_size,), generator=generator)
        loss = nn.functional.cross_entropy(model(x[rows]), y[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model.eval()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())
