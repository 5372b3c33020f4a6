"""Common mistake (lab 27): the freezing schedule is ignored; the encoder trains from step 0."""
# overrides solution.py: only what differs from the reference solution is below


def fine_tune(model: EncoderClassifier, tokenizer, texts: list[str], labels: list[int], *, steps: int,
              freeze_steps: int, batch_size: int, head_lr: float, encoder_lr: float, max_length: int,
              generator: torch.Generator, device: str = "cpu", amp_dtype: torch.dtype | None = None) -> list[float]:
    model.to(device).train()
    optimizer = torch.optim.AdamW([{"params": model.head.parameters(), "lr": head_lr},
                                   {"params": model.encoder.parameters(), "lr": encoder_lr}], weight_decay=0.01)
    targets = torch.tensor(labels, dtype=torch.long)
    losses = []
    for step in range(steps):  # no set_encoder_trainable(model, False) before the first freeze_steps steps
        rows = torch.randint(len(texts), (batch_size,), generator=generator)
        batch = _batch(tokenizer, [texts[i] for i in rows.tolist()], max_length, device)
        with torch.autocast(device_type=device, dtype=amp_dtype or torch.bfloat16, enabled=amp_dtype is not None):
            logits = model(batch["input_ids"], batch["attention_mask"])
        loss = F.cross_entropy(logits.float(), targets[rows].to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        log_metrics(step + 1, loss=losses[-1])
    return losses
