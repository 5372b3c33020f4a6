"""Common mistake: MATTR skips the last window (off by one): the windows start at
range(len(tokens) - window) instead of range(len(tokens) - window + 1)."""
# overrides solution.py: only what differs from the reference solution is below


def _types_per_window(tokens: list[str], window: int):
    for start in range(len(tokens) - window):
        yield len(set(tokens[start:start + window]))
