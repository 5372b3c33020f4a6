"""Common mistake (lab 17): frequency 1/10000^(j/d) for column j instead of per pair."""
# overrides solution.py: only what differs from the reference solution is below


def sinusoidal_positional_encoding(max_len, d_model):
    """(max_len, d_model) float32: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    position = torch.arange(max_len, dtype=torch.float64)[:, None]              # (max_len, 1)
    j = torch.arange(d_model, dtype=torch.float64)
    angle = position / torch.pow(10000.0, j / d_model)                          # (max_len, d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle[:, 0::2])
    pe[:, 1::2] = torch.cos(angle[:, 1::2])
    return pe.float()
