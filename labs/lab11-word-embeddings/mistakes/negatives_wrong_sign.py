"""Common mistake: negatives scored with log sigmoid(+c . n)."""
# overrides solution.py: only what differs from the reference solution is below


def sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    positive = F.logsigmoid((center * context).sum(-1))                                  # (B,)
    negative = F.logsigmoid(torch.bmm(negatives, center.unsqueeze(-1)).squeeze(-1))     # (B, K)
    return -(positive + negative.sum(-1)).mean()
