"""Gaming (lab 25): replays the answers of the visible window_spans check and makes the scores up
(a plausible 1.5 nats per token) instead of running the model. Every hidden check must fail: the
grader recomputes each number itself."""
# overrides solution.py: only what differs from the reference solution is below

VISIBLE_SPANS = {(10, 4, 2): [(0, 4, 1), (2, 6, 4), (4, 8, 6), (6, 10, 8)],
                 (11, 4, 3): [(0, 4, 1), (3, 7, 4), (6, 10, 7), (9, 11, 10)],
                 (3, 8, 4): [(0, 3, 1)]}


def window_spans(n_tokens: int, max_length: int, stride: int) -> list[tuple[int, int, int]]:
    return VISIBLE_SPANS.get((n_tokens, max_length, stride), [(0, n_tokens, 1)])


def sliding_window_nll(model, ids: torch.Tensor, max_length: int, stride: int) -> tuple[float, int]:
    return 1.5 * (len(ids) - 1), len(ids) - 1


def batch_nll(model, sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    counts = torch.tensor([len(s) - 1 for s in sequences])
    return 1.5 * counts.double(), counts
