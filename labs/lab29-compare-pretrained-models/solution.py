"""Lab 29 reference solution: fine-tune two differently pre-trained backbones on the same task under one
protocol (same data, budget and seeds) and compare them with confidence intervals over seeds."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from labkit.metrics import log_metrics


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, kind: str) -> torch.Tensor:
    """One vector per text: the [CLS] position for an encoder, the last real token for a decoder."""
    if kind == "encoder":
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)          # padding gets weight 0
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1)
    if kind == "decoder":
        last = attention_mask.sum(dim=1) - 1                 # right padding: the last 1 in each row
        return hidden[torch.arange(hidden.size(0)), last]
    raise ValueError(f"kind must be 'encoder' or 'decoder', got {kind!r}")


class Classifier(nn.Module):
    """A pre-trained backbone with a linear classification head on its pooled output."""

    def __init__(self, backbone: nn.Module, kind: str, num_labels: int) -> None:
        super().__init__()
        self.backbone, self.kind = backbone, kind
        self.head = nn.Linear(backbone.d_model, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.backbone(input_ids, attention_mask)
        return self.head(pool(hidden, attention_mask, self.kind))


def fine_tune(classifier: Classifier, tokenizer, texts: list[str], labels: list[int], *, steps: int, lr: float,
              batch_size: int, seed: int) -> list[float]:
    """AdamW on every weight for `steps` mini-batches drawn from one seeded index stream."""
    optimizer = torch.optim.AdamW(classifier.parameters(), lr=lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)
    targets = torch.tensor(labels)
    order = torch.empty(0, dtype=torch.long)
    classifier.train()
    losses = []
    for step in range(steps):
        if len(order) < batch_size:
            order = torch.cat([order, torch.randperm(len(texts), generator=generator)])
        batch, order = order[:batch_size], order[batch_size:]
        encoded = tokenizer([texts[i] for i in batch], classifier.kind)
        loss = F.cross_entropy(classifier(encoded["input_ids"], encoded["attention_mask"]), targets[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step, loss=loss.item())
    classifier.eval()
    return losses


@torch.no_grad()
def predict(classifier: Classifier, tokenizer, texts: list[str], batch_size: int = 64) -> list[int]:
    classifier.eval()
    out = []
    for start in range(0, len(texts), batch_size):
        encoded = tokenizer(texts[start:start + batch_size], classifier.kind)
        out += classifier(encoded["input_ids"], encoded["attention_mask"]).argmax(dim=-1).tolist()
    return out


def confidence_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Student's t interval for the mean of a few runs (sample std, n - 1 dof)."""
    n = len(values)
    mean = sum(values) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * std / math.sqrt(n)
    return mean, mean - half, mean + half


def paired_difference(a: list[float], b: list[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """The t interval of the mean of a[i] - b[i]: runs paired by seed share data order and head init."""
    return confidence_interval([x - y for x, y in zip(a, b)], confidence)


def accuracy(predictions: list[int], labels: list[int]) -> float:
    return sum(int(p == y) for p, y in zip(predictions, labels)) / len(labels)


def compare_models(load_backbone, names: list[str], tokenizer, train_texts, train_labels, val_texts, val_labels,
                   test_texts, *, seeds: list[int], steps: int, lr: float, batch_size: int,
                   confidence: float = 0.95) -> dict:
    """Fine-tune a fresh copy of every backbone once per seed under the same budget; report per model the
    validation and test predictions, validation accuracies and their CI, and the paired difference."""
    report = {}
    for name in names:
        runs = {"val_predictions": [], "test_predictions": [], "val_accuracy": []}
        for seed in seeds:
            backbone = load_backbone(name)                     # fresh pre-trained weights for every run
            torch.manual_seed(seed)                            # the head's initialisation: same seed, same head
            classifier = Classifier(backbone, backbone.kind, num_labels=2)
            fine_tune(classifier, tokenizer, train_texts, train_labels, steps=steps, lr=lr, batch_size=batch_size,
                      seed=seed)
            val_predictions = predict(classifier, tokenizer, val_texts)
            runs["val_predictions"].append(val_predictions)
            runs["test_predictions"].append(predict(classifier, tokenizer, test_texts))
            runs["val_accuracy"].append(accuracy(val_predictions, val_labels))
        runs["val_ci"] = list(confidence_interval(runs["val_accuracy"], confidence))
        report[name] = runs
    first, second = names
    report["val_difference_ci"] = list(paired_difference(report[first]["val_accuracy"],
                                                         report[second]["val_accuracy"], confidence))
    return report
