"""Common mistake (lab 15): no 1/sqrt(d_k) scale on the scores."""
# overrides solution.py: only what differs from the reference solution is below


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d_k)) v, with masked scores set to -inf before the softmax.

    q: (batch, seq_q, d_k), k: (batch, seq_k, d_k), v: (batch, seq_k, d_v)
    mask: bool tensor broadcastable to (batch, seq_q, seq_k); True = "may attend".
    Returns (output (batch, seq_q, d_v), weights (batch, seq_q, seq_k)).
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1)          # (batch, seq_q, seq_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)                     # each query row sums to 1
    return weights @ v, weights
