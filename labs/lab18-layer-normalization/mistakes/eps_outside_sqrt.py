"""Common mistake (lab 18): eps added to the standard deviation."""
# overrides solution.py: only what differs from the reference solution is below


def _std(var, eps):
    return torch.sqrt(var) + eps                    # eps added to the standard deviation
