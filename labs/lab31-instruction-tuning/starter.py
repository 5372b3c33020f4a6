"""Lab 31: instruction tuning. Fill in every function; see README.md."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics

IGNORE_INDEX = -100


def render_chat(messages: list[dict[str, str]], add_generation_prompt: bool = False) -> str:
    """'<|role|> content <|end|>' for every message, joined by single spaces; then '<|assistant|>'
    when add_generation_prompt is True."""
    raise NotImplementedError


def tokenize_chat(messages: list[dict[str, str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    """(input_ids, labels): the ids of render_chat(messages).split(), and labels of the same length that keep
    only the assistant replies and their <|end|> (-100 everywhere else)."""
    raise NotImplementedError


def pack_examples(examples: list[tuple[list[int], list[int]]], block_size: int,
                  pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy packing of whole examples into (n_blocks, block_size) torch.long input_ids and labels."""
    raise NotImplementedError


def sft_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of logits[:, :-1] against labels[:, 1:], ignoring -100; a 0-dim tensor."""
    raise NotImplementedError


def instruction_tune(model, input_ids: torch.Tensor, labels: torch.Tensor, *, steps: int, batch_size: int,
                     lr: float, max_grad_norm: float, generator: torch.Generator, device: str = "cpu",
                     amp_dtype: torch.dtype | None = None) -> list[float]:
    """Fine-tune `model` in place; return the loss of every step (Python floats)."""
    raise NotImplementedError
