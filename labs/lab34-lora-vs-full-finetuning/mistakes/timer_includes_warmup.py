"""Common mistake (lab 34): the clock starts before the warm-up steps, so the slow first step (kernel
selection, allocator, caches) is averaged into the time per step."""
# overrides solution.py: only what differs from the reference solution is below


def fine_tune(model, optimizer, data, loss_fn, *, steps, batch_size, warmup_steps, generator, synchronize):
    model.train()
    losses = []
    synchronize()
    started = time.perf_counter()
    for step in range(steps):
        rows = torch.randint(len(data), (batch_size,), generator=generator)
        loss = loss_fn(model, data[rows.to(data.device)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    synchronize()
    return {"losses": losses, "seconds_per_step": (time.perf_counter() - started) / (steps - warmup_steps)}
