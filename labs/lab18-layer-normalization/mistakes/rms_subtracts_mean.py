"""Common mistake (lab 18): RMSNorm centres its input."""
# overrides solution.py: only what differs from the reference solution is below

_reference_rms_norm = rms_norm


def rms_norm(x, weight=None, eps=1e-6):
    return _reference_rms_norm(x - x.mean(dim=-1, keepdim=True), weight, eps)     # centred first
