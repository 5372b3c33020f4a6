"""Lab 31 reference solution: a chat template, tokenisation with the loss masked to the assistant's
replies, greedy packing of whole examples into fixed blocks, the masked next-token loss and a
supervised fine-tuning loop (bf16 autocast on a GPU)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from labkit.metrics import log_metrics

IGNORE_INDEX = -100
ROLES = ("system", "user", "assistant")
END = "<|end|>"


def _header(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: a message's role is one of {ROLES}")
    return f"<|{role}|>"


def render_chat(messages: list[dict[str, str]], add_generation_prompt: bool = False) -> str:
    """'<|role|> content <|end|>' for every message, space-separated; '<|assistant|>' appended to ask for a reply."""
    parts = []
    for message in messages:
        parts += [_header(message["role"]), message["content"], END]
    if add_generation_prompt:
        parts.append(_header("assistant"))
    return " ".join(parts)


def tokenize_chat(messages: list[dict[str, str]], vocab: dict[str, int]) -> tuple[list[int], list[int]]:
    """Token ids of render_chat(messages) and labels aligned with them: the ids of every assistant reply
    and of the <|end|> that closes it; -100 for headers, system and user messages."""
    ids: list[int] = []
    labels: list[int] = []
    for message in messages:
        header = [vocab[_header(message["role"])]]
        body = [vocab[word] for word in message["content"].split()] + [vocab[END]]
        ids += header + body
        trained = message["role"] == "assistant"
        labels += [IGNORE_INDEX] + (body if trained else [IGNORE_INDEX] * len(body))
    return ids, labels


def pack_examples(examples: list[tuple[list[int], list[int]]], block_size: int,
                  pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Greedy packing of whole examples, in order: an example that does not fit in the current block starts
    the next one; examples longer than block_size are truncated; blocks are padded (pad_id, -100)."""
    blocks: list[tuple[list[int], list[int]]] = []
    ids: list[int] = []
    labels: list[int] = []
    for example_ids, example_labels in examples:
        example_ids, example_labels = example_ids[:block_size], example_labels[:block_size]
        if ids and len(ids) + len(example_ids) > block_size:
            blocks.append((ids, labels))
            ids, labels = [], []
        ids, labels = ids + example_ids, labels + example_labels
    if ids:
        blocks.append((ids, labels))
    padded_ids = [b_ids + [pad_id] * (block_size - len(b_ids)) for b_ids, _ in blocks]
    padded_labels = [b_labels + [IGNORE_INDEX] * (block_size - len(b_labels)) for _, b_labels in blocks]
    return torch.tensor(padded_ids, dtype=torch.long), torch.tensor(padded_labels, dtype=torch.long)


def sft_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of logits[:, t] against labels[:, t + 1] over the positions that are not -100."""
    vocab_size = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, vocab_size).float(), labels[:, 1:].reshape(-1),
                           ignore_index=IGNORE_INDEX)


def instruction_tune(model, input_ids: torch.Tensor, labels: torch.Tensor, *, steps: int, batch_size: int,
                     lr: float, max_grad_norm: float, generator: torch.Generator, device: str = "cpu",
                     amp_dtype: torch.dtype | None = None) -> list[float]:
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    log_every = max(1, steps // 100)
    losses = []
    for step in range(steps):
        rows = torch.randint(len(input_ids), (batch_size,), generator=generator)
        batch_ids, batch_labels = input_ids[rows].to(device), labels[rows].to(device)
        with torch.autocast(device_type=device, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
            logits = model(batch_ids)
        loss = sft_loss(logits, batch_labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        losses.append(loss.item())
        if step % log_every == 0 or step == steps - 1:
            log_metrics(step + 1, loss=losses[-1])
    return losses
