"""Common mistake (lab 17): sines in the first half of the columns, cosines in the second half."""
# overrides solution.py: only what differs from the reference solution is below


def _interleave(even, odd):
    return torch.cat([even, odd], dim=-1)       # all sines, then all cosines, instead of alternating columns
