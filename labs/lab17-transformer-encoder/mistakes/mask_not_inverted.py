"""Common mistake (lab 17): pad_mask (True = real) passed as key_padding_mask (True = ignore)."""
# overrides solution.py: only what differs from the reference solution is below


class EncoderLayer(nn.Module):
    def __init__(self, d_model, n_heads, d_ff, norm_first=False, eps=1e-5):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.0, batch_first=True)
        self.ffn = FeedForward(d_model, d_ff)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def _attend(self, x, pad_mask):
        key_padding_mask = pad_mask
        out, _ = self.self_attn(x, x, x, key_padding_mask=key_padding_mask, need_weights=False)
        return out

    def forward(self, x, pad_mask=None):
        if self.norm_first:                                  # pre-LN: x + sublayer(norm(x))
            x = x + self._attend(self.norm1(x), pad_mask)
            return x + self.ffn(self.norm2(x))
        x = self.norm1(x + self._attend(x, pad_mask))        # post-LN: norm(x + sublayer(x))
        return self.norm2(x + self.ffn(x))
