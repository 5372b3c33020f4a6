"""Common mistake (lab 25): every window after the first scores its last `stride` positions. That is
right for full windows, but the last window is usually shorter and then re-scores tokens the previous
window already scored (the target length must be end - previous end)."""
# overrides solution.py: only what differs from the reference solution is below


def window_spans(n_tokens: int, max_length: int, stride: int) -> list[tuple[int, int, int]]:
    if not 1 <= stride < max_length:
        raise ValueError(f"stride must be at least 1 and below max_length ({max_length}), got {stride}")
    spans = []
    for begin in range(0, n_tokens, stride):
        end = min(begin + max_length, n_tokens)
        spans.append((begin, end, 1 if begin == 0 else end - stride))
        if end == n_tokens:
            break
    return spans
