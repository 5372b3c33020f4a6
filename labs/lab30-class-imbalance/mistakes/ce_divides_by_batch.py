"""Common mistake (lab 30): weighted cross-entropy averaged over the batch size, not over the target weights."""
# overrides solution.py: only what differs from the reference solution is below


def weighted_cross_entropy(logits, targets, weights):
    """Class-weighted cross-entropy."""
    log_probs = torch.log_softmax(logits, dim=-1)
    nll = -log_probs.gather(1, targets[:, None]).squeeze(1)
    return (weights.to(logits.dtype)[targets] * nll).mean()
