"""Common mistake (lab 38): cosine progress measured from step 0 instead of from the end of warmup."""
# overrides solution.py: only what differs from the reference solution is below


def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr_ratio=0.0, num_cycles=0.5):
    if step < warmup_steps:
        return base_lr * linear_warmup_factor(step, warmup_steps)
    progress = step / max(1, total_steps)             # should start at 0 when warmup ends
    cosine = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    return base_lr * max(0.0, min_lr_ratio + (1.0 - min_lr_ratio) * cosine)
