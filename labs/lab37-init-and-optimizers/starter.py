"""Lab 37: initialisation and optimizers, written by hand.

Fill in every TODO. Submit this file as init_optim.py.
torch.nn.init's initialisers (xavier_*, kaiming_*, calculate_gain) and torch.optim's ready-made optimizers are
switched off while your code runs: write them yourself with tensor operations (uniform_, normal_, add_, mul_, sqrt).
(Subclassing the torch.optim.Optimizer base class is allowed, the plain classes below are enough.)
"""
from __future__ import annotations

import math

import torch
from torch import nn

# ----------------------------------------------------------------- initialisation


def fan_in_and_fan_out(shape):
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, *kernel).

    fan_in = in_features * receptive field, fan_out = out_features * receptive field, where the receptive field
    is the product of the kernel sizes shape[2:] (1 for a plain matrix). Returns a tuple of two ints.
    """
    raise NotImplementedError("fan_in_and_fan_out")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for `nonlinearity`: 'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu' (param = negative
    slope, default 0.01) or 'selu'. Returns a float (torch.nn.init.calculate_gain's table)."""
    raise NotImplementedError("calculate_gain")


def xavier_uniform_(weight, gain=1.0):
    """Fill `weight` IN PLACE from U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), and return `weight`."""
    # TODO: compute the bound; then, under torch.no_grad() (weight is an nn.Parameter), weight.uniform_(-a, a)
    raise NotImplementedError("xavier_uniform_")


def kaiming_normal_(weight, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Fill `weight` IN PLACE from N(0, std^2), std = calculate_gain(nonlinearity, a) / sqrt(fan), where fan is
    fan_in for mode='fan_in' (keeps the forward pass's variance) and fan_out for mode='fan_out' (the backward
    pass's). Return `weight`."""
    raise NotImplementedError("kaiming_normal_")


def gpt2_init_(model, n_layer, std=0.02):
    """GPT-2 initialisation of every parameter of `model`, in place; returns None.

    - nn.Linear and nn.Embedding weights ~ N(0, std^2); nn.Linear biases = 0
    - nn.LayerNorm weight = 1, bias = 0
    - then every parameter whose name ends in "c_proj.weight" (the output projections of attention and MLP,
      which add into the residual stream) ~ N(0, (std / sqrt(2 * n_layer))^2)
    """
    raise NotImplementedError("gpt2_init_")


# ----------------------------------------------------------------- optimizers
#
# Each optimizer takes a list of parameters (tensors with requires_grad=True, any shape and float dtype) and
# keeps per-parameter state. step() updates every parameter whose .grad is not None, in place and under
# torch.no_grad(); a parameter whose .grad is None is skipped entirely (no decay, no state change).
# zero_grad() sets every p.grad to None. Compare your results with torch.optim locally.


class SGD:
    """SGD with momentum (dampening 0), optional Nesterov, and L2 weight decay (added to the gradient)."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        self.params = list(params)
        self.lr, self.momentum, self.weight_decay, self.nesterov = lr, momentum, weight_decay, nesterov
        self.state = {}          # parameter -> {"momentum_buffer": tensor}

    def zero_grad(self):
        raise NotImplementedError("SGD.zero_grad")

    @torch.no_grad()
    def step(self):
        # TODO: g = p.grad + weight_decay * p; buf = g on the first step, then buf = momentum * buf + g;
        #       direction = g + momentum * buf (Nesterov) or buf; p -= lr * direction
        raise NotImplementedError("SGD.step")


class Adam:
    """Adam with bias correction; weight_decay is L2 regularisation (wd * p added to the gradient)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay
        self.state = {}          # parameter -> {"step": int, "exp_avg": tensor, "exp_avg_sq": tensor}

    def zero_grad(self):
        raise NotImplementedError("Adam.zero_grad")

    @torch.no_grad()
    def step(self):
        # TODO: per parameter with a gradient: t += 1; m, v moving averages of g and g^2;
        #       p -= lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)
        raise NotImplementedError("Adam.step")


class AdamW:
    """Adam with DECOUPLED weight decay: p *= 1 - lr * weight_decay, then the plain Adam step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay
        self.state = {}

    def zero_grad(self):
        raise NotImplementedError("AdamW.zero_grad")

    @torch.no_grad()
    def step(self):
        raise NotImplementedError("AdamW.step")
