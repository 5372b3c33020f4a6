"""Common mistake (lab 17): frequency 1/10000^(j/d) for column j instead of per pair."""
# overrides solution.py: only what differs from the reference solution is below


def _column_exponents(d_model):
    return torch.arange(d_model, dtype=torch.float64) / d_model     # j / d_model: column 2i+1 gets its own
