"""Lab 18 reference solution: LayerNorm and RMSNorm from scratch, and a small stability experiment."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def _moments(x):
    """Mean and variance over the last axis; the variance is biased (divide by d, not d - 1), as in torch."""
    mean = x.mean(dim=-1, keepdim=True)
    return mean, ((x - mean) ** 2).mean(dim=-1, keepdim=True)


def _std(var, eps):
    """eps goes inside the square root, added to the variance, as in torch."""
    return torch.sqrt(var + eps)


def _mean_square(x):
    return x.pow(2).mean(dim=-1, keepdim=True)


def _scale_shift(y, weight=None, bias=None):
    """The learned affine part (either may be None)."""
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def layer_norm(x, weight=None, bias=None, eps=1e-5):
    """Normalise over the last axis: (x - mean) / sqrt(var + eps) * weight + bias (biased variance)."""
    mean, var = _moments(x)
    return _scale_shift((x - mean) / _std(var, eps), weight, bias)


def rms_norm(x, weight=None, eps=1e-6):
    """x / sqrt(mean(x^2) + eps) * weight over the last axis: no centring, no bias."""
    return _scale_shift(x * torch.rsqrt(_mean_square(x) + eps), weight)


class LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        return layer_norm(x, self.weight, self.bias, self.eps)


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return rms_norm(x, self.weight, self.eps)


def make_norm(kind, d):
    if kind == "layernorm":
        return LayerNorm(d)
    if kind == "rmsnorm":
        return RMSNorm(d)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}")


class ResidualBlock(nn.Module):
    """Pre-norm residual MLP block: x + fc2(relu(fc1(norm(x))))."""

    def __init__(self, d_model, norm):
        super().__init__()
        self.norm = make_norm(norm, d_model)
        self.fc1 = nn.Linear(d_model, 2 * d_model)
        self.fc2 = nn.Linear(2 * d_model, d_model)

    def forward(self, x):
        return x + self.fc2(torch.relu(self.fc1(self.norm(x))))


class ResidualMLP(nn.Module):
    def __init__(self, d_in, d_model, depth, n_classes, norm):
        super().__init__()
        self.inp = nn.Linear(d_in, d_model)
        self.blocks = nn.ModuleList(ResidualBlock(d_model, norm) for _ in range(depth))
        self.final_norm = make_norm(norm, d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, x):
        x = self.inp(x)
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))


def _sgd_step(optimizer, loss):
    """One update: clear the previous step's gradients, backpropagate this loss, step."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def train_classifier(model, x, y, steps, lr, batch_size):
    """SGD with momentum 0.9 on random mini-batches; returns the training loss of every step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    model.train()
    for _ in range(steps):
        idx = torch.randint(0, x.shape[0], (batch_size,))
        loss = F.cross_entropy(model(x[idx]), y[idx])
        _sgd_step(optimizer, loss)
        losses.append(loss.item())
    return losses
