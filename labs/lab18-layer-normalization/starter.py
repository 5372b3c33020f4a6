"""Lab 18: LayerNorm and RMSNorm from scratch, and what they do for training. Submit as norms.py.

Do not call torch.nn.functional.layer_norm / rms_norm or nn.LayerNorm / nn.RMSNorm in your norms:
write the arithmetic yourself (mean, variance, sqrt).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def layer_norm(x, weight=None, bias=None, eps=1e-5):
    """Normalise x over its LAST axis, like torch.nn.functional.layer_norm(x, (d,), weight, bias, eps).

    x: (..., d) float tensor; weight, bias: (d,) tensors or None.
    y = (x - mean) / sqrt(var + eps) * weight + bias, var = mean((x - mean)^2) (biased, divide by d).
    Returns a tensor with the shape and dtype of x.
    """
    raise NotImplementedError("layer_norm")


def rms_norm(x, weight=None, eps=1e-6):
    """RMSNorm over the last axis, like torch.nn.functional.rms_norm(x, (d,), weight, eps).

    y = x / sqrt(mean(x^2) + eps) * weight. No mean subtraction and no bias.
    """
    raise NotImplementedError("rms_norm")


class LayerNorm(nn.Module):
    """Parameters: weight = nn.Parameter(torch.ones(d)), bias = nn.Parameter(torch.zeros(d))."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        raise NotImplementedError("LayerNorm.__init__")

    def forward(self, x):
        raise NotImplementedError("LayerNorm.forward")


class RMSNorm(nn.Module):
    """Parameter: weight = nn.Parameter(torch.ones(d)) (no bias)."""

    def __init__(self, d, eps=1e-6):
        super().__init__()
        raise NotImplementedError("RMSNorm.__init__")

    def forward(self, x):
        raise NotImplementedError("RMSNorm.forward")


# ----------------------------------------------------------------------------- the experiment

def make_norm(kind, d):
    """"layernorm" -> LayerNorm(d), "rmsnorm" -> RMSNorm(d), "none" -> nn.Identity(); ValueError otherwise."""
    raise NotImplementedError("make_norm")


class ResidualBlock(nn.Module):
    """Pre-norm residual block: forward(x) = x + fc2(relu(fc1(norm(x)))).

    Attributes (create them in this order): norm = make_norm(norm, d_model),
    fc1 = nn.Linear(d_model, 2 * d_model), fc2 = nn.Linear(2 * d_model, d_model).
    """

    def __init__(self, d_model, norm):
        super().__init__()
        raise NotImplementedError("ResidualBlock.__init__")

    def forward(self, x):
        raise NotImplementedError("ResidualBlock.forward")


class ResidualMLP(nn.Module):
    """inp = nn.Linear(d_in, d_model); blocks = nn.ModuleList of `depth` ResidualBlock(d_model, norm);
    final_norm = make_norm(norm, d_model); head = nn.Linear(d_model, n_classes).
    forward(x (batch, d_in)) -> logits (batch, n_classes) = head(final_norm(blocks(inp(x)))).
    Keep PyTorch's default initialisation.
    """

    def __init__(self, d_in, d_model, depth, n_classes, norm):
        super().__init__()
        raise NotImplementedError("ResidualMLP.__init__")

    def forward(self, x):
        raise NotImplementedError("ResidualMLP.forward")


def train_classifier(model, x, y, steps, lr, batch_size):
    """Train with torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9) and cross-entropy.

    Each step: idx = torch.randint(0, len(x), (batch_size,)), loss on x[idx], y[idx], then
    zero_grad / backward / step. Return the list of the `steps` loss values (Python floats; keep going
    even if a loss is nan or inf).
    """
    raise NotImplementedError("train_classifier")
