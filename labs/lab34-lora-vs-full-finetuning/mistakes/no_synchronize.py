"""Common mistake (lab 34): reads the clock without synchronize(). On a GPU the kernels of the last steps
are still queued when Python reads the clock, so the time per step comes out too small."""
# overrides solution.py: only what differs from the reference solution is below


def fine_tune(model, optimizer, data, loss_fn, *, steps, batch_size, warmup_steps, generator, synchronize):
    model.train()
    losses = []
    started = None
    for step in range(steps):
        if step == warmup_steps:
            started = time.perf_counter()
        rows = torch.randint(len(data), (batch_size,), generator=generator)
        loss = loss_fn(model, data[rows.to(data.device)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return {"losses": losses, "seconds_per_step": (time.perf_counter() - started) / (steps - warmup_steps)}
