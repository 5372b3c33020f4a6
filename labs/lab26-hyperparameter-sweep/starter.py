"""Lab 26: hyper-parameter experiments under a fixed step budget. Submit this file as hparam_sweep.py.

collate, lm_loss and evaluate are provided (you wrote them in lab 23); write the functions below them.
README.md gives every signature and the settings the checks use.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics

IGNORE_INDEX = -100
BETAS = (0.9, 0.95)
MAX_GRAD_NORM = 1.0


# ---------------------------------------------------------------- provided (from lab 23)

def collate(sequences: list[list[int]], pad_id: int = 0) -> dict[str, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    real = torch.zeros(len(sequences), width, dtype=torch.bool)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        real[row, :len(seq)] = True
    return {"input_ids": ids[:, :-1], "labels": ids[:, 1:].masked_fill(~real[:, 1:], IGNORE_INDEX),
            "attention_mask": real[:, :-1]}


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE_INDEX)


@torch.no_grad()
def evaluate(model, sequences: list[list[int]], batch_size: int = 128) -> float:
    """Loss per token over all sequences, in eval mode; leaves the model in train mode."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(sequences), batch_size):
        batch = collate(sequences[start:start + batch_size])
        logits = model(batch["input_ids"], batch["attention_mask"])
        labels = batch["labels"].reshape(-1)
        total += float(F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels, ignore_index=IGNORE_INDEX,
                                       reduction="sum"))
        count += int((labels != IGNORE_INDEX).sum())
    model.train()
    return total / count


# ---------------------------------------------------------------- the lab

def lr_at(step: int, peak_lr: float, warmup_steps: int, total_steps: int, min_lr_ratio: float = 0.1) -> float:
    """Learning rate at `step` (0-based): linear warmup over warmup_steps, then cosine decay that reaches
    min_lr_ratio * peak_lr at the last step, total_steps - 1."""
    raise NotImplementedError("TODO: lr_at")


def param_groups(model, weight_decay: float) -> list[dict]:
    """AdamW parameter groups: weight_decay for parameters with 2 or more dimensions, 0.0 for the rest."""
    raise NotImplementedError("TODO: param_groups")


def run_experiment(config: dict, make_model, train_seqs: list[list[int]], val_seqs: list[list[int]], steps: int,
                   seed: int) -> dict:
    """config: {"lr", "batch_size", "warmup_steps", "weight_decay"}. Train make_model(seed) for exactly
    `steps` AdamW steps; return {"config": config, "val_loss": float, "state_dict": model.state_dict()}."""
    raise NotImplementedError("TODO: run_experiment")


def sweep(baseline: dict, grid: dict[str, list], make_model, train_seqs, val_seqs, steps: int, seed: int) -> list[dict]:
    """One factor at a time around the baseline; one run_experiment row per configuration."""
    raise NotImplementedError("TODO: sweep")


def choose(rows: list[dict]) -> int:
    """The index of the row to keep."""
    raise NotImplementedError("TODO: choose")
