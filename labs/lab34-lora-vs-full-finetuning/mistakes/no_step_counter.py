"""Common mistake (lab 34): adam_state_bytes counts the two moment buffers but forgets the step counter
Adam keeps per parameter tensor (a float32 scalar), so the prediction is short of the real state."""
# overrides solution.py: only what differs from the reference solution is below


def adam_state_bytes(parameters, amsgrad=False):
    moments = 3 if amsgrad else 2
    return sum(moments * p.numel() * p.element_size() for p in parameters)
