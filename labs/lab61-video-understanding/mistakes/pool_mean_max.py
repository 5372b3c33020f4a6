"""Common mistake (lab 61): temporal pooling as mean + max over the real frames (a common recipe for
image sets). Both are blind to the ORDER of the frames, so a shape moving left and one moving right over
the same pixels give the same vector: the captions get the shape right and the direction wrong."""
# overrides solution.py: only what differs from the reference solution is below


def temporal_pool(features, lengths):
    B, T, D = features.shape
    mask = torch.arange(T)[None, :] < lengths[:, None]
    mean = (features * mask[:, :, None].to(features.dtype)).sum(dim=1) / lengths[:, None].to(features.dtype)
    largest = features.masked_fill(~mask[:, :, None], float("-inf")).amax(dim=1)
    return torch.cat([mean, largest], dim=1)
