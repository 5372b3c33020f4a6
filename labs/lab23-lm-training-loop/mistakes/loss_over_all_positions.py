"""Common mistake (lab 23): the summed token loss is divided by every position, padding included."""
# overrides solution.py: only what differs from the reference solution is below


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    per_token = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=IGNORE_INDEX,
                                reduction="none")
    return per_token.mean()
