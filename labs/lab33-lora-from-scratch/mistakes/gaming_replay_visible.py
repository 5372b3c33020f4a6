"""Gaming (lab 33): replays what the visible checks show (the example layer's output and the visible
trainable count) and trains nothing. It must earn no more than the visible checks."""
import torch
from torch import nn

VISIBLE_COUNT = 512  # shown as "expected" next to the visible check
VISIBLE_OUTPUT = [[0.265246, 0.261402, 0.177432], [-0.010343, 2.478564, -0.778883]]  # copied from the feedback


class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha, dropout=0.0):
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.zeros(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        self.scaling = 1.0
        self.merged = False

    def forward(self, x):
        if tuple(x.shape) == (2, 4):  # the visible example
            return torch.tensor(VISIBLE_OUTPUT)
        return self.base(x)

    def merge(self):
        pass

    def unmerge(self):
        pass


def apply_lora(model, target_modules, r, alpha, dropout=0.0):
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.Linear) and name.split(".")[-1] in target_modules:
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, LoRALinear(module, r, alpha))
    return model


def count_trainable_parameters(model):
    return VISIBLE_COUNT


def lora_state_dict(model):
    return {}


def fine_tune(model, data, steps, lr, batch_size, generator):
    return [1.0] * steps
