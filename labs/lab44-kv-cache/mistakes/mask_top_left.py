"""Common mistake (lab 44): the causal mask is anchored at the top-left corner, as if nothing were cached."""
# overrides solution.py: only what differs from the reference solution is below


def causal_mask(q_len: int, k_len: int, device=None) -> torch.Tensor:
    return torch.tril(torch.ones(q_len, k_len, dtype=torch.bool, device=device))
