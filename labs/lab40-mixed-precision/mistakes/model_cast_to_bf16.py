"""Common mistake (lab 40): casts the whole model to the low-precision dtype instead of using autocast, so
the weights themselves live in bf16/fp16 and small AdamW updates are rounded away."""
# overrides solution.py: only what differs from the reference solution is below


def train_amp(model, optimizer, scaler, contexts, targets, *, steps, batch_size, device_type, dtype,
              max_grad_norm, generator):
    model.to(dtype)
    model.train()
    parameters = [p for p in model.parameters() if p.requires_grad]
    losses = []
    for step in range(steps):
        rows = torch.randint(len(targets), (batch_size,), generator=generator).to(targets.device)
        loss = nn.functional.cross_entropy(model(contexts[rows]).float(), targets[rows])
        scaled_step(scaler, optimizer, loss, parameters, max_grad_norm)
        losses.append(loss.item())
    return losses
