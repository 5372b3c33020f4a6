"""Common mistake: the loss is averaged over all positions."""
# overrides solution.py: only what differs from the reference solution is below


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    per_token = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100,
                                reduction="none")
    return per_token.mean()
