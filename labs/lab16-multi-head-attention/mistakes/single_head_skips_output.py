"""Common mistake (lab 16): with a single head there is "nothing to mix", so W_o is skipped."""
# overrides solution.py: only what differs from the reference solution is below
_ReferenceMultiHeadAttention = MultiHeadAttention


class MultiHeadAttention(_ReferenceMultiHeadAttention):
    def forward(self, query, key, value, mask=None):
        if self.n_heads > 1:
            return super().forward(query, key, value, mask)
        q, k, v = self.W_q(query)[:, None], self.W_k(key)[:, None], self.W_v(value)[:, None]
        heads, weights = scaled_dot_product_attention(q, k, v, _with_head_axis(mask))
        return heads[:, 0], weights
