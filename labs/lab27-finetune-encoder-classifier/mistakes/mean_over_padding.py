"""Common mistake (lab 27): the mean runs over every position, padding included."""
# overrides solution.py: only what differs from the reference solution is below


def mean_pool(hidden_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    return hidden_states.mean(dim=1)  # padded positions pull every short message toward the [PAD] vector
