"""Lab 23: a language-model training loop. Submit this file as training_loop.py.

The model is given (TinyCausalLM in data/tiny_lm.py): model(input_ids, attention_mask) -> logits of shape
(batch, seq_len, vocab_size). You write everything around it. README.md gives every signature and the
settings the checks use.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from labkit.metrics import log_metrics

IGNORE_INDEX = -100


def collate(sequences: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad to the longest sequence (length L) and return, each of shape (batch, L - 1):
    input_ids (torch.long), labels (torch.long, the next token, -100 where it is padding) and
    attention_mask (torch.bool, True at real input tokens)."""
    raise NotImplementedError("TODO: collate")


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """logits (batch, T, V) float, labels (batch, T) long -> 0-dim tensor: mean cross-entropy over the
    positions whose label is not -100."""
    raise NotImplementedError("TODO: lm_loss")


def train_step(model, optimizer, batch: dict[str, torch.Tensor], max_grad_norm: float) -> float:
    """One optimizer step on one batch from collate; returns the loss as a Python float."""
    raise NotImplementedError("TODO: train_step")


def evaluate(model, sequences: list[list[int]], batch_size: int, pad_id: int) -> float:
    """The loss per token over all `sequences` (in batches of batch_size), without gradients and with
    dropout off; leaves the model in the mode it found it in."""
    raise NotImplementedError("TODO: evaluate")


def save_checkpoint(path, model, optimizer, step: int, generator: torch.Generator) -> None:
    """Create the directory `path` and write model.safetensors (the model's state_dict) plus whatever
    else resuming needs: the optimizer state, the step and the generator state."""
    raise NotImplementedError("TODO: save_checkpoint")


def load_checkpoint(path, model, optimizer, generator: torch.Generator) -> int:
    """Restore what save_checkpoint wrote into model, optimizer and generator; return the saved step."""
    raise NotImplementedError("TODO: load_checkpoint")


def fit(model, optimizer, train_seqs: list[list[int]], val_seqs: list[list[int]], *, steps: int, batch_size: int,
        pad_id: int, save_every: int, eval_every: int, max_grad_norm: float, generator: torch.Generator,
        run_dir, resume_from=None) -> list[float]:
    """Train until step `steps` (starting from the checkpoint `resume_from` if given, else from step 0):
    each step samples batch_size random sentences with the generator, collates them and calls
    train_step. Log each loss with log_metrics(step, loss=...), evaluate on val_seqs every eval_every
    steps (log_metrics(step, val_loss=...)), and save a checkpoint to run_dir / f"step_{step:05d}" every
    save_every steps and at the last step. Return the losses of the steps run in this call."""
    raise NotImplementedError("TODO: fit")
