"""Lab 23 reference solution: a language-model training loop with padded batches, a masked loss, an
evaluation loop and checkpoints that resume exactly."""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from labkit.metrics import log_metrics

IGNORE_INDEX = -100


def collate(sequences: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad to the longest sequence; inputs drop the last position, labels the first."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    real = torch.zeros(len(sequences), width, dtype=torch.bool)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = torch.tensor(seq, dtype=torch.long)
        real[row, :len(seq)] = True
    labels = ids[:, 1:].masked_fill(~real[:, 1:], IGNORE_INDEX)
    return {"input_ids": ids[:, :-1], "labels": labels, "attention_mask": real[:, :-1]}


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions whose label is not -100."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE_INDEX)


def train_step(model, optimizer, batch: dict[str, torch.Tensor], max_grad_norm: float) -> float:
    model.train()
    logits = model(batch["input_ids"], batch["attention_mask"])
    loss = lm_loss(logits, batch["labels"])
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    return float(loss.detach())


@torch.no_grad()
def evaluate(model, sequences: list[list[int]], batch_size: int, pad_id: int) -> float:
    """Mean loss per token over all sequences (not the mean of per-batch means)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(sequences), batch_size):
        batch = collate(sequences[start:start + batch_size], pad_id)
        logits = model(batch["input_ids"], batch["attention_mask"])
        labels = batch["labels"].reshape(-1)
        total += float(F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels, ignore_index=IGNORE_INDEX,
                                       reduction="sum"))
        count += int((labels != IGNORE_INDEX).sum())
    model.train(was_training)
    return total / count


def save_checkpoint(path, model, optimizer, step: int, generator: torch.Generator) -> None:
    """Weights as safetensors; optimizer state, step and sampler state in trainer_state.pt."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    save_file({name: t.detach().contiguous() for name, t in model.state_dict().items()}, path / "model.safetensors")
    torch.save({"optimizer": optimizer.state_dict(), "step": step, "generator": generator.get_state()},
               path / "trainer_state.pt")


def load_checkpoint(path, model, optimizer, generator: torch.Generator) -> int:
    path = Path(path)
    model.load_state_dict(load_file(path / "model.safetensors"))
    state = torch.load(path / "trainer_state.pt", weights_only=True)
    optimizer.load_state_dict(state["optimizer"])
    generator.set_state(state["generator"])
    return int(state["step"])


def fit(model, optimizer, train_seqs: list[list[int]], val_seqs: list[list[int]], *, steps: int, batch_size: int,
        pad_id: int, save_every: int, eval_every: int, max_grad_norm: float, generator: torch.Generator,
        run_dir, resume_from=None) -> list[float]:
    """Train until `steps`; return the losses of the steps taken in this call."""
    step = load_checkpoint(resume_from, model, optimizer, generator) if resume_from is not None else 0
    losses = []
    while step < steps:
        rows = torch.randint(len(train_seqs), (batch_size,), generator=generator).tolist()
        loss = train_step(model, optimizer, collate([train_seqs[i] for i in rows], pad_id), max_grad_norm)
        step += 1
        losses.append(loss)
        log_metrics(step, loss=loss)
        if step % eval_every == 0:
            log_metrics(step, val_loss=evaluate(model, val_seqs, 64, pad_id))
        if step % save_every == 0 or step == steps:
            save_checkpoint(Path(run_dir) / f"step_{step:05d}", model, optimizer, step, generator)
    return losses
