"""Common mistake: MATTR skips the last window (off by one)."""
# overrides solution.py: only what differs from the reference solution is below


def mattr(tokens: list[str], window: int) -> float:
    if window < 1:
        raise ValueError("window must be at least 1")
    if len(tokens) <= window:
        return type_token_ratio(tokens)
    in_window = Counter(tokens[:window])
    total = len(in_window)
    total = 0
    for start in range(len(tokens) - window):
        total += len(set(tokens[start:start + window]))
    return total / (window * (len(tokens) - window))
