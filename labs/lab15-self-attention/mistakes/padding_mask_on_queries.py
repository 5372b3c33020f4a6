"""Common mistake (lab 15): padding_mask hides padded query rows instead of padded keys."""
# overrides solution.py: only what differs from the reference solution is below


def padding_mask(lengths, max_len):
    """(batch, 1, max_len) bool: True where the KEY position j < lengths[b]."""
    lengths = torch.as_tensor(lengths)
    positions = torch.arange(max_len, device=lengths.device)
    return (positions[None, :] < lengths[:, None])[:, :, None]
