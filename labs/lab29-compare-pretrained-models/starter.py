"""Lab 29: compare two differently pre-trained models fine-tuned for the same task, fairly.

Fill in every function marked TODO and submit this file as compare_models.py. The grader gives you two
tiny pre-trained backbones (an encoder and a decoder, see the README) through load_backbone(name), a
tokenizer, and the review data. Test labels never reach your code: the grader scores your predictions.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from labkit.metrics import log_metrics


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, kind: str) -> torch.Tensor:
    """One vector per text from hidden states (batch, seq, d_model) and a right-padded attention_mask
    (batch, seq) of 1 (real token) / 0 (padding).

    kind "encoder": the mean of the hidden states over the REAL tokens of each row.
    kind "decoder": the hidden state of the LAST real token of each row.
    Returns (batch, d_model), same dtype as hidden. Any other kind: ValueError.
    """
    raise NotImplementedError("pool")


class Classifier(nn.Module):
    """backbone (its .kind is 'encoder' or 'decoder', its .d_model the hidden size) + a linear head.

    Keep these attribute names: self.backbone, self.kind, self.head = nn.Linear(backbone.d_model, num_labels).
    forward(input_ids, attention_mask) -> logits (batch, num_labels): backbone -> pool -> head.
    """

    def __init__(self, backbone: nn.Module, kind: str, num_labels: int) -> None:
        super().__init__()
        raise NotImplementedError("Classifier.__init__")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("Classifier.forward")


def fine_tune(classifier: Classifier, tokenizer, texts: list[str], labels: list[int], *, steps: int, lr: float,
              batch_size: int, seed: int) -> list[float]:
    """Fine-tune EVERY weight for `steps` steps; return the loss of each step (floats).

    Optimizer: torch.optim.AdamW(classifier.parameters(), lr=lr, weight_decay=0.01).
    Batches: g = torch.Generator().manual_seed(seed); the index stream is randperm(len(texts), generator=g)
             followed by another randperm when it runs out; each step takes the next batch_size indices.
    Encoding: tokenizer(list_of_texts, classifier.kind) -> {"input_ids", "attention_mask"}.
    Loss: F.cross_entropy(logits, labels of the batch). Train mode while training, eval mode at the end.
    """
    raise NotImplementedError("fine_tune")


@torch.no_grad()
def predict(classifier: Classifier, tokenizer, texts: list[str], batch_size: int = 64) -> list[int]:
    """The argmax label (0 or 1) for every text, in order, in eval mode."""
    raise NotImplementedError("predict")


def confidence_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student's t interval of the mean of a few runs.

    half-width = t.ppf((1 + confidence) / 2, n - 1) * s / sqrt(n), s the SAMPLE standard deviation (n - 1).
    """
    raise NotImplementedError("confidence_interval")


def paired_difference(a: list[float], b: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """The t interval of the mean of the paired differences a[i] - b[i] (runs paired by seed)."""
    raise NotImplementedError("paired_difference")


def compare_models(load_backbone, names: list[str], tokenizer, train_texts, train_labels, val_texts, val_labels,
                   test_texts, *, seeds: list[int], steps: int, lr: float, batch_size: int,
                   confidence: float = 0.95) -> dict:
    """Fine-tune every model once per seed under the same budget and report.

    For each name and each seed: backbone = load_backbone(name) (a FRESH pre-trained copy),
    torch.manual_seed(seed), classifier = Classifier(backbone, backbone.kind, num_labels=2),
    fine_tune(..., steps=steps, lr=lr, batch_size=batch_size, seed=seed), then predict val and test.
    Returns {name: {"val_predictions": [list per seed], "test_predictions": [list per seed],
                    "val_accuracy": [float per seed], "val_ci": [mean, low, high]},
             "val_difference_ci": [mean, low, high]}   # paired: names[0] minus names[1], seed by seed
    """
    raise NotImplementedError("compare_models")
