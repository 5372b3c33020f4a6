"""Common mistake (lab 26): the cosine decays to 0, ignoring the floor min_lr_ratio * peak_lr."""
# overrides solution.py: only what differs from the reference solution is below


def lr_at(step: int, peak_lr: float, warmup_steps: int, total_steps: int, min_lr_ratio: float = 0.1) -> float:
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - 1 - warmup_steps)
    return 0.5 * peak_lr * (1 + math.cos(math.pi * min(1.0, progress)))
