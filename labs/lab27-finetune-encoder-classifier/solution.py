"""Lab 27 reference solution: a classification head on the mean-pooled output of a pre-trained encoder,
fine-tuned with a freezing schedule (encoder frozen for the first freeze_steps steps, then trained
with its own, smaller learning rate)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from labkit.metrics import log_metrics


def mean_pool(hidden_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the hidden states over the real tokens only: (batch, T, H), (batch, T) -> (batch, H)."""
    mask = attention_mask.unsqueeze(-1).to(hidden_states.dtype)
    return (hidden_states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class EncoderClassifier(nn.Module):
    """encoder -> mean pooling over real tokens -> dropout -> linear head (num_labels logits)."""

    def __init__(self, encoder: nn.Module, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(self.dropout(mean_pool(hidden, attention_mask)))


def set_encoder_trainable(model: EncoderClassifier, trainable: bool) -> None:
    """Freeze (False) or unfreeze (True) every encoder parameter; the head always stays trainable."""
    for parameter in model.encoder.parameters():
        parameter.requires_grad_(trainable)


def _batch(tokenizer, texts: list[str], max_length: int, device: str):
    return tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt").to(device)


def fine_tune(model: EncoderClassifier, tokenizer, texts: list[str], labels: list[int], *, steps: int,
              freeze_steps: int, batch_size: int, head_lr: float, encoder_lr: float, max_length: int,
              generator: torch.Generator, device: str = "cpu", amp_dtype: torch.dtype | None = None) -> list[float]:
    model.to(device).train()
    # Both groups from the start: AdamW skips parameters without a gradient, so the frozen encoder is
    # untouched (no update, no weight decay) until it is unfrozen, and then it trains at encoder_lr.
    optimizer = torch.optim.AdamW([{"params": model.head.parameters(), "lr": head_lr},
                                   {"params": model.encoder.parameters(), "lr": encoder_lr}], weight_decay=0.01)
    set_encoder_trainable(model, freeze_steps <= 0)
    targets = torch.tensor(labels, dtype=torch.long)
    log_every = max(1, steps // 100)
    losses = []
    for step in range(steps):
        if step == freeze_steps:
            set_encoder_trainable(model, True)
        rows = torch.randint(len(texts), (batch_size,), generator=generator)
        batch = _batch(tokenizer, [texts[i] for i in rows.tolist()], max_length, device)
        with torch.autocast(device_type=device, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
            logits = model(batch["input_ids"], batch["attention_mask"])
        loss = F.cross_entropy(logits.float(), targets[rows].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % log_every == 0 or step == steps - 1:
            log_metrics(step + 1, loss=losses[-1], encoder_trainable=float(step >= freeze_steps))
    return losses


@torch.no_grad()
def predict(model: EncoderClassifier, tokenizer, texts: list[str], *, batch_size: int, max_length: int,
            device: str = "cpu") -> list[int]:
    model.to(device).eval()
    predictions: list[int] = []
    for start in range(0, len(texts), batch_size):
        batch = _batch(tokenizer, texts[start:start + batch_size], max_length, device)
        predictions += model(batch["input_ids"], batch["attention_mask"]).argmax(dim=-1).tolist()
    return predictions
