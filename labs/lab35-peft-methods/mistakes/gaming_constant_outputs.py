"""Gaming (lab 35): hard-codes the budget numbers of the visible model, returns its inputs unchanged and
trains nothing. It must earn no more than the visible checks."""
import torch
from torch import nn

VISIBLE = {"lora": 768, "adapter": 1428, "prefix": 512}
VISIBLE_MATCH = {"lora_r": 4, "adapter_bottleneck": 3, "prefix_length": 8}


class BottleneckAdapter(nn.Module):
    def __init__(self, d_model, bottleneck):
        super().__init__()
        self.down = nn.Linear(d_model, bottleneck)
        self.up = nn.Linear(bottleneck, d_model)

    def forward(self, h):
        return h


class PrefixAttention(nn.Module):
    def __init__(self, attn, n_prefix):
        super().__init__()
        self.attn = attn
        d_model = attn.q_proj.in_features
        self.prefix_k = nn.Parameter(torch.zeros(n_prefix, d_model))
        self.prefix_v = nn.Parameter(torch.zeros(n_prefix, d_model))

    def forward(self, x):
        return self.attn(x)


def add_lora(model, r, alpha):
    return model


def add_adapters(model, bottleneck):
    return model


def add_prefix(model, n_prefix):
    return model


def count_trainable_parameters(model):
    return 0


def lora_params(config, r):
    return VISIBLE["lora"]


def adapter_params(config, bottleneck):
    return VISIBLE["adapter"]


def prefix_params(config, n_prefix):
    return VISIBLE["prefix"]


def match_budget(config, budget):
    return dict(VISIBLE_MATCH)


def fine_tune(model, data, steps, lr, batch_size, generator):
    return [0.0] * steps
