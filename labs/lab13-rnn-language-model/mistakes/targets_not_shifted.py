"""Common mistake: targets equal inputs (no shift)."""
# overrides solution.py: only what differs from the reference solution is below


def make_batches(ids: torch.Tensor, seq_len: int, batch_size: int, generator: torch.Generator):
    starts = torch.randint(0, len(ids) - seq_len, (batch_size,), generator=generator)
    offsets = torch.arange(seq_len)
    inputs = ids[starts[:, None] + offsets]
    targets = ids[starts[:, None] + offsets]
    return inputs, targets
