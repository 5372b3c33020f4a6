"""Common mistake (lab 38): warmup factor (step + 1) / warmup_steps, so step 0 does not start at 0."""
# overrides solution.py: only what differs from the reference solution is below


def linear_warmup_factor(step, warmup_steps):
    return (step + 1) / max(1, warmup_steps)
