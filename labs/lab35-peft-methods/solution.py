"""Lab 35 reference solution: bottleneck adapters and prefix tuning next to LoRA, at equal budgets."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics

ADAPTER_TARGETS = ("o_proj", "down_proj")   # after the attention and after the MLP of every block (Houlsby)
LORA_TARGETS = ("q_proj", "v_proj")


# ------------------------------------------------------------------ LoRA (from lab 33)

class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r: int, alpha: float):
        super().__init__()
        self.base = base
        self.scaling = alpha / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + self.scaling * (x @ self.lora_A.T @ self.lora_B.T)


# ------------------------------------------------------------------ bottleneck adapters

class BottleneckAdapter(nn.Module):
    """h + up(relu(down(h))): identity at the start because `up` is zero."""

    def __init__(self, d_model: int, bottleneck: int):
        super().__init__()
        self.down = nn.Linear(d_model, bottleneck)
        self.up = nn.Linear(bottleneck, d_model)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.up(F.relu(self.down(h)))


class AdaptedLinear(nn.Module):
    """A frozen sub-layer output projection followed, in series, by an adapter."""

    def __init__(self, base: nn.Linear, bottleneck: int):
        super().__init__()
        self.base = base
        self.adapter = BottleneckAdapter(base.out_features, bottleneck)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.adapter(self.base(x))


# ------------------------------------------------------------------ prefix tuning

class PrefixAttention(nn.Module):
    """Causal self-attention whose keys and values start with n_prefix trainable vectors that every
    query may attend to."""

    def __init__(self, attn: nn.Module, n_prefix: int):
        super().__init__()
        self.attn = attn
        d_model = attn.q_proj.in_features
        self.prefix_k = nn.Parameter(torch.randn(n_prefix, d_model) * 0.5)
        self.prefix_v = nn.Parameter(torch.randn(n_prefix, d_model) * 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, d_model = x.shape
        n_heads, n_prefix = self.attn.n_heads, self.prefix_k.shape[0]
        q = self.attn.q_proj(x)
        k = torch.cat([self.prefix_k.expand(batch, -1, -1), self.attn.k_proj(x)], dim=1)
        v = torch.cat([self.prefix_v.expand(batch, -1, -1), self.attn.v_proj(x)], dim=1)
        q, k, v = (t.view(batch, t.shape[1], n_heads, -1).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])       # (batch, heads, seq, n_prefix + seq)
        query = torch.arange(seq).unsqueeze(1)
        key = torch.arange(n_prefix + seq).unsqueeze(0) - n_prefix     # prefix slots get negative positions
        scores = scores.masked_fill(key > query, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.attn.o_proj(out.transpose(1, 2).reshape(batch, seq, d_model))


# ------------------------------------------------------------------ wrapping a model

def freeze(model: nn.Module) -> None:
    for parameter in model.parameters():
        parameter.requires_grad_(False)


def _replace(model: nn.Module, wanted, wrap) -> nn.Module:
    targets = [(name, module) for name, module in model.named_modules() if wanted(name, module)]
    for name, module in targets:
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name) if parent_name else model, child, wrap(module))
    return model


def _is_linear(targets):
    return lambda name, module: isinstance(module, nn.Linear) and name.split(".")[-1] in targets


def add_lora(model: nn.Module, r: int, alpha: float) -> nn.Module:
    freeze(model)
    return _replace(model, _is_linear(LORA_TARGETS), lambda m: LoRALinear(m, r, alpha))


def add_adapters(model: nn.Module, bottleneck: int) -> nn.Module:
    freeze(model)
    return _replace(model, _is_linear(ADAPTER_TARGETS), lambda m: AdaptedLinear(m, bottleneck))


def add_prefix(model: nn.Module, n_prefix: int) -> nn.Module:
    freeze(model)
    return _replace(model, lambda name, module: name.split(".")[-1] == "attn",
                    lambda m: PrefixAttention(m, n_prefix))


def count_trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ------------------------------------------------------------------ equal budgets

def lora_params(config: dict, r: int) -> int:
    return config["n_layers"] * len(LORA_TARGETS) * r * (2 * config["d_model"])


def adapter_params(config: dict, bottleneck: int) -> int:
    d, m = config["d_model"], bottleneck
    return config["n_layers"] * len(ADAPTER_TARGETS) * (d * m + m + m * d + d)


def prefix_params(config: dict, n_prefix: int) -> int:
    return config["n_layers"] * 2 * n_prefix * config["d_model"]


def match_budget(config: dict, budget: int) -> dict[str, int]:
    """The largest r, bottleneck and prefix length whose trainable count fits in the budget."""
    def largest(count) -> int:
        size = 0
        while count(config, size + 1) <= budget:
            size += 1
        return size

    return {"lora_r": largest(lora_params), "adapter_bottleneck": largest(adapter_params),
            "prefix_length": largest(prefix_params)}


# ------------------------------------------------------------------ training

def fine_tune(model: nn.Module, data: torch.Tensor, steps: int, lr: float, batch_size: int,
              generator: torch.Generator) -> list[float]:
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    model.train()
    losses = []
    for step in range(steps):
        batch = data[torch.randint(0, data.shape[0], (batch_size,), generator=generator)]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step, loss=loss.item())
    return losses
