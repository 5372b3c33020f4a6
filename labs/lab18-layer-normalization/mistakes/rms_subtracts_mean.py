"""Common mistake (lab 18): RMSNorm centres its input."""
# overrides solution.py: only what differs from the reference solution is below


def rms_norm(x, weight=None, eps=1e-6):
    """x / sqrt(mean(x^2) + eps) * weight over the last axis: no centring, no bias."""
    x = x - x.mean(dim=-1, keepdim=True)
    y = x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return y if weight is None else y * weight
