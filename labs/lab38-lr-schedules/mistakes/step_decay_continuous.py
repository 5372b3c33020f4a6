"""Common mistake (lab 38): gamma ** (step / step_size), a smooth exponential instead of a staircase."""
# overrides solution.py: only what differs from the reference solution is below


def step_decay_lr(step, base_lr, step_size, gamma):
    return base_lr * gamma ** (step / step_size)


def multistep_lr(step, base_lr, milestones, gamma):
    passed = sum(1 for m in milestones if m < step)      # a milestone step should already be decayed
    return base_lr * gamma ** passed
