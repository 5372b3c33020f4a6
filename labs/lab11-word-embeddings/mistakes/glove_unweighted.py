"""Common mistake: no weighting function in the GloVe loss."""
# overrides solution.py: only what differs from the reference solution is below


def glove_loss(w, w_tilde, b, b_tilde, counts, x_max: float = 10.0, alpha: float = 0.75) -> torch.Tensor:
    mask = counts > 0
    weight = torch.where(counts < x_max, (counts / x_max) ** alpha, torch.ones_like(counts))
    log_counts = torch.log(torch.where(mask, counts, torch.ones_like(counts)))
    error = w @ w_tilde.T + b[:, None] + b_tilde[None, :] - log_counts
    return (error ** 2)[mask].sum()
