"""Common mistake (lab 16): merge_heads reshapes without moving the head axis back."""
# overrides solution.py: only what differs from the reference solution is below


def merge_heads(x):
    """(batch, n_heads, seq, d_head) -> (batch, seq, n_heads * d_head), the inverse of split_heads."""
    batch, n_heads, seq, d_head = x.shape
    return x.reshape(batch, seq, n_heads * d_head)
