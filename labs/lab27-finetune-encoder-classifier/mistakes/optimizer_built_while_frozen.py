"""Common mistake (lab 27): the optimizer is built from the parameters that are trainable at step 0,
while the encoder is frozen, so unfreezing it later never updates it."""
# overrides solution.py: only what differs from the reference solution is below


def fine_tune(model: EncoderClassifier, tokenizer, texts: list[str], labels: list[int], *, steps: int,
              freeze_steps: int, batch_size: int, head_lr: float, encoder_lr: float, max_length: int,
              generator: torch.Generator, device: str = "cpu", amp_dtype: torch.dtype | None = None) -> list[float]:
    model.to(device).train()
    set_encoder_trainable(model, freeze_steps <= 0)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=head_lr, weight_decay=0.01)
    targets = torch.tensor(labels, dtype=torch.long)
    losses = []
    for step in range(steps):
        if step == freeze_steps:
            set_encoder_trainable(model, True)  # gradients flow, but the optimizer does not hold these parameters
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
