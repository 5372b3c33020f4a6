"""Common mistake (lab 25): every token of every window is scored, so the overlapping context at the
start of each window is counted again (perplexity looks better and the token count is too large)."""
# overrides solution.py: only what differs from the reference solution is below


@torch.no_grad()
def sliding_window_nll(model, ids: torch.Tensor, max_length: int, stride: int) -> tuple[float, int]:
    total, count = 0.0, 0
    for begin, end, _ in window_spans(len(ids), max_length, stride):
        window = ids[begin:end].unsqueeze(0)
        nll, n = masked_nll(model(window)[:, :-1], window[:, 1:])
        total += float(nll[0])
        count += int(n[0])
    return total, count
