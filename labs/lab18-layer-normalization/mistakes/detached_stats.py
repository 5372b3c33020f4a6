"""Common mistake (lab 18): mean and variance computed on a detached tensor."""
# overrides solution.py: only what differs from the reference solution is below


def layer_norm(x, weight=None, bias=None, eps=1e-5):
    """Normalise over the last axis: (x - mean) / sqrt(var + eps) * weight + bias (biased variance)."""
    mean = x.detach().mean(dim=-1, keepdim=True)
    var = ((x.detach() - mean) ** 2).mean(dim=-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def rms_norm(x, weight=None, eps=1e-6):
    """x / sqrt(mean(x^2) + eps) * weight over the last axis: no centring, no bias."""
    y = x * torch.rsqrt(x.detach().pow(2).mean(dim=-1, keepdim=True) + eps)
    return y if weight is None else y * weight
