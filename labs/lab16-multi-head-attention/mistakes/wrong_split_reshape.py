"""Common mistake (lab 16): split_heads views (batch, seq, d_model) directly as (batch, n_heads, seq, d_head)."""
# overrides solution.py: only what differs from the reference solution is below


def split_heads(x, n_heads):
    """(batch, seq, d_model) -> (batch, n_heads, seq, d_head): head h gets features h*d_head:(h+1)*d_head."""
    batch, seq, d_model = x.shape
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
    return x.reshape(batch, n_heads, seq, d_model // n_heads)
