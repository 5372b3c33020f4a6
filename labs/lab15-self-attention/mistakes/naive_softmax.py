"""Common mistake (lab 15): hand-written softmax without subtracting the row max."""
# overrides solution.py: only what differs from the reference solution is below


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v, with masked scores set to -inf before the softmax.

    q: (batch, seq_q, d_k), k: (batch, seq_k, d_k), v: (batch, seq_k, d_v)
    mask: bool tensor broadcastable to (batch, seq_q, seq_k); True = "may attend".
    Returns (output (batch, seq_q, d_v), weights (batch, seq_q, seq_k)).
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)          # (batch, seq_q, seq_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    exp = torch.exp(scores)
    weights = exp / exp.sum(dim=-1, keepdim=True)
    return weights @ v, weights
