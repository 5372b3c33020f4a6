"""Common mistake (lab 18): LayerNorm uses the unbiased variance."""
# overrides solution.py: only what differs from the reference solution is below


def layer_norm(x, weight=None, bias=None, eps=1e-5):
    """Normalise over the last axis: (x - mean) / sqrt(var + eps) * weight + bias (biased variance)."""
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
