"""Common mistake (lab 19): labels shifted by hand (the model shifts them again)."""
# overrides solution.py: only what differs from the reference solution is below

_reference_labels = _labels


def _labels(encoded):
    labels = _reference_labels(encoded)
    return torch.cat([labels[:, 1:], torch.full_like(labels[:, :1], -100)], dim=1)   # "next token"
