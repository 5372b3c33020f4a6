"""Common mistake (lab 47): the scope argument is ignored and every tensor is pruned to the sparsity on its
own, so a global threshold (which prunes more of a layer of small weights) is never used."""
# overrides solution.py: only what differs from the reference solution is below


def magnitude_masks(weights, sparsity, scope="global"):
    masks = {}
    for name, w in weights.items():
        flat = w.detach().abs().reshape(-1)
        k = round(sparsity * flat.numel())
        keep = torch.ones(flat.numel(), dtype=torch.bool)
        keep[torch.argsort(flat)[:k]] = False
        masks[name] = keep.reshape(w.shape)
    return masks
