"""Common mistake (lab 18): LayerNorm uses the unbiased variance."""
# overrides solution.py: only what differs from the reference solution is below


def _moments(x):
    return x.mean(dim=-1, keepdim=True), x.var(dim=-1, keepdim=True)     # torch.var divides by d - 1
