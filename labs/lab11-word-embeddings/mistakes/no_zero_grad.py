"""Common mistake: optimizer.zero_grad() is never called, so the gradients of all earlier batches pile up.
Below: the reference training loop, run with the optimizer's zero_grad doing nothing (the missing call)."""
# overrides solution.py: only what differs from the reference solution is below

_reference_train_skipgram = train_skipgram


def train_skipgram(model, pairs: np.ndarray, noise: np.ndarray, k: int, epochs: int, batch_size: int,
                   lr: float, generator: torch.Generator) -> list[float]:
    zero_grad = torch.optim.Optimizer.zero_grad
    torch.optim.Optimizer.zero_grad = lambda self, set_to_none=True: None
    try:
        return _reference_train_skipgram(model, pairs, noise, k, epochs, batch_size, lr, generator)
    finally:
        torch.optim.Optimizer.zero_grad = zero_grad
