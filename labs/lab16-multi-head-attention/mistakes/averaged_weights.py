"""Common mistake (lab 16): returns the attention weights averaged over the heads."""
# overrides solution.py: only what differs from the reference solution is below


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model, self.n_heads = d_model, n_heads
        self.W_q = nn.Linear(d_model, d_model, bias=bias)
        self.W_k = nn.Linear(d_model, d_model, bias=bias)
        self.W_v = nn.Linear(d_model, d_model, bias=bias)
        self.W_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, query, key, value, mask=None):
        """query (batch, seq_q, d_model), key/value (batch, seq_k, d_model); mask True = may attend,
        shape (seq_q, seq_k) or (batch, seq_q | 1, seq_k). Returns output (batch, seq_q, d_model) and
        per-head weights (batch, n_heads, seq_q, seq_k)."""
        q = split_heads(self.W_q(query), self.n_heads)
        k = split_heads(self.W_k(key), self.n_heads)
        v = split_heads(self.W_v(value), self.n_heads)
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)                      # broadcast the same mask over the heads
        heads, weights = scaled_dot_product_attention(q, k, v, mask)
        return self.W_o(merge_heads(heads)), weights.mean(dim=1)
