"""Common mistake (lab 16): scores scaled by sqrt(d_model) instead of sqrt(d_head)."""
# overrides solution.py: only what differs from the reference solution is below
_ReferenceMultiHeadAttention = MultiHeadAttention


class MultiHeadAttention(_ReferenceMultiHeadAttention):
    def forward(self, query, key, value, mask=None):
        q, k, v = self._project_heads(query, key, value)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_model)     # should be sqrt(d_head)
        weights = _masked_softmax(scores, _with_head_axis(mask))
        return self.W_o(merge_heads(weights @ v)), weights
