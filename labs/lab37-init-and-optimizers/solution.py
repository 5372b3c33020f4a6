"""Lab 37 reference solution: weight initialisation (Xavier, Kaiming, GPT-2 scaled) and the SGD-with-momentum,
Adam and AdamW update rules written by hand, matching torch.nn.init and torch.optim."""
from __future__ import annotations

import math

import torch
from torch import nn

# ----------------------------------------------------------------- initialisation


def fan_in_and_fan_out(shape):
    """(fan_in, fan_out) of a weight of shape (out_features, in_features, *kernel)."""
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError("fan in and fan out need a weight with at least 2 dimensions")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations at unit variance through `nonlinearity` (torch's table)."""
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def xavier_uniform_(weight, gain=1.0):
    """Fill `weight` in place from U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); return it."""
    fan_in, fan_out = fan_in_and_fan_out(weight.shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return weight.uniform_(-bound, bound)


def kaiming_normal_(weight, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Fill `weight` in place from N(0, std^2), std = gain / sqrt(fan) with fan chosen by `mode`; return it."""
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(weight.shape)
    fan = fan_in if mode == "fan_in" else fan_out
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return weight.normal_(0.0, std)


def gpt2_init_(model, n_layer, std=0.02):
    """GPT-2 initialisation of `model` in place.

    Linear and Embedding weights ~ N(0, std^2), Linear biases 0, LayerNorm weight 1 and bias 0; then every
    residual output projection (a parameter whose name ends in "c_proj.weight") ~ N(0, (std / sqrt(2 n_layer))^2),
    because each of the 2 * n_layer residual branches adds its output to the same stream.
    """
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                module.weight.normal_(0.0, std)
            if isinstance(module, nn.Linear) and module.bias is not None:
                module.bias.zero_()
            if isinstance(module, nn.LayerNorm):
                module.weight.fill_(1.0)
                module.bias.zero_()
        residual_std = std / math.sqrt(2 * n_layer)
        for name, parameter in model.named_parameters():
            if name.endswith("c_proj.weight"):
                parameter.normal_(0.0, residual_std)


# ----------------------------------------------------------------- optimizers


class _HandWrittenOptimizer:
    """Keeps the parameter list and per-parameter state; subclasses write `_update`."""

    def __init__(self, params):
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list")
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is None:           # frozen or unused this step: no update, no state change
                continue
            state = self.state.setdefault(p, {"step": 0})
            state["step"] += 1
            self._update(p, p.grad, state)

    def _update(self, p, grad, state):
        raise NotImplementedError


class SGD(_HandWrittenOptimizer):
    """SGD with (optionally Nesterov) momentum and L2 weight decay, as torch.optim.SGD (dampening 0)."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay, self.nesterov = lr, momentum, weight_decay, nesterov

    def _update(self, p, grad, state):
        d_p = grad + self.weight_decay * p if self.weight_decay else grad
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = d_p.clone()
            else:
                state["momentum_buffer"].mul_(self.momentum).add_(d_p)
            buf = state["momentum_buffer"]
            d_p = d_p + self.momentum * buf if self.nesterov else buf
        p.add_(d_p, alpha=-self.lr)


class Adam(_HandWrittenOptimizer):
    """Adam with bias correction; weight_decay is L2 regularisation added to the gradient (coupled)."""

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay

    def _update(self, p, grad, state):
        beta1, beta2 = self.betas
        if self.decoupled:
            p.mul_(1 - self.lr * self.weight_decay)
        elif self.weight_decay:
            grad = grad + self.weight_decay * p
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(p)
            state["exp_avg_sq"] = torch.zeros_like(p)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m.mul_(beta1).add_(grad, alpha=1 - beta1)
        v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        t = state["step"]
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        p.add_(-self.lr * m_hat / (v_hat.sqrt() + self.eps))


class AdamW(Adam):
    """Adam with decoupled weight decay: theta <- theta * (1 - lr * wd) before the Adam step."""

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
