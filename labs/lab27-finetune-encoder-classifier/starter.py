"""Lab 27: fine-tune a pre-trained encoder for text classification. Fill in every function; see README.md."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics


def mean_pool(hidden_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over the real tokens: (batch, T, H) float, (batch, T) 0/1 -> (batch, H)."""
    raise NotImplementedError


class EncoderClassifier(nn.Module):
    """self.encoder (the given pre-trained BertModel), self.dropout, self.head = nn.Linear(hidden_size, num_labels)."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1):
        super().__init__()
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(batch, T) long ids and mask -> (batch, num_labels) logits."""
        raise NotImplementedError


def set_encoder_trainable(model: EncoderClassifier, trainable: bool) -> None:
    """requires_grad_(trainable) on every encoder parameter; the head stays trainable."""
    raise NotImplementedError


def fine_tune(model: EncoderClassifier, tokenizer, texts: list[str], labels: list[int], *, steps: int,
              freeze_steps: int, batch_size: int, head_lr: float, encoder_lr: float, max_length: int,
              generator: torch.Generator, device: str = "cpu", amp_dtype: torch.dtype | None = None) -> list[float]:
    """Train in place: encoder frozen for the first freeze_steps steps, then trained at encoder_lr.
    Return the loss of every step (Python floats)."""
    raise NotImplementedError


@torch.no_grad()
def predict(model: EncoderClassifier, tokenizer, texts: list[str], *, batch_size: int, max_length: int,
            device: str = "cpu") -> list[int]:
    """The predicted class id (argmax of the logits) of every text, as Python ints."""
    raise NotImplementedError
