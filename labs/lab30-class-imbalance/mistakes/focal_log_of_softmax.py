"""Common mistake (lab 30): the focal loss takes log(softmax(logits)), which is log(0) = -inf on underflow."""
# overrides solution.py: only what differs from the reference solution is below


def focal_loss(logits, targets, gamma=2.0, alpha=None):
    """Mean over the batch of -alpha[y] * (1 - p_y)^gamma * log p_y."""
    pt = torch.softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)
    loss = -((1 - pt) ** gamma) * torch.log(pt)
    if alpha is not None:
        loss = alpha.to(logits.dtype)[targets] * loss
    return loss.mean()
