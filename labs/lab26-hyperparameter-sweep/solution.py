"""Lab 26 reference solution: a controlled hyper-parameter sweep under a fixed step budget."""
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
    """Linear warmup to peak_lr over warmup_steps, then cosine decay to min_lr_ratio * peak_lr at the end."""
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - 1 - warmup_steps)
    floor = min_lr_ratio * peak_lr
    return floor + 0.5 * (peak_lr - floor) * (1 + math.cos(math.pi * min(1.0, progress)))


def param_groups(model, weight_decay: float) -> list[dict]:
    """Weight decay on matrices (embeddings and linear weights); none on biases and LayerNorm."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def run_experiment(config: dict, make_model, train_seqs: list[list[int]], val_seqs: list[list[int]], steps: int,
                   seed: int) -> dict:
    """Train make_model(seed) for exactly `steps` optimizer steps with `config`; measure validation loss."""
    model = make_model(seed)
    optimizer = torch.optim.AdamW(param_groups(model, config["weight_decay"]), lr=config["lr"], betas=BETAS)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, config["lr"], config["warmup_steps"], steps)
        rows = torch.randint(len(train_seqs), (config["batch_size"],), generator=generator).tolist()
        batch = collate([train_seqs[i] for i in rows])
        loss = lm_loss(model(batch["input_ids"], batch["attention_mask"]), batch["labels"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        optimizer.step()
        log_metrics(step, loss=float(loss.detach()))
    return {"config": dict(config), "val_loss": evaluate(model, val_seqs), "state_dict": model.state_dict()}


def sweep(baseline: dict, grid: dict[str, list], make_model, train_seqs, val_seqs, steps: int, seed: int) -> list[dict]:
    """One factor at a time: the baseline, then each value of each hyper-parameter with the others at
    their baseline values; every run from the same seed (same initial weights, same batches)."""
    configs = [dict(baseline)]
    for name, values in grid.items():
        configs += [{**baseline, name: value} for value in values if value != baseline[name]]
    return [run_experiment(config, make_model, train_seqs, val_seqs, steps, seed) for config in configs]


def choose(rows: list[dict]) -> int:
    """The row with the lowest validation loss."""
    return min(range(len(rows)), key=lambda i: rows[i]["val_loss"])
