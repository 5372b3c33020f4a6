"""Common mistake (lab 41): the all-reduced gradient is the SUM over ranks, never divided by world_size."""
# overrides solution.py: only what differs from the reference solution is below


def average_gradients(model, world_size):
    """Replace each parameter's .grad by its mean over all ranks."""
    for param in model.parameters():
        if param.grad is None:
            continue
        dist.all_reduce(param.grad, op=dist.ReduceOp.SUM)      # ... and the division is missing
