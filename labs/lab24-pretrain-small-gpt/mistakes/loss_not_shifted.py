"""Common mistake (lab 24): the loss scores each position against its own input token."""
# overrides solution.py: only what differs from the reference solution is below


def causal_lm_loss(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    vocab_size = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, vocab_size).float(), ids.reshape(-1))  # no shift
