"""Common mistake (lab 17): sines in the first half of the columns, cosines in the second half."""
# overrides solution.py: only what differs from the reference solution is below


def sinusoidal_positional_encoding(max_len, d_model):
    """(max_len, d_model) float32: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    position = torch.arange(max_len, dtype=torch.float64)[:, None]              # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)                   # 0, 2, 4, ...
    angle = position / torch.pow(10000.0, two_i / d_model)                      # (max_len, d_model/2)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, : d_model // 2] = torch.sin(angle)
    pe[:, d_model // 2:] = torch.cos(angle)
    return pe.float()
